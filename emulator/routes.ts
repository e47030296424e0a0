/** Which handler answers a request: the user API, Keycloak's token endpoint, or the control endpoints. */
import { requireBearer, TOKEN_PATH, TokenService } from "./auth";
import { CONTROL_PREFIX, ControlContext, handleControl } from "./control";
import { apiError, HttpError, IncomingRequest, Reply } from "./http";
import { handleKeycloak, KeycloakContext, keycloakEndpoint } from "./keycloakAdmin";
import { handleUserOp, USER_OPS, UserOp, USERS_PREFIX, UsersContext } from "./users";
import { handleWorkspaceOp, WORKSPACE_OPS, WorkspaceOp, WORKSPACES_PREFIX, WorkspacesContext } from "./workspaces";

export interface RouteContext {
  users: UsersContext;
  workspaces: WorkspacesContext;
  tokens: TokenService;
  keycloak: KeycloakContext;
  /** Present only when the control endpoints are enabled. */
  control?: ControlContext;
}

export function isControlPath(ctx: RouteContext, path: string): boolean {
  return ctx.control !== undefined && path.startsWith(CONTROL_PREFIX);
}

function methodNotAllowed(method: string, path: string, allow: string): Reply {
  return apiError(405, `Method ${method} not allowed on ${path}; use ${allow}`, { allow });
}

async function route(ctx: RouteContext, req: IncomingRequest): Promise<Reply> {
  const { method, path } = req;
  if (ctx.control && isControlPath(ctx, path)) return handleControl(ctx.control, method, path, req.body);
  if (path === TOKEN_PATH) {
    if (method !== "POST") return methodNotAllowed(method, path, "POST");
    return ctx.tokens.handle(req.headers["content-type"], req.body);
  }
  if (path.startsWith(USERS_PREFIX)) {
    const op = path.slice(USERS_PREFIX.length);
    if ((USER_OPS as readonly string[]).includes(op)) {
      if (method !== "POST") return methodNotAllowed(method, path, "POST");
      requireBearer(ctx.tokens, req.headers.authorization);
      return handleUserOp(ctx.users, op as UserOp, req.body);
    }
  }
  if (path.startsWith(WORKSPACES_PREFIX)) {
    const op = path.slice(WORKSPACES_PREFIX.length);
    if ((WORKSPACE_OPS as readonly string[]).includes(op)) {
      if (method !== "POST") return methodNotAllowed(method, path, "POST");
      requireBearer(ctx.tokens, req.headers.authorization);
      const caller = ctx.tokens.userIdOf(req.headers.authorization);
      return handleWorkspaceOp(ctx.workspaces, op as WorkspaceOp, req.body, caller);
    }
  }
  const kc = keycloakEndpoint(path);
  // Served on Enterprise only, where Wallaroo puts user management (README: a choice).
  if (kc && ctx.users.store.licence().edition === "enterprise") return handleKeycloak(ctx.keycloak, req, kc);
  return apiError(404, `No such endpoint: ${method} ${path}`);
}

/** Answers every request; handler errors become their 4xx/5xx reply (anything unexpected propagates as a 500 by the server). */
export async function dispatch(ctx: RouteContext, req: IncomingRequest): Promise<Reply> {
  try {
    return await route(ctx, req);
  } catch (e) {
    if (e instanceof HttpError) return e.reply;
    throw e;
  }
}
