/**
 * The team roster: a YAML file of `{ email, active?, note?, workspaces? }` rows, read by the
 * `examples/team-roster` Pulumi program and written by `wallaroo-users generate --format roster`.
 */
export {
  RosterRowSchema,
  RosterFileSchema,
  WorkspaceRolesSchema,
  ROW_KEYS,
  FILE_KEYS,
  WORKSPACE_ROLES,
} from "./schema";
export type { RosterEntry, RosterRowInput } from "./schema";
export { parseRoster, loadRoster, RosterError, describeProblem } from "./load";
export type { RosterProblem } from "./load";
export { formatRoster, commentSafe } from "./format";
export type { FormatRosterOptions } from "./format";
export { resourceNames, resourceNameFor, baseNameFor, workspaceResourceName, memberResourceName } from "./names";
