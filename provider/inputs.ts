/**
 * The inputs of `wallaroo.User` as the provider receives them, and their
 * validation (the provider's `check`). Pure functions: no network, no Pulumi
 * runtime, so preview works offline and the rules are unit-testable.
 */
import { emailProblem, normalizeEmail } from "../sdk/email";
import { DEFAULT_EDITION, type Edition } from "../sdk/edition";
import { closest } from "../sdk/suggest";
import { UNKNOWN_DURING_PREVIEW } from "./types";

/**
 * The checked input that records a change of the program's email: the email of the previous inputs,
 * present only when the program changed it. `check` is the one method the engine hands the previous
 * inputs (diff gets the outputs, whose email is the server's after a refresh), and this is how
 * `diff` tells the program's change from the server's (see userLifecycle.ts, emailChange).
 */
export const PREVIOUS_EMAIL = "__previousEmail";

/** The engine's placeholder for a value not known yet (during preview); defined in types.ts. */
export const UNKNOWN = UNKNOWN_DURING_PREVIEW;

/** Inputs after `check`: defaults applied, types verified. */
export interface UserInputs {
  email: string;
  active: boolean;
  password?: string;
  adoptExisting: boolean;
  /** Managed only when given (Enterprise). */
  firstName?: string;
  lastName?: string;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

const KNOWN = ["email", "active", "password", "adoptExisting", "firstName", "lastName"] as const;
/**
 * Properties the machinery adds itself: `__provider` (Pulumi's dynamic resources), `__resourceName` (the
 * resource's name, added by our resource classes: see createAttempts.ts) and `__previousEmail`
 * (added by `check`, below).
 */
const RESERVED = new Set(["__provider", "__resourceName", PREVIOUS_EMAIL]);

export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN;
}

export function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/**
 * A failure for every property of `news` that `resource` does not accept (besides those the
 * dynamic-provider machinery adds), with a "did you mean" for near misses.
 */
export function unknownPropertyFailures(
  news: Record<string, unknown>,
  known: readonly string[],
  resource: string,
): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const key of Object.keys(news)) {
    if (RESERVED.has(key) || known.includes(key)) continue;
    const guess = closest(key, known);
    failures.push({
      property: key,
      reason: `unknown property '${key}'${guess ? ` (did you mean '${guess}'?)` : ""}; ${resource} accepts ${known.join(", ")}`,
    });
  }
  return failures;
}

/**
 * Validates raw inputs against the previous ones (`olds`, empty for a new resource) on `edition`.
 * Never throws: every problem is a failure naming the property. Unknown values (preview) pass
 * through untouched.
 */
export function checkInputs(
  news: Record<string, unknown>,
  olds: Record<string, unknown> = {},
  edition: Edition = DEFAULT_EDITION,
): {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
} {
  const failures = unknownPropertyFailures(news, KNOWN, "wallaroo.User");

  const { email, active, password, adoptExisting } = news;
  const emailFailure = checkEmail(email, "email is required");
  if (emailFailure) failures.push(emailFailure);
  if (active !== undefined && !isUnknown(active) && typeof active !== "boolean") {
    failures.push({ property: "active", reason: `active must be true or false, not ${typeName(active)}` });
  }
  if (password !== undefined && !isUnknown(password)) {
    if (typeof password !== "string")
      failures.push({ property: "password", reason: `password must be a string, not ${typeName(password)}` });
    else if (password.length === 0)
      failures.push({
        property: "password",
        reason: "password must not be empty (leave it out to have the server generate one)",
      });
  }
  if (adoptExisting !== undefined && !isUnknown(adoptExisting) && typeof adoptExisting !== "boolean") {
    failures.push({
      property: "adoptExisting",
      reason: `adoptExisting must be true or false, not ${typeName(adoptExisting)}`,
    });
  }

  for (const key of ["firstName", "lastName"] as const) {
    const v = news[key];
    if (v === undefined || isUnknown(v)) continue;
    if (typeof v !== "string") failures.push({ property: key, reason: `${key} must be a string, not ${typeName(v)}` });
    else if (edition === "community") {
      failures.push({
        property: key,
        reason:
          `${key} cannot be set on Wallaroo Community: its invite (POST /v1/api/users/invite) takes only an email ` +
          "and a password, and nothing else sets a name. Leave it out, or set wallaroo:edition to enterprise if this " +
          "instance is Wallaroo Enterprise (users are then created and changed through Keycloak)",
      });
    }
  }

  const inputs: Record<string, unknown> = { ...news, active: active ?? true, adoptExisting: adoptExisting ?? false };
  if (password === undefined) delete inputs.password;
  delete inputs[PREVIOUS_EMAIL];
  if (
    typeof olds.email === "string" &&
    typeof email === "string" &&
    !isUnknown(email) &&
    !sameEmail(olds.email, email)
  ) {
    inputs[PREVIOUS_EMAIL] = olds.email;
  }
  return { inputs, failures };
}

/**
 * The failure of an `email` input, if any: missing, not a string, or not an address the API can
 * manage (a user registered without a proper email cannot create a workspace or log in). An
 * unknown value (preview) passes.
 */
export function checkEmail(email: unknown, missing: string): CheckFailure | undefined {
  if (email === undefined || email === null) return { property: "email", reason: missing };
  if (isUnknown(email)) return undefined;
  if (typeof email !== "string") return { property: "email", reason: `email must be a string, not ${typeName(email)}` };
  const problem = emailProblem(email);
  return problem ? { property: "email", reason: `email '${email}' is not a valid address: it ${problem}` } : undefined;
}

/** Two emails name the same user when they match ignoring case and surrounding space. */
export function sameEmail(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" && normalizeEmail(a) === normalizeEmail(b);
}

/** Reads checked inputs into their type; `check` has already vetted them. */
export function asUserInputs(props: Record<string, unknown>): UserInputs {
  return {
    email: String(props.email),
    active: props.active !== false,
    password: typeof props.password === "string" ? props.password : undefined,
    adoptExisting: props.adoptExisting === true,
    firstName: typeof props.firstName === "string" ? props.firstName : undefined,
    lastName: typeof props.lastName === "string" ? props.lastName : undefined,
  };
}
