/** The Wallaroo user-API client: configuration, errors and the client itself. */
export { WallarooClient, API_PATHS } from "./client";
export type {
  InviteUserArgs,
  InvitedUser,
  WallarooUser,
  CreateKeycloakUserArgs,
  CreatedKeycloakUser,
  KeycloakUserPatch,
} from "./client";
export { KEYCLOAK_ADMIN_PATHS } from "./keycloakAdmin";
export type { WallarooClientOptions, Timeouts, RequestEvent } from "./options";
export type { AccountIdentity } from "./auth";
export type { RetryPolicy } from "./retry";
export { DEFAULT_RETRY } from "./retry";
export * from "./errors";
export { isValidEmail, normalizeEmail, emailProblem } from "./email";
export { CLIENT_SETTING_NAMES, STACK_SETTING_NAMES, CLI_SETTING_NAMES } from "./settingNames";
export type { SettingNames } from "./settingNames";
export { WORKSPACE_PATHS, WORKSPACE_NAME_RULE, WORKSPACE_NAME_MAX_LENGTH, workspaceNameProblem } from "./workspaces";
export type { WallarooWorkspace, WorkspaceMember, WorkspaceRole, CreatedWorkspace } from "./workspaces";
export * from "./workspaceErrors";
export { EDITIONS, DEFAULT_EDITION, parseEdition, resolveEdition, describeEditionSource } from "./edition";
export type { Edition, EditionSource, ResolvedEdition } from "./edition";
