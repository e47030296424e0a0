/**
 * Where bearer tokens come from: a static token, or Keycloak's password grant
 * (client `sdk-client`, as the Wallaroo SDK logs in), refreshed with the
 * refresh token before expiry, and a fresh login when the refresh is refused.
 * Concurrent callers share one in-flight login or refresh.
 */
import { AuthenticationError, ServerError, BadRequestError } from "./errors";
import type { Credentials } from "./options";
import { parseBody, serverMessageOf } from "./parse";
import type { Redactor } from "./redact";
import { CLIENT_SETTING_NAMES, SettingNames } from "./settingNames";
import { userSchemas } from "./onDemand";
import type { TokenResponse } from "./schemas";
import type { Transport } from "./transport";

export const TOKEN_PATH = "/auth/realms/master/protocol/openid-connect/token";
export const CLIENT_ID = "sdk-client";

/** Who a set of credentials logs in as, as far as can be told without asking the server. */
export interface AccountIdentity {
  /** The Keycloak username (password grant), or the token's `preferred_username` claim. */
  username?: string;
  /** The Keycloak user id: the token's `sub` claim. */
  userId?: string;
}

/**
 * The identity a bearer token names, read from its JWT claims without verifying them (it is
 * only used to recognise the automation's own account in listings; the server verifies tokens).
 */
export function tokenIdentity(token: string): AccountIdentity {
  const payload = token.split(".")[1];
  if (!payload) return {};
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    return {
      username: typeof claims.preferred_username === "string" ? claims.preferred_username : undefined,
      userId: typeof claims.sub === "string" ? claims.sub : undefined,
    };
  } catch {
    return {};
  }
}

export interface TokenSource {
  /** A token valid for at least a few seconds more. */
  token(): Promise<string>;
  /** The server refused `token` (HTTP 401): forget it. Returns false when no other token can be had. */
  invalidate(token: string): boolean;
  /** How many token-endpoint requests were made, by grant. */
  readonly stats: { login: number; refresh: number };
}

export class StaticTokenSource implements TokenSource {
  readonly stats = { login: 0, refresh: 0 };
  readonly #token: string;
  constructor(token: string, redactor: Redactor) {
    this.#token = token;
    redactor.add(token);
  }
  async token(): Promise<string> {
    return this.#token;
  }
  invalidate(): boolean {
    return false;
  }
}

interface Held {
  access: string;
  expiresAt: number;
  refresh?: string;
  refreshExpiresAt: number;
  lifetimeMs: number;
}

export class PasswordGrantTokenSource implements TokenSource {
  readonly stats = { login: 0, refresh: 0 };
  readonly #transport: Transport;
  readonly #redactor: Redactor;
  readonly #url: URL;
  readonly #username: string;
  readonly #names: SettingNames;
  readonly #password: string;
  #held?: Held;
  #pending?: Promise<Held>;

  constructor(
    transport: Transport,
    authUrl: URL,
    credentials: Extract<Credentials, { kind: "password" }>,
    redactor: Redactor,
    names: SettingNames = CLIENT_SETTING_NAMES,
  ) {
    this.#names = names;
    this.#transport = transport;
    this.#redactor = redactor;
    this.#url = new URL(authUrl.pathname.replace(/\/$/, "") + TOKEN_PATH, authUrl);
    this.#username = credentials.username;
    this.#password = credentials.password;
    redactor.add(credentials.password);
  }

  async token(): Promise<string> {
    const held = this.#held;
    if (held && Date.now() < held.expiresAt - skew(held)) return held.access;
    this.#pending ??= this.#renew(held).finally(() => {
      this.#pending = undefined;
    });
    return (await this.#pending).access;
  }

  invalidate(token: string): boolean {
    if (this.#held?.access === token) {
      // Keep the refresh token: a refresh is cheaper than a login and is tried first.
      this.#held = { ...this.#held, expiresAt: 0 };
    }
    return true;
  }

  async #renew(held: Held | undefined): Promise<Held> {
    if (held?.refresh && Date.now() < held.refreshExpiresAt) {
      try {
        return this.#keep(await this.#grant({ grant_type: "refresh_token", refresh_token: held.refresh }, "refresh"));
      } catch (e) {
        // A refused refresh (expired session, server restart) is answered by a fresh login.
        if (!(e instanceof AuthenticationError || e instanceof BadRequestError)) throw e;
      }
    }
    return this.#keep(
      await this.#grant({ grant_type: "password", username: this.#username, password: this.#password }, "login"),
    );
  }

  #keep(t: TokenResponse): Held {
    // Earlier tokens stay registered (see Redactor.add): a request in flight may still carry one.
    this.#redactor.add(t.access_token);
    this.#redactor.add(t.refresh_token);
    const now = Date.now();
    this.#held = {
      access: t.access_token,
      expiresAt: now + t.expires_in * 1000,
      refresh: t.refresh_token,
      refreshExpiresAt: t.refresh_expires_in ? now + t.refresh_expires_in * 1000 : now + t.expires_in * 1000,
      lifetimeMs: t.expires_in * 1000,
    };
    return this.#held;
  }

  async #grant(form: Record<string, string>, kind: "login" | "refresh"): Promise<TokenResponse> {
    this.stats[kind]++;
    const endpoint = `POST ${TOKEN_PATH}`;
    const res = await this.#transport.send({
      url: this.#url,
      endpoint,
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ client_id: CLIENT_ID, ...form }).toString(),
    });
    if (res.status >= 200 && res.status < 300)
      return parseBody(
        userSchemas().TokenResponseSchema,
        res.text,
        endpoint,
        res.status,
        (t) => this.#redactor.redact(t),
        this.#names.authUrl,
      );
    const serverMessage = serverMessageOf(this.#redactor.redact(res.text));
    const details = { endpoint, status: res.status, serverMessage };
    if (res.status === 401 || res.status === 403) {
      throw new AuthenticationError(
        kind === "login"
          ? `Keycloak refused the login of '${this.#username}' at ${this.#url.origin}`
          : "Keycloak refused to refresh the session",
        {
          ...details,
          hint: `Check ${this.#names.username} / ${this.#names.password}, and ${this.#names.authUrl}`,
        },
      );
    }
    if (res.status >= 400 && res.status < 500) {
      throw new BadRequestError(
        kind === "login" ? "Keycloak rejected the login request" : "Keycloak rejected the refresh",
        {
          ...details,
          hint:
            res.status === 404
              ? `Check ${this.#names.authUrl}: it must be the Keycloak address (it defaults to the API endpoint's origin)`
              : undefined,
        },
      );
    }
    throw new ServerError("Keycloak failed to issue a token", details);
  }
}

/** Renew a little before expiry so a token does not die in flight: a tenth of its life, at most 30 s. */
function skew(h: Held): number {
  return Math.min(30_000, h.lifetimeMs / 10);
}
