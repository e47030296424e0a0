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
 *   maxActiveUsers: Must be greater than or equal to 0`. (So `edition` has no schema default: the
 *   CLI would fill it in, and live mode could not tell "unset" from "community".)
 * - @pulumi/policy's `Configure` stores whatever it is sent without checking it, so
 *   {@link parseActiveUserLimitConfig} checks again when the policy runs (another client, an older
 *   CLI) and throws a {@link PolicyConfigError} naming every problem.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import { ConfigurationError } from "../sdk/errors";
import { DEFAULT_EDITION, EDITIONS, resolveEdition, type Edition } from "../sdk/edition";

export { EDITIONS };
export type { Edition };

/** How the pack's messages name its edition setting. */
const EDITION_SETTING = "the policy config key edition";

/** Active users a Wallaroo Community licence allows (deactivated users do not count). */
export const COMMUNITY_ACTIVE_USER_LIMIT = 5;

export interface ActiveUserLimitConfig {
  /**
   * The licence edition: as configured; unset, `WALLAROO_EDITION` in live mode (the environment the
   * live count connects with), else community.
   */
  readonly edition: Edition;
  /** Where `edition` came from: the configuration, `WALLAROO_EDITION` (live mode only), or the default. */
  readonly editionSource?: "config" | "environment" | "default";
  /** Overrides the edition's limit when set. */
  readonly maxActiveUsers?: number;
  /**
   * Active users of the same instance that this stack does not manage: a number, or "live" to
   * count them (and which of the stack's users exist already) on the instance at preview.
   */
  readonly unmanagedActiveUsers: number | "live";
  /** Live mode: the API endpoint, when not in WALLAROO_URL (not secret; credentials come from the environment). */
  readonly url?: string;
  /** Live mode: the Keycloak address, when not in WALLAROO_AUTH_URL. */
  readonly authUrl?: string;
}

export const activeUserLimitConfigSchema: PolicyConfigSchema = {
  properties: {
    edition: {
      type: "string",
      enum: [...EDITIONS],
      description:
        `Wallaroo licence: "community" (the default) allows ${COMMUNITY_ACTIVE_USER_LIMIT} active users, ` +
        `"enterprise" has no limit. Unset with unmanagedActiveUsers "live": WALLAROO_EDITION, else community.`,
    },
    maxActiveUsers: {
      type: "integer",
      minimum: 0,
      description: "Maximum number of active users; overrides the edition's limit.",
    },
    unmanagedActiveUsers: {
      // JSON schema: `minimum` constrains the numbers, `pattern` the strings.
      type: ["integer", "string"],
      minimum: 0,
      pattern: "^live$",
      default: 0,
      description:
        'Active users of the same Wallaroo instance that live outside this stack, or "live" to count them on the ' +
        "instance at preview (with the WALLAROO_* environment variables wallaroo-users uses).",
    },
    url: {
      type: "string",
      description: 'With "live": the Wallaroo API endpoint, when WALLAROO_URL is not set. Never put credentials here.',
    },
    authUrl: {
      type: "string",
      description: 'With "live": the Keycloak address, when WALLAROO_AUTH_URL is not set.',
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

function readCount(raw: Record<string, unknown>, key: string, problems: string[], orElse = ""): number | undefined {
  const value = raw[key];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    problems.push(`${key} must be an integer >= 0${orElse}, got ${describeValue(value)}`);
    return undefined;
  }
  return value;
}

function readText(raw: Record<string, unknown>, key: string, problems: string[]): string | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    problems.push(`${key} must be a non-empty string, got ${describeValue(value)}`);
    return undefined;
  }
  return value;
}

/**
 * Checks the properties `getConfig()` returned; throws {@link PolicyConfigError} listing all problems.
 * `env` is read in live mode only, for `WALLAROO_EDITION` when `edition` is unset.
 */
export function parseActiveUserLimitConfig(
  policyName: string,
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): ActiveUserLimitConfig {
  const problems: string[] = [];
  const allowed = Object.keys(activeUserLimitConfigSchema.properties);
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      problems.push(`unknown property ${JSON.stringify(key)} (allowed: ${allowed.join(", ")})`);
    }
  }

  let edition: Edition | undefined;
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
  const unmanagedActiveUsers =
    raw.unmanagedActiveUsers === "live"
      ? "live"
      : (readCount(raw, "unmanagedActiveUsers", problems, ' or "live"') ?? 0);
  const url = readText(raw, "url", problems);
  const authUrl = readText(raw, "authUrl", problems);
  if ((url !== undefined || authUrl !== undefined) && unmanagedActiveUsers !== "live") {
    problems.push('url and authUrl are only used with unmanagedActiveUsers: "live"');
  }
  let editionSource: ActiveUserLimitConfig["editionSource"] = edition === undefined ? "default" : "config";
  if (edition === undefined && raw.edition === undefined && unmanagedActiveUsers === "live") {
    // Live mode counts on the instance the WALLAROO_* environment names: its edition comes from there too.
    try {
      const resolved = resolveEdition({ value: undefined, setting: EDITION_SETTING, source: "config" }, env);
      edition = resolved.edition;
      editionSource = resolved.source === "environment" ? "environment" : "default";
    } catch (e) {
      problems.push(e instanceof ConfigurationError ? e.message : String(e));
    }
  }

  if (problems.length > 0) {
    throw new PolicyConfigError(policyName, problems);
  }
  return {
    edition: edition ?? DEFAULT_EDITION,
    editionSource,
    unmanagedActiveUsers,
    ...(maxActiveUsers === undefined ? {} : { maxActiveUsers }),
    ...(url === undefined ? {} : { url }),
    ...(authUrl === undefined ? {} : { authUrl }),
  };
}

/**
 * The limit in force and how to name it in a message; `limit` is undefined when there is none.
 * `limitSetting` names the explicit limit (`maxActiveUsers`, or `--limit` for the CLI); `byEdition`
 * says the edition decided, so a caller can add where the edition came from.
 */
export function activeUserLimit(
  config: Pick<ActiveUserLimitConfig, "edition" | "editionSource" | "maxActiveUsers">,
  limitSetting = "maxActiveUsers",
): { limit: number | undefined; source: string; byEdition: boolean } {
  if (config.maxActiveUsers !== undefined) {
    return { limit: config.maxActiveUsers, source: `the configured limit (${limitSetting})`, byEdition: false };
  }
  const from = config.editionSource === "environment" ? " (from WALLAROO_EDITION)" : "";
  if (config.edition === "enterprise") {
    return { limit: undefined, source: `the enterprise licence${from}`, byEdition: true };
  }
  return { limit: COMMUNITY_ACTIVE_USER_LIMIT, source: `the community licence${from}`, byEdition: true };
}
