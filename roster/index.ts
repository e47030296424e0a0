/**
 * The team roster: a YAML file of `{ email, active?, note?, workspaces? }` rows, read by the
 * `examples/team-roster` Pulumi program and written by `wallaroo-users generate --format roster`.
 *
 * The zod schemas (`RosterRowSchema`, `RosterFileSchema`) stay in ./schema, out of the public
 * declarations.
 */
export { ROW_KEYS, FILE_KEYS } from "./types";
export type { RosterEntry, RosterRowInput } from "./types";
export { parseRoster, loadRoster, RosterError, describeProblem } from "./load";
export type { RosterProblem } from "./load";
export { formatRoster, commentSafe } from "./format";
export type { FormatRosterOptions } from "./format";
export { resourceNames, resourceNameFor, baseNameFor, workspaceResourceName, memberResourceName } from "./names";
