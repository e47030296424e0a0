/**
 * Keycloak's Admin REST API, the user part, in the master realm (Wallaroo Enterprise manages its
 * users there): `{authUrl}/auth/admin/realms/master/users[/count | /{id} | /{id}/reset-password]`.
 * On the same store as the MLOps API. Answers are Keycloak's: 201 with only a Location, 204 with
 * nothing, `{"errorMessage": ...}` for refused input, `{"error": ...}` for the rest (README).
 */
import type { TokenService } from "./auth";
import { HttpError, IncomingRequest, json, noBody, parseJsonObject, Reply } from "./http";
import { hashPassword } from "./passwords";
import { copyUser, StoreError, UserPatch, UserRecord, UserStore } from "./store";
import type { StoredUser } from "./types";
import { isEmail } from "./users";

export const KEYCLOAK_USERS_PATH = "/auth/admin/realms/master/users";
const COUNT = `${KEYCLOAK_USERS_PATH}/count`;
const USER = `${KEYCLOAK_USERS_PATH}/{id}`;
const RESET_PASSWORD = `${KEYCLOAK_USERS_PATH}/{id}/reset-password`;

/** Each endpoint (a user's own paths by their template) with the methods it serves. */
export const KEYCLOAK_ENDPOINTS: Readonly<Record<string, readonly string[]>> = {
  [KEYCLOAK_USERS_PATH]: ["GET", "POST"],
  [COUNT]: ["GET"],
  [USER]: ["GET", "PUT"],
  [RESET_PASSWORD]: ["PUT"],
};

/** Keycloak's default page size for `GET /users` without `max` (Constants.DEFAULT_MAX_RESULTS). */
const DEFAULT_MAX = 100;

export interface KeycloakContext {
  store: UserStore;
  tokens: TokenService;
  /** Resolves once the store is on disk (at once when memory-only): mutations answer only after it. */
  persist: () => Promise<void>;
}

/** The endpoint a path belongs to (`count` before `{id}`, as Keycloak routes it), with the user id in it. */
export function keycloakEndpoint(path: string): { endpoint: string; id?: string } | undefined {
  if (path === KEYCLOAK_USERS_PATH || path === COUNT) return { endpoint: path };
  if (!path.startsWith(`${KEYCLOAK_USERS_PATH}/`)) return undefined;
  const [id, action, ...more] = path.slice(KEYCLOAK_USERS_PATH.length + 1).split("/");
  if (!id || more.length > 0) return undefined;
  if (action === undefined) return { endpoint: USER, id: decoded(id) };
  return action === "reset-password" ? { endpoint: RESET_PASSWORD, id: decoded(id) } : undefined;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// ---- Keycloak's answers ----

/** What Keycloak's error handler writes for an exception: `{"error": <its message>}`. */
function error(status: number, message: string, headers?: Record<string, string>): HttpError {
  return new HttpError(json(status, { error: message }, headers));
}

/** What Keycloak's ErrorResponse writes for refused input or a conflict: `{"errorMessage": ...}`. */
function refused(status: number, errorMessage: string, extra: Record<string, unknown> = {}): HttpError {
  return new HttpError(json(status, { ...extra, errorMessage }));
}

const forbidden = () => error(403, "HTTP 403 Forbidden");

/** The roles Keycloak's admin API checks for users (UserPermissions: manage implies view implies query). */
const access = (roles: readonly string[]) => {
  const manage = roles.includes("manage-users");
  const view = manage || roles.includes("view-users");
  return { manage, view, query: view || roles.includes("query-users") };
};
type Access = ReturnType<typeof access>;

async function saved(ctx: KeycloakContext): Promise<void> {
  try {
    await ctx.persist();
  } catch (e) {
    throw error(500, `The change was made but could not be saved: ${(e as Error).message}`);
  }
}

/** Keycloak resolves `/users/{id}` first: an unknown id is 404 for whoever may query users, 403 for others (no id phishing). */
function resolve(ctx: KeycloakContext, can: Access, id: string): UserRecord {
  const rec = ctx.store.byId(id);
  if (rec) return rec;
  throw can.query ? error(404, "User not found") : forbidden();
}

// ---- request bodies ----

/** The body as a JSON object; anything else is what Keycloak's JSON binding refuses (400). */
function objectBody(text: string): Record<string, unknown> {
  try {
    return parseJsonObject(text);
  } catch (e) {
    if (e instanceof HttpError) throw error(400, e.message);
    throw e;
  }
}

function optional<T>(body: Record<string, unknown>, key: string, type: "string" | "boolean"): T | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type) throw error(400, `Field ${key} must be a ${type}`);
  return v as T;
}

function strings(body: Record<string, unknown>, key: string): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string"))
    throw error(400, `Field ${key} must be an array of strings`);
  return v;
}

/** Keycloak's user-profile answer for a malformed email. */
function checkEmail(email: string | undefined): void {
  if (email !== undefined && email !== "" && !isEmail(email.trim()))
    throw refused(400, "invalidEmailMessage", { field: "email", params: ["email", email] });
}

/** The password of `credentials` (Keycloak takes them in order: the last one stands). */
function passwordOf(body: Record<string, unknown>): { value: string; temporary: boolean } | undefined {
  const creds = body.credentials;
  if (creds === undefined || creds === null) return undefined;
  if (!Array.isArray(creds)) throw error(400, "Field credentials must be an array");
  let password: { value: string; temporary: boolean } | undefined;
  for (const c of creds as unknown[]) password = credential(c);
  return password;
}

function credential(c: unknown): { value: string; temporary: boolean } {
  if (typeof c !== "object" || c === null || Array.isArray(c)) throw error(400, "A credential must be an object");
  const cred = c as Record<string, unknown>;
  const type = optional<string>(cred, "type", "string") ?? "password";
  if (type !== "password") throw error(400, `Unsupported credential type: ${type} (the emulator keeps passwords only)`);
  const value = optional<string>(cred, "value", "string");
  if (value === undefined) throw error(400, "No password provided");
  if (value === "") throw error(400, "Empty password");
  return { value, temporary: optional<boolean>(cred, "temporary", "boolean") ?? false };
}

// ---- the endpoints ----

/** POST /users: 201 with `Location: <base>/users/<id>` and no body. */
async function createUser(ctx: KeycloakContext, req: IncomingRequest, can: Access): Promise<Reply> {
  if (!can.manage) throw forbidden();
  const body = objectBody(req.body);
  const username = optional<string>(body, "username", "string")?.trim().toLowerCase();
  if (!username) throw refused(400, "User name is missing");
  const email = optional<string>(body, "email", "string")?.trim();
  checkEmail(email);
  const firstName = optional<string>(body, "firstName", "string");
  const lastName = optional<string>(body, "lastName", "string");
  const fields = {
    // Keycloak creates a user disabled unless told otherwise.
    enabled: optional<boolean>(body, "enabled", "boolean") ?? false,
    emailVerified: optional<boolean>(body, "emailVerified", "boolean"),
    requiredActions: strings(body, "requiredActions"),
  };
  const password = passwordOf(body);
  // Hashed before the synchronous check-and-insert, so concurrent creations cannot both pass the checks.
  const passwordHash = password && (await hashPassword(password.value));
  // Keycloak checks the username first, then the email.
  if (ctx.store.byUsername(username)) throw refused(409, "User exists with same username");
  if (email && ctx.store.byEmail(email)) throw refused(409, "User exists with same email");
  const user = ctx.store.create(
    {
      username,
      ...(email ? { email } : {}),
      ...(firstName ? { firstName } : {}),
      ...(lastName ? { lastName } : {}),
      ...fields,
      passwordHash,
      temporaryPassword: password?.temporary,
    },
    false, // Keycloak knows no licence
  );
  await saved(ctx);
  return noBody(201, { location: `${req.origin}${KEYCLOAK_USERS_PATH}/${encodeURIComponent(user.id)}` });
}

/** PUT /users/{id}: a partial representation; 204. */
async function updateUser(ctx: KeycloakContext, req: IncomingRequest, can: Access, id: string): Promise<Reply> {
  resolve(ctx, can, id);
  if (!can.manage) throw forbidden();
  const body = objectBody(req.body);
  const patch: UserPatch = {
    enabled: optional<boolean>(body, "enabled", "boolean"),
    firstName: optional<string>(body, "firstName", "string"),
    lastName: optional<string>(body, "lastName", "string"),
    email: optional<string>(body, "email", "string")?.trim(),
    emailVerified: optional<boolean>(body, "emailVerified", "boolean"),
    requiredActions: strings(body, "requiredActions"),
  };
  checkEmail(patch.email);
  let changed: boolean;
  try {
    changed = ctx.store.update(id, patch);
  } catch (e) {
    if (e instanceof StoreError && e.kind === "exists") throw refused(409, e.message);
    throw e;
  }
  if (changed) await saved(ctx);
  return noBody(204);
}

/** PUT /users/{id}/reset-password: `{"type": "password", "value", "temporary"}`; 204. */
async function resetPassword(ctx: KeycloakContext, req: IncomingRequest, can: Access, id: string): Promise<Reply> {
  resolve(ctx, can, id);
  if (!can.manage) throw forbidden();
  const { value, temporary } = credential(objectBody(req.body));
  ctx.store.resetPassword(id, await hashPassword(value), temporary);
  await saved(ctx);
  return noBody(204);
}

/** The users `GET /users` or `/users/count` select, before paging (README: how each parameter matches). */
function select(store: UserStore, q: URLSearchParams, exactAllowed: boolean): StoredUser[] {
  const yes = (k: string) => q.get(k)?.toLowerCase() === "true";
  const flag = (k: string) => (q.has(k) ? yes(k) : undefined);
  const enabled = flag("enabled");
  const emailVerified = flag("emailVerified");
  const keep = (u: StoredUser) =>
    (enabled === undefined || u.enabled === enabled) &&
    (emailVerified === undefined || u.emailVerified === emailVerified);
  const search = q.get("search");
  if (search !== null) {
    const s = search.trim();
    if (s.startsWith("id:")) {
      const u = store.byId(s.slice(3).trim())?.user;
      return u && keep(u) ? [u] : [];
    }
    const terms = s.split(/\s+/).map(searchTerm);
    return users(store).filter((u) => keep(u) && terms.every((t) => t(u)));
  }
  const exact = exactAllowed && yes("exact");
  const wanted = (["username", "email", "firstName", "lastName"] as const).flatMap((k) => {
    const v = q.get(k);
    return v === null ? [] : [[k, v.toLowerCase()] as const];
  });
  const matches = (u: StoredUser) =>
    wanted.every(([k, v]) => {
      const have = u[k]?.toLowerCase();
      return have !== undefined && (exact ? have === v : have.includes(v));
    });
  // An exact email or username names at most one user: its index answers without a scan of 10,000.
  const email = exact ? q.get("email") : null;
  const username = exact ? q.get("username") : null;
  const pool =
    email !== null
      ? [store.byEmail(email)?.user]
      : username !== null
        ? [store.byUsername(username)?.user]
        : users(store);
  return pool.filter((u): u is StoredUser => u !== undefined && keep(u) && matches(u));
}

function users(store: UserStore): StoredUser[] {
  return [...store.records()].map((r) => r.user);
}

/**
 * One word of `search`, as Keycloak's JPA store matches it against username, email, first and last
 * name, case-insensitively: `"x"` exactly, `*` a wildcard, and otherwise a prefix.
 */
function searchTerm(term: string): (u: StoredUser) => boolean {
  const t = term.toLowerCase();
  let test: (v: string) => boolean;
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    const x = t.slice(1, -1);
    test = (v) => v === x;
  } else {
    const pattern = t
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    const re = new RegExp(`^${pattern}${t.endsWith("*") ? "" : ".*"}$`, "s");
    test = (v) => re.test(v);
  }
  return (u) => [u.username, u.email, u.firstName, u.lastName].some((v) => v !== undefined && test(v.toLowerCase()));
}

function integer(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw error(400, `Query parameter ${key} must be an integer, not '${v}'`);
  return Number(v);
}

/** GET /users: a JSON array in username order, `first`/`max` paged, at most 100 without `max` (-1: no limit). */
function listUsers(ctx: KeycloakContext, req: IncomingRequest, can: Access): Reply {
  if (!can.query) throw forbidden();
  const first = Math.max(integer(req.query, "first") ?? 0, 0);
  const max = integer(req.query, "max") ?? DEFAULT_MAX;
  // Query alone lets an account search, not see: without fine-grained permissions it sees no one.
  const found = can.view ? select(ctx.store, req.query, true) : [];
  found.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  const page = found.slice(first, max < 0 ? undefined : first + max);
  return json(200, page.map(copyUser));
}

/** GET /users/count: a bare number; the same filters, but Keycloak's count takes no `exact` (its filters are substrings). */
function countUsers(ctx: KeycloakContext, req: IncomingRequest, can: Access): Reply {
  if (!can.query) throw forbidden();
  return json(200, can.view ? select(ctx.store, req.query, false).length : 0);
}

function getUser(ctx: KeycloakContext, can: Access, id: string): Reply {
  const rec = resolve(ctx, can, id);
  if (!can.view) throw forbidden();
  return json(200, copyUser(rec.user));
}

/** Answers a request for one of {@link KEYCLOAK_ENDPOINTS}. */
export async function handleKeycloak(
  ctx: KeycloakContext,
  req: IncomingRequest,
  at: { endpoint: string; id?: string },
): Promise<Reply> {
  if (ctx.tokens.check(req.headers.authorization))
    throw error(401, "HTTP 401 Unauthorized", { "www-authenticate": 'Bearer realm="master"' });
  const allowed = KEYCLOAK_ENDPOINTS[at.endpoint] ?? [];
  if (!allowed.includes(req.method)) throw error(405, "HTTP 405 Method Not Allowed", { allow: allowed.join(", ") });
  const can = access(ctx.tokens.rolesOf(req.headers.authorization));
  const id = at.id ?? "";
  switch (`${req.method} ${at.endpoint}`) {
    case `POST ${KEYCLOAK_USERS_PATH}`:
      return createUser(ctx, req, can);
    case `GET ${KEYCLOAK_USERS_PATH}`:
      return listUsers(ctx, req, can);
    case `GET ${COUNT}`:
      return countUsers(ctx, req, can);
    case `GET ${USER}`:
      return getUser(ctx, can, id);
    case `PUT ${USER}`:
      return updateUser(ctx, req, can, id);
    case `PUT ${RESET_PASSWORD}`:
      return resetPassword(ctx, req, can, id);
    default:
      throw new Error(`${req.method} ${at.endpoint} is listed in KEYCLOAK_ENDPOINTS but has no handler`);
  }
}
