/**
 * pulumi-wallaroo: manage the users of a Wallaroo instance with Pulumi.
 *
 * - `User`: the resource (provider/user.ts); `lookupUser`, `listUsers`: reads.
 * - `Workspace`, `WorkspaceMember`: workspaces and their members (provider/workspace.ts, member.ts).
 * - `WallarooClient` and its errors: the typed API client (sdk/).
 * The licence policy pack lives in policy/ and is run by the Pulumi CLI.
 */
export { User, USER_TYPE } from "./provider/user";
export type { UserArgs } from "./provider/user";
export { Workspace, WORKSPACE_TYPE } from "./provider/workspace";
export type { WorkspaceArgs } from "./provider/workspace";
export { WorkspaceMember, WORKSPACE_MEMBER_TYPE } from "./provider/member";
export type { WorkspaceMemberArgs } from "./provider/member";
// The client's `{ userId, role }` record, renamed here: the resource class has its name at the top level.
export type { WorkspaceMember as WorkspaceMemberRecord } from "./sdk/workspaces";
export { lookupUser, listUsers } from "./provider/lookup";
export type { LookupUserArgs } from "./provider/lookup";
export * from "./sdk";
export {
  loadRoster,
  parseRoster,
  formatRoster,
  resourceNames,
  resourceNameFor,
  workspaceResourceName,
  memberResourceName,
  RosterError,
} from "./roster";
export type { RosterEntry, RosterProblem } from "./roster";
