/**
 * Configuration of `wallaroo-active-user-limit`.
 *
 * Users set it in the file given to `--policy-pack-config`, e.g.
 * `{ "wallaroo-active-user-limit": { "edition": "enterprise" } }` or
 * `{ "wallaroo-active-user-limit": { "maxActiveUsers": 20, "unmanagedActiveUsers": 3 } }`.
 *
 * Two lines of defence:
 * - The Pulumi CLI validates that file against {@link activeUserLimitConfigSchema} (advertised
 *   through `GetAnalyzerInfo`) before it calls `Configure`, fills in the schema's defaults, and
 *   stops with e.g. `validating policy config: wallaroo-licence 0.1.0  wallaroo-active-user-limit:
 *   maxActiveUsers: Must be greater than or equal to 0`.
 * - @pulumi/policy's `Configure` stores whatever it is sent without checking it, so
 *   {@link parseActiveUserLimitConfig} checks again when the policy runs (another client, an older
 *   CLI) and throws a {@link PolicyConfigError} naming every problem.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";

export const EDITIONS = ["community", "enterprise"] as const;
export type Edition = (typeof EDITIONS)[number];

/** Active users a Wallaroo Community licence allows (deactivated users do not count). */
export const COMMUNITY_ACTIVE_USER_LIMIT = 5;

export interface ActiveUserLimitConfig {
  readonly edition: Edition;
  /** Overrides the edition's limit when set. */
  readonly maxActiveUsers?: number;
  /** Active users of the same instance that this stack does not manage. */
  readonly unmanagedActiveUsers: number;
}

export const activeUserLimitConfigSchema: PolicyConfigSchema = {
  properties: {
    edition: {
      type: "string",
      enum: [...EDITIONS],
      default: "community",
      description:
        `Wallaroo licence: "community" allows ${COMMUNITY_ACTIVE_USER_LIMIT} active users, ` +
        `"enterprise" has no limit.`,
    },
    maxActiveUsers: {
      type: "integer",
      minimum: 0,
      description: "Maximum number of active users; overrides the edition's limit.",
    },
    unmanagedActiveUsers: {
      type: "integer",
      minimum: 0,
      default: 0,
      description: "Active users of the same Wallaroo instance that live outside this stack.",
    },
  },
};

/** A policy configuration that does not match the schema. Its `stack` is its message alone:
 * @pulumi/policy forwards `stack` to the CLI, and a trace would only bury the explanation. */
export class PolicyConfigError extends Error {
  constructor(
    policyName: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid configuration for policy '${policyName}': ${problems.join("; ")}`);
    this.name = "PolicyConfigError";
    this.stack = `${this.name}: ${this.message}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return String(value);
}

function readCount(raw: Record<string, unknown>, key: string, problems: string[]): number | undefined {
  const value = raw[key];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    problems.push(`${key} must be an integer >= 0, got ${describeValue(value)}`);
    return undefined;
  }
  return value;
}

/** Checks the properties `getConfig()` returned; throws {@link PolicyConfigError} listing all problems. */
export function parseActiveUserLimitConfig(policyName: string, raw: Record<string, unknown>): ActiveUserLimitConfig {
  const problems: string[] = [];
  const allowed = Object.keys(activeUserLimitConfigSchema.properties);
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      problems.push(`unknown property ${JSON.stringify(key)} (allowed: ${allowed.join(", ")})`);
    }
  }

  let edition: Edition = "community";
  if (raw.edition !== undefined) {
    if ((EDITIONS as readonly unknown[]).includes(raw.edition)) {
      edition = raw.edition as Edition;
    } else {
      problems.push(
        `edition must be one of ${EDITIONS.map((e) => `"${e}"`).join(", ")}, got ${describeValue(raw.edition)}`,
      );
    }
  }
  const maxActiveUsers = readCount(raw, "maxActiveUsers", problems);
  const unmanagedActiveUsers = readCount(raw, "unmanagedActiveUsers", problems) ?? 0;

  if (problems.length > 0) {
    throw new PolicyConfigError(policyName, problems);
  }
  return maxActiveUsers === undefined
    ? { edition, unmanagedActiveUsers }
    : { edition, maxActiveUsers, unmanagedActiveUsers };
}

/** The limit in force and how to name it in a message; `limit` is undefined when there is none. */
export function activeUserLimit(config: ActiveUserLimitConfig): { limit: number | undefined; source: string } {
  if (config.maxActiveUsers !== undefined) {
    return { limit: config.maxActiveUsers, source: "the configured limit (maxActiveUsers)" };
  }
  if (config.edition === "enterprise") {
    return { limit: undefined, source: "the enterprise licence" };
  }
  return { limit: COMMUNITY_ACTIVE_USER_LIMIT, source: "the community licence" };
}
