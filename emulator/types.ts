/** The emulator's public types: options, fault rules, stored records and statistics. */

export type Edition = "community" | "enterprise";

export interface EmulatorOptions {
  /** Interface to listen on; default "127.0.0.1". */
  host?: string;
  /** Port; default 0 = a free port. */
  port?: number;
  /** Persistence file; undefined = memory only. */
  dataFile?: string;
  /** Licence edition; default "community". */
  edition?: Edition;
  /** Overrides the edition's limit (community 5, enterprise unlimited). */
  maxActiveUsers?: number;
  /** Password of the built-in "admin" user; default "admin". */
  adminPassword?: string;
  /** Access-token lifetime in seconds; default 300. */
  tokenTtlSeconds?: number;
  /** Refresh-token lifetime in seconds; default 1800. */
  refreshTtlSeconds?: number;
  /** Extra bearer tokens that never expire (WALLAROO_TOKEN-style use). */
  staticTokens?: string[];
  /** Serve HTTPS instead of HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Expose the test-only /__emulator/ control endpoints; default true. */
  control?: boolean;
  /** Initial fault rules. */
  faults?: FaultRule[];
  /** Seed of the fault PRNG (failureRate); default fixed, so runs repeat. */
  faultSeed?: number;
  /** /users/query with an unknown id answers 404 naming it instead of omitting it. */
  unknownIdsError?: boolean;
  /** Request log (method, path, status, time; never bodies or tokens); default silent. */
  log?: (line: string) => void;
  /** Workspace `create` answers 400 for a name already taken; default false: duplicates allowed (as the SDK docs say). */
  uniqueWorkspaceNames?: boolean;
  /** Workspace `add_user` on a member answers 400 "already a member"; default false: it sets the member's role. */
  refuseExistingWorkspaceMember?: boolean;
}

export interface FaultRule {
  /**
   * Exact path, e.g. "/v1/api/users/invite", or a Keycloak admin endpoint by its template, e.g.
   * "/auth/admin/realms/master/users/{id}" (every user's path); omitted or "*" = every endpoint
   * (token endpoint included).
   */
  endpoint?: string;
  /** Only requests with this method (GET, POST, PUT); omitted = every method the endpoint serves. */
  method?: string;
  /** Answer this status instead of handling (503 when only failureRate/count/retryAfterSeconds given). */
  status?: number;
  /** 0..1 probability per matching request (deterministic PRNG). */
  failureRate?: number;
  /** Apply to the next N matching requests only, then the rule expires. */
  count?: number;
  /** Adds a Retry-After header (with status 429 or 503). */
  retryAfterSeconds?: number;
  /** Added delay before handling. */
  latencyMs?: number;
  /** Destroy the socket without any response. */
  dropConnection?: boolean;
  /** Perform the operation, then destroy the socket instead of answering. */
  performThenDrop?: boolean;
  /** Perform the operation, then answer `status` instead of its answer: a gateway's 502/504 after forwarding. */
  performThenStatus?: boolean;
  /** Answer exactly this body instead of the API's error body (with `status`): a proxy's page, a foreign JSON. */
  body?: string;
  /** The Content-Type of `body` (default application/json). */
  contentType?: string;
  /** A Location header (with a 3xx `status`): a redirect to elsewhere. */
  location?: string;
}

/** Keycloak's UserRepresentation, as /users/query answers it. */
export interface StoredUser {
  id: string;
  username: string;
  email?: string;
  emailVerified: boolean;
  enabled: boolean;
  firstName?: string;
  lastName?: string;
  /** Set for a user of Keycloak's User Federation (LDAP and the like): the provider's component id. */
  federationLink?: string;
  createdTimestamp: number;
  notBefore: number;
  requiredActions: string[];
  disableableCredentialTypes: string[];
  access: {
    manageGroupMembership: boolean;
    view: boolean;
    mapRoles: boolean;
    impersonate: boolean;
    manage: boolean;
  };
}

export interface NewUser {
  email?: string;
  username?: string;
  enabled?: boolean;
  password?: string;
  firstName?: string;
  lastName?: string;
  /** Makes a federated user (as if it came from LDAP): the federation provider's id. */
  federationLink?: string;
  /**
   * Client roles of `master-realm` that the user's access tokens carry, e.g. `["view-users"]`;
   * default none, so a seeded account with a password is refused (403) by Keycloak's admin endpoints.
   */
  roles?: string[];
}

export type WorkspaceRole = "OWNER" | "COLLABORATOR";

/** A workspace as the emulator keeps it (the data file's shape); `created_by` is the creator's user id. */
export interface StoredWorkspace {
  id: number;
  name: string;
  /** ISO 8601. */
  created_at: string;
  created_by: string;
  archived: boolean;
  members: { user_id: string; user_type: WorkspaceRole }[];
}

export interface EmulatorStats {
  /**
   * Requests received per path (control endpoints excluded); a Keycloak user's own paths are
   * counted under their template, e.g. "/auth/admin/realms/master/users/{id}".
   */
  requests: Record<string, number>;
  /** Requests per method and endpoint, e.g. "POST /auth/admin/realms/master/users", "PUT /auth/admin/realms/master/users/{id}". */
  calls: Record<string, number>;
  /** Answers per status code; "dropped" for connections destroyed by a fault. */
  byStatus: Record<string, number>;
  total: number;
  /** When counting started (ms epoch): start-up or the last reset. */
  startedAt: number;
  requestsPerSecond: number;
  /** Access tokens minted (logins, refreshes, issueToken, control). */
  tokensIssued: number;
}

export interface Licence {
  edition: Edition;
  /** null = unlimited. */
  maxActiveUsers: number | null;
}

export interface RunningEmulator {
  /** "http://127.0.0.1:PORT" (or https://); API and Keycloak paths share it. */
  url: string;
  /** Closes the server and all sockets, and flushes persistence. */
  close(): Promise<void>;
  /** Replaces the fault rules (and reseeds the PRNG when seed is given). */
  setFaults(rules: FaultRule[], seed?: number): void;
  clearFaults(): void;
  stats(): EmulatorStats;
  resetStats(): void;
  /** A snapshot of every user, Keycloak-shaped. */
  users(): StoredUser[];
  /** Mints a valid access token, as if admin had logged in. */
  issueToken(): string;
  /** Ends the session of a token (a logout, a revoked token): it is refused from now on. Returns whether it was live. */
  revokeToken(token: string): boolean;
  /** Changes the licence at run time; maxActiveUsers omitted = the edition's limit. */
  setEdition(edition: Edition, maxActiveUsers?: number): void;
  /** Seeds a user without HTTP (no licence check; duplicates throw). */
  addUser(u: NewUser): StoredUser;
  /** Deletes a user out of band, as an admin could in Keycloak (the API itself has no delete). Returns whether it existed. */
  removeUser(id: string): boolean;
  /** Changes a user's email (and username) out of band, as a user or admin could in Keycloak. */
  changeEmail(id: string, email: string): void;
  /** A snapshot of every workspace with its members. */
  workspaces(): StoredWorkspace[];
  /** Archives (or with false restores) a workspace out of band, as the UI would; throws for an unknown id. */
  archiveWorkspace(id: number, archived?: boolean): void;
  /** Removes a member (by email or user id) out of band, for drift tests; returns how many were removed (0 or 1). */
  removeWorkspaceMember(id: number, user: string): number;
}
