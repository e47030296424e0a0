/**
 * A local Wallaroo-compatible server for tests, demos and benchmarks: the user
 * API (/v1/api/users/*), the workspace API (/v1/api/workspaces/*), Keycloak's token endpoint and, on
 * Enterprise, its admin user endpoints, licence rules, persistence and fault injection, over real HTTP(S).
 */
export { startEmulator } from "./server";
export { validateFaultRule, validateFaultRules } from "./faults";
export { TOKEN_PATH, CLIENT_ID } from "./auth";
export { KEYCLOAK_USERS_PATH, KEYCLOAK_ENDPOINTS } from "./keycloakAdmin";
export type {
  EmulatorOptions,
  FaultRule,
  RunningEmulator,
  StoredUser,
  EmulatorStats,
  Edition,
  Licence,
  NewUser,
  StoredWorkspace,
  WorkspaceRole,
} from "./types";
export { WORKSPACE_NAME_RULE, workspaceNameProblem } from "./workspaces";
