/**
 * The team roster: a YAML file of `{ email, active?, note? }` rows, read by the
 * `examples/team-roster` Pulumi program and written by `wallaroo-users generate --format roster`.
 */
export { RosterRowSchema, RosterFileSchema, ROW_KEYS, FILE_KEYS } from "./schema";
export type { RosterEntry, RosterRowInput } from "./schema";
export { parseRoster, loadRoster, RosterError, describeProblem } from "./load";
export type { RosterProblem } from "./load";
export { formatRoster, commentSafe } from "./format";
export type { FormatRosterOptions } from "./format";
export { resourceNames, resourceNameFor, baseNameFor } from "./names";
