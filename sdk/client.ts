/**
 * WallarooClient: the typed client of the Wallaroo user API.
 *
 * Every response is validated by a zod schema (schemas.ts); every failure is a
 * {@link WallarooError} naming the endpoint, the status and the server's words;
 * no message ever contains a token or a password.
 */
import { PasswordGrantTokenSource, StaticTokenSource, TokenSource } from "./auth";
import { Batcher } from "./batcher";
import { normalizeEmail } from "./email";
import {
  AlreadyExistsError,
  AuthenticationError,
  BadRequestError,
  LicenceLimitError,
  NotFoundError,
  ServerError,
  WallarooError,
} from "./errors";
import { resolveOptions, ResolvedOptions, WallarooClientOptions } from "./options";
import { parseBody, serverMessageOf } from "./parse";
import { Redactor } from "./redact";
import { EmptyResponseSchema, InviteResponseSchema, QueryUsersResponseSchema } from "./schemas";
import type { WallarooUser } from "./types";
import { HttpResponse, Transport } from "./transport";
import type { z } from "zod";

export type { WallarooUser } from "./types";

export const API_PATHS = {
  query: "/v1/api/users/query",
  invite: "/v1/api/users/invite",
  activate: "/v1/api/users/activate",
  deactivate: "/v1/api/users/deactivate",
} as const;
type ApiName = keyof typeof API_PATHS;

export interface InviteUserArgs {
  email: string;
  /** The initial password; when absent the server generates a temporary one. */
  password?: string;
}

export interface InvitedUser {
  /** The new user's Keycloak id. */
  id: string;
  /** The initial password: the given one, or the temporary one the server generated. Empty when it was lost (see `recovered`). */
  password: string;
  /**
   * True when the invite's answer was lost (a dropped connection) and a retry found
   * the user this invite had created. A generated password cannot be recovered then.
   */
  recovered?: boolean;
}

/** How far an existing user's creation may precede our first invite attempt and still be ours (clock skew). */
const OWN_INVITE_SKEW_MS = 120_000;
/** Ids per `/users/query` call. */
const QUERY_BATCH = 100;

export class WallarooClient {
  readonly #opts: ResolvedOptions;
  readonly #redactor = new Redactor();
  readonly #redact = (text: string): string => this.#redactor.redact(text);
  readonly #transport: Transport;
  readonly #tokens: TokenSource;
  readonly #byId: Batcher<string, WallarooUser>;
  readonly #byEmail: Batcher<string, WallarooUser>;

  /** Options override the environment (`WALLAROO_URL`, `WALLAROO_TOKEN`, ...); see {@link WallarooClientOptions}. */
  constructor(options: WallarooClientOptions = {}) {
    this.#opts = resolveOptions(options);
    this.#transport = new Transport({ ...this.#opts, redactor: this.#redactor });
    const c = this.#opts.credentials;
    this.#tokens =
      c.kind === "token"
        ? new StaticTokenSource(c.token, this.#redactor)
        : new PasswordGrantTokenSource(this.#transport, this.#opts.authUrl, c, this.#redactor);
    this.#byId = new Batcher((ids) => this.#fetchByIds(ids), {
      windowMs: this.#opts.batchWindowMs,
      maxBatch: QUERY_BATCH,
    });
    this.#byEmail = new Batcher((emails) => this.#fetchByEmails(emails), {
      windowMs: this.#opts.batchWindowMs,
      maxBatch: 1000,
    });
  }

  /** The API endpoint this client talks to (no credentials in it). */
  get url(): string {
    return this.#opts.url.href;
  }

  /** Token-endpoint requests so far: one login, then refreshes; for tests and benchmarks. */
  get tokenStats(): { login: number; refresh: number } {
    return { ...this.#tokens.stats };
  }

  /** Every user of the instance (POST /v1/api/users/query with `{}`). */
  async listUsers(): Promise<WallarooUser[]> {
    const body = await this.#call("query", {}, QueryUsersResponseSchema);
    return Object.values(body.users);
  }

  /** The users with these Keycloak ids; unknown ids are absent from the result. */
  async getUsers(ids: string[]): Promise<WallarooUser[]> {
    const unique = [...new Set(ids)];
    const found: WallarooUser[] = [];
    for (let i = 0; i < unique.length; i += QUERY_BATCH) {
      found.push(...(await this.#queryIds(unique.slice(i, i + QUERY_BATCH))));
    }
    return found;
  }

  /**
   * One user by id, or null. Concurrent calls are coalesced into one
   * `/users/query` with many `user_ids` (the provider's refresh relies on it).
   */
  async getUser(id: string): Promise<WallarooUser | null> {
    return (await this.#byId.load(id)) ?? null;
  }

  /** The user with this email (case-insensitive), or null. The API has no email filter: this lists and filters, coalescing concurrent lookups. */
  async getUserByEmail(email: string): Promise<WallarooUser | null> {
    return (await this.#byEmail.load(normalizeEmail(email))) ?? null;
  }

  /**
   * Invites a user (POST /v1/api/users/invite). If the answer is lost and a retry
   * is told the email exists, the user this invite created is returned instead
   * of an error; a user that existed before is an {@link AlreadyExistsError}.
   */
  async inviteUser(args: InviteUserArgs): Promise<InvitedUser> {
    const email = normalizeEmail(args.email);
    this.#redactor.add(args.password);
    const startedAt = Date.now();
    const request = args.password === undefined ? { email } : { email, password: args.password };
    let res: HttpResponse;
    try {
      res = await this.#exchange("invite", request);
    } catch (e) {
      // A dropped connection after the server performed the invite: the retries above ran out on
      // network errors. Look once before giving up, so that a performed invite is not reported as failed.
      const existing = await this.#ownInvite(email, startedAt).catch(() => null);
      if (existing) return { id: existing.id, password: args.password ?? "", recovered: true };
      throw e;
    }
    if (res.status >= 200 && res.status < 300) {
      const body = parseBody(InviteResponseSchema, res.text, `POST ${API_PATHS.invite}`, res.status, this.#redact);
      this.#redactor.add(body.password);
      // The reference's table describes `id` as the email; the servers we know answer the Keycloak id.
      const id = body.id.includes("@") ? ((await this.getUserByEmail(email))?.id ?? body.id) : body.id;
      return { id, password: body.password };
    }
    const error = this.#errorFor("invite", res, email);
    if (
      error instanceof AlreadyExistsError ||
      (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403)
    ) {
      // The lookup only adds detail (and spots our own lost invite); if it fails, the server's own error stands.
      const existing = await this.getUserByEmail(email).catch(() => null);
      if (existing) {
        if (res.attempts > 1 && existing.enabled && existing.createdTimestamp >= startedAt - OWN_INVITE_SKEW_MS) {
          return { id: existing.id, password: args.password ?? "", recovered: true };
        }
        const created =
          Math.abs(existing.createdTimestamp) <= 8.64e15
            ? `, created ${new Date(existing.createdTimestamp).toISOString()}`
            : "";
        throw new AlreadyExistsError(
          `A Wallaroo user with email '${email}' already exists (id ${existing.id}${created})`,
          {
            endpoint: error.endpoint,
            status: error.status,
            serverMessage: error.serverMessage,
            email,
            existingUserId: existing.id,
            hint:
              "Set adoptExisting: true on the wallaroo.User to manage that user, or choose another email. " +
              "If an interrupted pulumi up invited it without recording it, adoptExisting: true is also the recovery (Pulumi's import does not work for dynamic resources)",
          },
        );
      }
    }
    throw error;
  }

  /** Activates the user with this email (POST /v1/api/users/activate). Counts against the licence. */
  async activateUser(email: string): Promise<void> {
    const e = normalizeEmail(email);
    await this.#call("activate", { email: e }, EmptyResponseSchema, e);
  }

  /** Deactivates the user with this email (POST /v1/api/users/deactivate). Frees a licence seat. */
  async deactivateUser(email: string): Promise<void> {
    const e = normalizeEmail(email);
    await this.#call("deactivate", { email: e }, EmptyResponseSchema, e);
  }

  /** Closes the connection pools. */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  // ---- internals ----

  async #fetchByIds(ids: string[]): Promise<Map<string, WallarooUser>> {
    return new Map((await this.#queryIds(ids)).map((u) => [u.id, u]));
  }

  async #fetchByEmails(emails: string[]): Promise<Map<string, WallarooUser>> {
    const wanted = new Set(emails);
    const found = new Map<string, WallarooUser>();
    for (const u of await this.listUsers()) {
      const e = u.email ? normalizeEmail(u.email) : undefined;
      if (e && wanted.has(e)) found.set(e, u);
    }
    return found;
  }

  /**
   * Queries ids; a server that answers an error for unknown ids (instead of
   * omitting them) is handled by splitting the batch until the unknown ones are isolated.
   */
  async #queryIds(ids: string[]): Promise<WallarooUser[]> {
    if (ids.length === 0) return [];
    const res = await this.#exchange("query", { user_ids: ids });
    if (res.status >= 200 && res.status < 300) {
      return Object.values(
        parseBody(QueryUsersResponseSchema, res.text, `POST ${API_PATHS.query}`, res.status, this.#redact).users,
      );
    }
    const error = this.#errorFor("query", res);
    const mayMeanUnknownId =
      error instanceof NotFoundError ||
      error instanceof BadRequestError ||
      (res.status === 500 && /not.?found|does not exist|unknown/i.test(error.serverMessage ?? ""));
    if (!mayMeanUnknownId) throw error;
    if (ids.length === 1) return [];
    const mid = Math.ceil(ids.length / 2);
    return [...(await this.#queryIds(ids.slice(0, mid))), ...(await this.#queryIds(ids.slice(mid)))];
  }

  /** A user we just created, found by email after a lost answer. */
  async #ownInvite(email: string, startedAt: number): Promise<WallarooUser | null> {
    const u = await this.getUserByEmail(email);
    return u && u.enabled && u.createdTimestamp >= startedAt - OWN_INVITE_SKEW_MS ? u : null;
  }

  /** An authenticated exchange; on 401 the token is renewed once and the request repeated. */
  async #exchange(api: ApiName, body: unknown): Promise<HttpResponse> {
    const url = new URL(this.#opts.url.pathname.replace(/\/$/, "") + API_PATHS[api], this.#opts.url);
    const payload = JSON.stringify(body);
    // The token is taken afresh for every attempt (a retry may come after the last one expired); `used` is the last one sent.
    let used = "";
    const send = async () =>
      this.#transport.send({
        url,
        endpoint: `POST ${API_PATHS[api]}`,
        headers: { "content-type": "application/json", accept: "application/json" },
        body: payload,
        authorization: async () => `Bearer ${(used = await this.#tokens.token())}`,
      });
    const res = await send();
    if (res.status !== 401 || !this.#tokens.invalidate(used)) return res;
    const again = await send();
    return { ...again, attempts: again.attempts + res.attempts };
  }

  async #call<S extends z.ZodType>(api: ApiName, body: unknown, schema: S, email?: string): Promise<z.output<S>> {
    const res = await this.#exchange(api, body);
    if (res.status >= 200 && res.status < 300)
      return parseBody(schema, res.text, `POST ${API_PATHS[api]}`, res.status, this.#redact);
    throw this.#errorFor(api, res, email);
  }

  /** Maps a non-2xx answer to the error class a caller can act on. */
  #errorFor(api: ApiName, res: HttpResponse, email?: string): WallarooError {
    const endpoint = `POST ${API_PATHS[api]}`;
    const serverMessage = this.#redactor.redact(serverMessageOf(res.text));
    const d = { endpoint, status: res.status, serverMessage };
    const who = email ? ` '${email}'` : "";
    const s = res.status;
    if (s === 401) {
      return new AuthenticationError("The Wallaroo API refused the credentials", {
        ...d,
        hint:
          this.#opts.credentials.kind === "token"
            ? "The token is invalid or expired: set a fresh wallaroo:token / WALLAROO_TOKEN, or use wallaroo:username and wallaroo:password so the session can be renewed"
            : "Check wallaroo:username / wallaroo:password and that the account may manage users",
      });
    }
    if (s === 403) {
      const verb = api === "invite" ? "invite" : api === "activate" ? "activate" : api;
      return new LicenceLimitError(`Cannot ${verb}${who}: the Wallaroo licence's active-user limit is reached`, {
        ...d,
        hint: "Deactivate a user (active: false) to free a seat, or raise the licence; if the instance is not full, check that the account may manage users",
      });
    }
    if (s === 409 || (api === "invite" && /already exists|exists with same/i.test(serverMessage))) {
      return new AlreadyExistsError(`A Wallaroo user with email${who} already exists`, { ...d, email: email ?? "" });
    }
    if (s === 404 || (s < 500 && /not.?found|no user/i.test(serverMessage))) {
      return new NotFoundError(email ? `No Wallaroo user has the email${who}` : "Not found", {
        ...d,
        hint:
          s === 404 && !/user/i.test(serverMessage)
            ? "Check that wallaroo:url is the Wallaroo API endpoint"
            : undefined,
      });
    }
    if (s === 429) {
      return new ServerError(`The Wallaroo API is limiting the request rate${who ? ` (for${who})` : ""}`, {
        ...d,
        hint: "The server kept answering 429 beyond the retry budget, or asked to wait longer than it allows; run again later or with less parallelism (pulumi up --parallel)",
      });
    }
    if (s >= 400 && s < 500)
      return new BadRequestError(`The Wallaroo API rejected the request${who ? ` for${who}` : ""}`, d);
    const retried = res.attempts > 1 ? ` after ${res.attempts} attempts` : "";
    return new ServerError(`The Wallaroo API failed${who ? ` for${who}` : ""}${retried}`, {
      ...d,
      hint: "The server is unhealthy or overloaded; try again later",
    });
  }
}
