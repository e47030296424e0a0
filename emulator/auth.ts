/**
 * Keycloak's token endpoint (password and refresh_token grants for client
 * `sdk-client`) and the bearer-token check of the API. Tokens live in memory
 * only: a restarted emulator forgets them, as a real server forgets sessions.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { fail, json, Reply } from "./http";
import { verifyPassword } from "./passwords";
import type { UserStore } from "./store";

export const TOKEN_PATH = "/auth/realms/master/protocol/openid-connect/token";
export const CLIENT_ID = "sdk-client";

interface Session {
  userId: string;
  sessionState: string;
  expiresAt: number;
  /** The `master-realm` roles the token carries, fixed when it was minted (as a real token's claims are). */
  roles: readonly string[];
}

/** Keycloak's OAuth error shape. */
function oauthError(status: number, error: string, description?: string): Reply {
  return json(status, description === undefined ? { error } : { error, error_description: description });
}

function b64(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString("base64url");
}

export class TokenService {
  readonly #access = new Map<string, Session>();
  readonly #refresh = new Map<string, Session>();
  readonly #static: Set<string>;
  readonly #store: UserStore;
  readonly #accessTtl: number;
  readonly #refreshTtl: number;
  #lastSweep = Date.now();
  issued = 0;

  constructor(store: UserStore, opts: { tokenTtlSeconds: number; refreshTtlSeconds: number; staticTokens: string[] }) {
    this.#store = store;
    this.#accessTtl = opts.tokenTtlSeconds;
    this.#refreshTtl = opts.refreshTtlSeconds;
    this.#static = new Set(opts.staticTokens);
  }

  /** Why the Authorization header is refused, or undefined when it carries a live token. */
  check(authorization: string | undefined): string | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!m) return authorization ? "Authorization header is not a Bearer token" : "Missing Authorization: Bearer token";
    const token = m[1]!;
    if (this.#static.has(token)) return undefined;
    const s = this.#access.get(token);
    if (!s) return "Invalid bearer token";
    if (Date.now() >= s.expiresAt) {
      this.#access.delete(token);
      return "Bearer token has expired";
    }
    return undefined;
  }

  /** The user a live token belongs to (call after {@link check}); a static token acts as admin. */
  userIdOf(authorization: string | undefined): string {
    return this.#session(authorization)?.userId ?? this.#store.adminId;
  }

  /** The `master-realm` roles a live token carries (call after {@link check}); a static token has admin's. */
  rolesOf(authorization: string | undefined): readonly string[] {
    return this.#session(authorization)?.roles ?? this.#store.rolesOf(this.#store.adminId);
  }

  #session(authorization: string | undefined): Session | undefined {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1] ?? "";
    return this.#access.get(token);
  }

  /** An access token for admin, as if admin had logged in (tests, control endpoint). */
  issueAdminToken(): string {
    return this.#mint(this.#store.adminId, randomUUID()).access_token;
  }

  /**
   * Ends the session of an access token, as an admin's logout or a revoked token in Keycloak does:
   * the token and every token of its session are refused from now on. Returns whether it was live.
   */
  revoke(token: string): boolean {
    const s = this.#access.get(token);
    if (!s) return false;
    for (const m of [this.#access, this.#refresh])
      for (const [k, o] of m) if (o.sessionState === s.sessionState) m.delete(k);
    return true;
  }

  /** POST {TOKEN_PATH}: the form-encoded body of a Keycloak token request. */
  async handle(contentType: string | undefined, body: string): Promise<Reply> {
    if (contentType && !/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
      return oauthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    }
    const form = new URLSearchParams(body);
    if (form.get("client_id") !== CLIENT_ID)
      return oauthError(401, "unauthorized_client", "Invalid client or Invalid client credentials");
    const grant = form.get("grant_type");
    if (!grant) return oauthError(400, "invalid_request", "Missing form parameter: grant_type");
    if (grant === "password") return this.#password(form.get("username") ?? "", form.get("password") ?? "");
    if (grant === "refresh_token") return this.#refreshGrant(form.get("refresh_token"));
    return oauthError(400, "unsupported_grant_type", "Unsupported grant_type");
  }

  async #password(username: string, password: string): Promise<Reply> {
    const rec = username ? this.#store.forLogin(username) : undefined;
    const ok =
      rec?.user.enabled && rec.passwordHash !== undefined && (await verifyPassword(password, rec.passwordHash));
    if (!rec || !ok) return oauthError(401, "invalid_grant", "Invalid user credentials");
    return json(200, this.#mint(rec.user.id, randomUUID()));
  }

  #refreshGrant(token: string | null): Reply {
    if (!token) return oauthError(400, "invalid_request", "Missing parameter: refresh_token");
    const s = this.#refresh.get(token);
    const user = s && this.#store.byId(s.userId);
    if (!s || Date.now() >= s.expiresAt || !user?.user.enabled) {
      if (s) this.#refresh.delete(token);
      return oauthError(400, "invalid_grant", "Token is not active");
    }
    return json(200, this.#mint(s.userId, s.sessionState));
  }

  /**
   * JWT-looking (header.payload.random signature) so clients that peek at `exp` work; only the random part
   * matters. An access token carries the user's roles as Keycloak's do: `resource_access["master-realm"].roles`.
   */
  #token(userId: string, ttl: number, typ: string, roles?: readonly string[]): string {
    const now = Math.floor(Date.now() / 1000);
    const header = b64({ alg: "none", typ: "JWT" });
    const claims = { exp: now + ttl, iat: now, jti: randomUUID(), sub: userId, typ, azp: CLIENT_ID };
    const payload = b64(roles ? { ...claims, resource_access: { "master-realm": { roles } } } : claims);
    return `${header}.${payload}.${randomBytes(24).toString("base64url")}`;
  }

  #mint(userId: string, sessionState: string) {
    this.#sweep();
    const now = Date.now();
    // Read afresh at every login and refresh, as Keycloak recomputes a token's roles.
    const roles = [...this.#store.rolesOf(userId)];
    const access = this.#token(userId, this.#accessTtl, "Bearer", roles);
    const refresh = this.#token(userId, this.#refreshTtl, "Refresh");
    this.#access.set(access, { userId, sessionState, expiresAt: now + this.#accessTtl * 1000, roles });
    this.#refresh.set(refresh, { userId, sessionState, expiresAt: now + this.#refreshTtl * 1000, roles });
    this.issued++;
    return {
      access_token: access,
      expires_in: this.#accessTtl,
      refresh_expires_in: this.#refreshTtl,
      refresh_token: refresh,
      token_type: "Bearer",
      "not-before-policy": 0,
      session_state: sessionState,
      scope: "profile email",
    };
  }

  /** Drops expired tokens now and then, so long benchmark runs do not grow memory. */
  #sweep(): void {
    const now = Date.now();
    if (now - this.#lastSweep < 10_000) return;
    this.#lastSweep = now;
    for (const m of [this.#access, this.#refresh]) for (const [k, s] of m) if (now >= s.expiresAt) m.delete(k);
  }
}

/** Throws the API's 401 unless the request carries a live bearer token. */
export function requireBearer(tokens: TokenService, authorization: string | undefined): void {
  const why = tokens.check(authorization);
  if (why) fail(401, why, { "www-authenticate": "Bearer" });
}
