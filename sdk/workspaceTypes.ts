/**
 * The workspace API's public shapes and rules: its paths, the types the client returns, and the
 * SDK's rule for workspace names (checked before anything is sent, and by the provider's check).
 */
export const WORKSPACE_PATHS = {
  list: "/v1/api/workspaces/list",
  create: "/v1/api/workspaces/create",
  add_user: "/v1/api/workspaces/add_user",
  list_users: "/v1/api/workspaces/list_users",
  remove_user: "/v1/api/workspaces/remove_user",
} as const;

/** A workspace as `list` shows it. */
export interface WallarooWorkspace {
  /** An integer, unique on the instance. */
  id: number;
  /** Not necessarily unique: see {@link WallarooClient.getWorkspaceByName}. */
  name: string;
  /** As the server wrote it (ISO 8601 text). */
  createdAt: string;
  /** The creator: a user id or an email, depending on the server version. */
  createdBy: string;
  archived: boolean;
}

export type WorkspaceRole = "owner" | "collaborator";

export interface WorkspaceMember {
  /** The member's Keycloak user id. */
  userId: string;
  role: WorkspaceRole;
}

export interface CreatedWorkspace {
  id: number;
  /**
   * True when the answer to `create` was lost and a lookup found the workspace that
   * attempt had created (so nothing was created twice).
   */
  recovered?: boolean;
}

/** The Wallaroo SDK's rule for workspace names. */
export const WORKSPACE_NAME_RULE = "^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]*$";
const NAME = new RegExp(WORKSPACE_NAME_RULE);
export const WORKSPACE_NAME_MAX_LENGTH = 63;

/** Why `name` is not a valid workspace name, or undefined when it is. */
export function workspaceNameProblem(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (name.length > WORKSPACE_NAME_MAX_LENGTH)
    return `is ${name.length} characters long; the limit is ${WORKSPACE_NAME_MAX_LENGTH}`;
  if (!NAME.test(name))
    return `does not match ${WORKSPACE_NAME_RULE} (letters, digits and dashes, starting with a letter)`;
  return undefined;
}
