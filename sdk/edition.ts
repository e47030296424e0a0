/**
 * The Wallaroo edition an instance runs, one word everywhere: `wallaroo:edition` in a stack,
 * `WALLAROO_EDITION` in the environment, `--edition` of `wallaroo-users` and of the emulator,
 * `edition` in the policy pack's configuration.
 *
 * It decides two things: the licence (Community allows 5 active users, Enterprise has no limit)
 * and how users are created and changed (Community: `/v1/api/users/invite`, `/activate`,
 * `/deactivate`; Enterprise: Keycloak's admin API, where its documentation puts user management).
 */
import { ConfigurationError } from "./errors";
import { closest } from "./suggest";

export const EDITIONS = ["community", "enterprise"] as const;
export type Edition = (typeof EDITIONS)[number];

/** The edition when nobody says: Community, whose licence is the stricter one. */
export const DEFAULT_EDITION: Edition = "community";

/** Where an edition came from, so that a report can tell a fact from an assumption. */
export type EditionSource = "flag" | "config" | "environment" | "default";

export interface ResolvedEdition {
  edition: Edition;
  source: EditionSource;
}

/**
 * Parses an edition given by `setting` (e.g. `wallaroo:edition`, `--edition`); empty is unset.
 * A misspelt value is a {@link ConfigurationError} with a suggestion.
 */
export function parseEdition(value: string | undefined, setting: string): Edition | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const v = value.trim().toLowerCase();
  if ((EDITIONS as readonly string[]).includes(v)) return v as Edition;
  const guess = closest(v, EDITIONS);
  throw new ConfigurationError(
    `${setting} must be ${EDITIONS.join(" or ")}, not '${value}'${guess ? ` (did you mean '${guess}'?)` : ""}`,
    { setting },
  );
}

/**
 * The edition from an explicit setting (`explicitSource` says which kind: a flag, the stack's
 * configuration), else `WALLAROO_EDITION`, else the default: the same precedence as every other
 * setting group.
 */
export function resolveEdition(
  explicit: { value: string | undefined; setting: string; source: "flag" | "config" },
  env: NodeJS.ProcessEnv = process.env,
): ResolvedEdition {
  const given = parseEdition(explicit.value, explicit.setting);
  if (given) return { edition: given, source: explicit.source };
  const fromEnv = parseEdition(env.WALLAROO_EDITION, "WALLAROO_EDITION");
  if (fromEnv) return { edition: fromEnv, source: "environment" };
  return { edition: DEFAULT_EDITION, source: "default" };
}

/** How a report names where the edition came from: "from --edition", "assumed: nobody said". */
export function describeEditionSource(r: ResolvedEdition, setting: string): string {
  switch (r.source) {
    case "flag":
    case "config":
      return `from ${setting}`;
    case "environment":
      return "from WALLAROO_EDITION";
    case "default":
      return `assumed: neither ${setting} nor WALLAROO_EDITION is set`;
  }
}
