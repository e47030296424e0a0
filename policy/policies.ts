/**
 * The policies of the `wallaroo-licence` pack, without the pack itself (constructing a
 * `PolicyPack` starts a gRPC server), so tests and benchmarks can call the validate functions.
 *
 * Unknown values (preview of a stack whose user emails or `active` flags are computed from other
 * resources' outputs) never make a mandatory policy fail or crash: the mandatory policies skip
 * what they cannot know, and the advisory policy `wallaroo-unknown-values` says what was skipped.
 * Why a separate policy: `reportViolation` always reports at its policy's enforcement level, and
 * letting @pulumi/policy's proxy throw `UnknownValueError` downgrades the *whole* policy run to an
 * advisory "can't run policy during preview", which would hide a definite over-limit count.
 */
import type {
  Policies,
  ResourceValidation,
  ResourceValidationPolicy,
  StackValidation,
  StackValidationPolicy,
} from "@pulumi/policy";
import { emailProblem } from "../sdk/email";
import { activeUserLimit, activeUserLimitConfigSchema, parseActiveUserLimitConfig } from "./config";
import { fetchServerUsers } from "./liveSeats";
import { countConfigured, countLive, type SeatCount } from "./seats";
import { seatViolation } from "./seatVerdict";
import {
  UNKNOWN,
  WALLAROO_USER_TYPE,
  WallarooUser,
  emailKey,
  isWallarooUser,
  readProperty,
  wallarooUsers,
} from "./userResources";
import { duplicateMembershipPolicy, memberInactivePolicy, workspaceNamePolicy } from "./workspacePolicies";

export const POLICY_PACK_NAME = "wallaroo-licence";
export const ACTIVE_USER_LIMIT_POLICY = "wallaroo-active-user-limit";
export const USER_EMAIL_POLICY = "wallaroo-user-email";
export const DUPLICATE_EMAIL_POLICY = "wallaroo-duplicate-email";
export const UNKNOWN_VALUES_POLICY = "wallaroo-unknown-values";
export { MAX_LISTED_USERS } from "./seatVerdict";

/**
 * Marks a validate function as applying to `wallaroo.User` only. @pulumi/policy then skips it
 * (and reports the policy as not applicable) for other resources, or for a stack without users,
 * before deserializing anything; the functions still filter by type themselves.
 */
function onlyForUsers<F extends ResourceValidation | StackValidation>(fn: F): F {
  return Object.assign(fn, { __pulumiType: WALLAROO_USER_TYPE });
}

function quoteEmail(email: string): string {
  const shown = email.length > 100 ? `${email.slice(0, 100)}…` : email;
  return JSON.stringify(shown);
}

const validateActiveUserLimit: StackValidation = async (args, reportViolation) => {
  const config = parseActiveUserLimitConfig(ACTIVE_USER_LIMIT_POLICY, args.getConfig<Record<string, unknown>>());
  const { limit, source } = activeUserLimit(config);
  if (limit === undefined) {
    return;
  }
  const users = wallarooUsers(args.resources);
  let count: SeatCount;
  if (config.unmanagedActiveUsers === "live") {
    try {
      count = countLive(users, await fetchServerUsers(config));
    } catch (e) {
      // Never a silent pass: without the count the policy cannot vouch for the licence.
      reportViolation(
        `Could not count the live seats: ${e instanceof Error ? e.message : String(e)}; set the WALLAROO_* variables ` +
          "(WALLAROO_URL, and WALLAROO_TOKEN or WALLAROO_USER/WALLAROO_PASSWORD) in the environment of pulumi preview, " +
          'or set unmanagedActiveUsers to a number instead of "live"',
      );
      return;
    }
  } else {
    count = countConfigured(users, config.unmanagedActiveUsers);
  }
  const violation = seatViolation(count, limit, source);
  if (violation !== undefined) reportViolation(violation);
};

const validateUserEmail: ResourceValidation = (args, reportViolation) => {
  if (!isWallarooUser(args)) {
    args.notApplicable(`Policy only applies to resources of type '${WALLAROO_USER_TYPE}'`);
  }
  const email = readProperty(args.props, "email");
  if (email === UNKNOWN) {
    return; // reported by wallaroo-unknown-values; checked on the real value during `pulumi up`
  }
  let problem: string | undefined;
  if (typeof email === "string") {
    const why = emailProblem(email);
    problem = why && `email ${quoteEmail(email)} ${why}`;
  } else if (email === undefined || email === null) {
    problem = "has no email";
  } else {
    problem = `has an email that is not a string (${typeof email})`;
  }
  if (problem !== undefined) {
    reportViolation(
      `Wallaroo user '${args.name}': ${problem}. A user registered without a proper email address ` +
        `cannot create a workspace or log in; use a full address such as name@example.com.`,
    );
  }
};

const validateDuplicateEmail: StackValidation = (args, reportViolation) => {
  const firstByEmail = new Map<string, WallarooUser>();
  for (const user of wallarooUsers(args.resources)) {
    const key = emailKey(user);
    if (!key) {
      continue; // unknown, missing or blank: nothing to compare (wallaroo-user-email reports blanks)
    }
    const first = firstByEmail.get(key);
    if (first === undefined) {
      firstByEmail.set(key, user);
      continue;
    }
    reportViolation(
      `Wallaroo users '${first.name}' and '${user.name}' both manage ${key} ` +
        `(emails are compared trimmed and case-insensitively). Wallaroo identifies a user by email, ` +
        `so both resources would act on the same account and undo each other's changes; keep one.\n` +
        `  ${first.urn}\n  ${user.urn}`,
      user.urn,
    );
  }
};

const validateUnknownValues: StackValidation = (args, reportViolation) => {
  for (const user of wallarooUsers(args.resources)) {
    const notes: string[] = [];
    if (user.email === UNKNOWN) {
      notes.push(
        `its email is computed from another resource and not known until apply, so ` +
          `${USER_EMAIL_POLICY} and ${DUPLICATE_EMAIL_POLICY} could not check it in this preview`,
      );
    }
    if (user.active === UNKNOWN) {
      notes.push(
        `whether it is active is not known until apply, so ${ACTIVE_USER_LIMIT_POLICY} did not count it ` +
          `in this preview (the stack may have one more active user than checked)`,
      );
    }
    if (notes.length > 0) {
      reportViolation(
        `Wallaroo user '${user.name}': ${notes.join("; ")}. ` +
          `The checks run again on the real values during \`pulumi up\`.`,
        user.urn,
      );
    }
  }
};

export const activeUserLimitPolicy: StackValidationPolicy = {
  name: ACTIVE_USER_LIMIT_POLICY,
  displayName: "Wallaroo active-user limit",
  description:
    "Keeps the active Wallaroo users within the licence: Community allows 5 active users " +
    "(deactivated users do not count), Enterprise has no limit.",
  enforcementLevel: "mandatory",
  configSchema: activeUserLimitConfigSchema,
  validateStack: onlyForUsers(validateActiveUserLimit),
};

export const userEmailPolicy: ResourceValidationPolicy = {
  name: USER_EMAIL_POLICY,
  displayName: "Wallaroo user email",
  description: "Every Wallaroo user needs a well-formed email address.",
  enforcementLevel: "mandatory",
  validateResource: onlyForUsers(validateUserEmail),
};

export const duplicateEmailPolicy: StackValidationPolicy = {
  name: DUPLICATE_EMAIL_POLICY,
  displayName: "Unique Wallaroo user emails",
  description: "A stack declares each Wallaroo user (email) once.",
  enforcementLevel: "mandatory",
  validateStack: onlyForUsers(validateDuplicateEmail),
};

export const unknownValuesPolicy: StackValidationPolicy = {
  name: UNKNOWN_VALUES_POLICY,
  displayName: "Wallaroo values unknown during preview",
  description: "Notes the Wallaroo user values the other policies could not check during preview.",
  enforcementLevel: "advisory",
  validateStack: onlyForUsers(validateUnknownValues),
};

/** All policies of the pack, in the order they are advertised. */
export const wallarooPolicies: Policies = [
  activeUserLimitPolicy,
  userEmailPolicy,
  duplicateEmailPolicy,
  unknownValuesPolicy,
  workspaceNamePolicy,
  duplicateMembershipPolicy,
  memberInactivePolicy,
];
