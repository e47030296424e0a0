/**
 * WallarooClient: the typed client of the Wallaroo user API.
 *
 * Every response is validated by a zod schema (schemas.ts); every failure is a
 * {@link WallarooError} naming the endpoint, the status and the server's words;
 * no message ever contains a token or a password.
 */
import {
  AccountIdentity,
  PasswordGrantTokenSource,
  StaticTokenSource,
  TOKEN_PATH,
  tokenIdentity,
  TokenSource,
} from "./auth";
import { Batcher } from "./batcher";
import { ApiExchange } from "./exchange";
import type { Edition } from "./edition";
import { normalizeEmail } from "./email";
import { AlreadyExistsError, NetworkError, UserWithoutEmailError, WallarooError } from "./errors";
import { resolveOptions, ResolvedOptions, WallarooClientOptions } from "./options";
import { createdNote, isOwnCreation } from "./ownCreation";
import { parseBody } from "./parse";
import { Redactor } from "./redact";
import { userSchemas } from "./onDemand";
import { errorForAnswer } from "./statusErrors";
import type { WallarooUser } from "./types";
import { HttpResponse, Transport } from "./transport";
import {
  CreatedKeycloakUser,
  CreateKeycloakUserArgs,
  KEYCLOAK_ADMIN_PATHS,
  KeycloakAdminApi,
  KeycloakUserPatch,
} from "./keycloakAdmin";
import { DEFAULT_RETRY } from "./retry";
import { CreatedWorkspace, WallarooWorkspace, WorkspaceApi, WorkspaceMember, WorkspaceRole } from "./workspaces";
import type { z } from "zod";

export type { WallarooUser } from "./types";
export type { CreatedKeycloakUser, CreateKeycloakUserArgs, KeycloakUserPatch } from "./keycloakAdmin";

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

/** Ids per `/users/query` call. */
const QUERY_BATCH = 100;

export class WallarooClient {
  readonly #opts: ResolvedOptions;
  readonly #redactor = new Redactor();
  readonly #redact = (text: string): string => this.#redactor.redact(text);
  readonly #transport: Transport;
  readonly #tokens: TokenSource;
  readonly #api: ApiExchange;
  readonly #byId: Batcher<string, WallarooUser>;
  readonly #byEmail: Batcher<string, WallarooUser>;
  /** The latest listing made for email lookups, by normalized email, and when its request began. */
  #listing?: { at: number; byEmail: Map<string, WallarooUser> };
  readonly #workspaces: WorkspaceApi;
  readonly #keycloak: KeycloakAdminApi;

  /** Options override the environment (`WALLAROO_URL`, `WALLAROO_TOKEN`, ...); see {@link WallarooClientOptions}. */
  constructor(options: WallarooClientOptions = {}) {
    this.#opts = resolveOptions(options);
    const names = this.#opts.names;
    this.#transport = new Transport({
      ...this.#opts,
      redactor: this.#redactor,
      // Keycloak's address is the authUrl setting only when one was given; otherwise url chose it too.
      settingFor: (u) =>
        (u.pathname.endsWith(TOKEN_PATH) || u.pathname.includes(KEYCLOAK_ADMIN_PATHS.users)) &&
        this.#opts.authUrlExplicit
          ? names.authUrl
          : names.url,
    });
    const c = this.#opts.credentials;
    this.#tokens =
      c.kind === "token"
        ? new StaticTokenSource(c.token, this.#redactor)
        : new PasswordGrantTokenSource(this.#transport, this.#opts.authUrl, c, this.#redactor, names);
    this.#api = new ApiExchange(this.#opts.url, this.#transport, this.#tokens);
    const batching = {
      windowMs: this.#opts.batchWindowMs,
      idleMs: this.#opts.batchIdleMs,
    };
    this.#byId = new Batcher((ids) => this.#fetchByIds(ids), { ...batching, maxBatch: QUERY_BATCH });
    this.#byEmail = new Batcher((emails) => this.#fetchByEmails(emails), { ...batching, maxBatch: 1000 });
    this.#workspaces = new WorkspaceApi({
      api: this.#api,
      redact: this.#redact,
      retry: { ...DEFAULT_RETRY, ...this.#opts.retry },
      answerContext: { staticToken: c.kind === "token", names: this.#opts.names },
      findUserByEmail: (email) => this.getUserByEmail(email),
    });
    this.#keycloak = new KeycloakAdminApi({
      exchange: new ApiExchange(this.#opts.authUrl, this.#transport, this.#tokens),
      redactor: this.#redactor,
      names,
      staticToken: c.kind === "token",
      account: () => this.account.username,
    });
  }

  /** The edition of the instance, as configured (`edition` option, `WALLAROO_EDITION`, else community). */
  get edition(): Edition {
    return this.#opts.edition.edition;
  }

  /** The API endpoint this client talks to (no credentials in it). */
  get url(): string {
    return this.#opts.url.href;
  }

  /**
   * The account this client logs in as: the username of the password grant, or what a token's
   * claims say. Lets tools leave the automation's own account out of what they manage.
   */
  get account(): AccountIdentity {
    const c = this.#opts.credentials;
    return c.kind === "password" ? { username: c.username } : tokenIdentity(c.token);
  }

  /** Token-endpoint requests so far: one login, then refreshes; for tests and benchmarks. */
  get tokenStats(): { login: number; refresh: number } {
    return { ...this.#tokens.stats };
  }

  /** Every user of the instance (POST /v1/api/users/query with `{}`). */
  async listUsers(): Promise<WallarooUser[]> {
    const body = await this.#call("query", {}, userSchemas().QueryUsersResponseSchema, "list the users");
    return present(body.users);
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
   * One user by id, or null when a well-formed answer of the API says there is none; any other
   * answer is an error. Concurrent calls are coalesced into one `/users/query` with many
   * `user_ids` (the provider's refresh relies on it).
   */
  async getUser(id: string): Promise<WallarooUser | null> {
    return (await this.#byId.load(id)) ?? null;
  }

  /**
   * The user with this email (case-insensitive), or null. The API has no email filter: this lists
   * every user and filters, coalescing concurrent lookups into one listing.
   *
   * With `maxAgeMs`, an email found in a listing this client received less than that long ago is
   * answered from it, with no request; one that listing does not hold is always asked of the server
   * (a user invited since then exists). For callers that only need the id to address a user they
   * then check by id: a listing of 1,000 users costs a provider host about 4 ms to parse and check.
   */
  async getUserByEmail(email: string, options: { maxAgeMs?: number } = {}): Promise<WallarooUser | null> {
    const e = normalizeEmail(email);
    const recent = this.#listing;
    if (options.maxAgeMs !== undefined && recent && performance.now() - recent.at < options.maxAgeMs) {
      const known = recent.byEmail.get(e);
      if (known) return known;
    }
    return (await this.#byEmail.load(e)) ?? null;
  }

  /**
   * Invites a user (POST /v1/api/users/invite). If an attempt's outcome was unknown (the
   * connection dropped after the request went out, a timeout, a gateway's 502/504) and a later
   * one is told the email exists, the user that attempt created is returned instead of an error.
   * Otherwise an existing email is an {@link AlreadyExistsError} naming the existing user.
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
      // No answer at all: if an attempt may have reached the server, look once before giving up, so
      // that a performed invite is not reported as failed (and then repeated into "already exists").
      if (e instanceof NetworkError && e.outcomeUnknown) {
        const existing = await this.#ownInvite(email, startedAt).catch(() => null);
        if (existing) return { id: existing.id, password: args.password ?? "", recovered: true };
      }
      throw e;
    }
    if (res.status >= 200 && res.status < 300) {
      const body = parseBody(
        userSchemas().InviteResponseSchema,
        res.text,
        `POST ${API_PATHS.invite}`,
        res.status,
        this.#redact,
        this.#opts.names.url,
      );
      this.#redactor.add(body.password);
      // The reference's table describes `id` as the email; the servers we know answer the Keycloak id.
      const id = body.id.includes("@") ? ((await this.getUserByEmail(email))?.id ?? body.id) : body.id;
      return { id, password: body.password };
    }
    const error = this.#errorFor("invite", res, `invite '${email}'`);
    if (!(error instanceof AlreadyExistsError)) throw error;
    // Only a well-formed listing that holds the email confirms it exists; if the lookup fails, the server's error stands.
    const existing = await this.getUserByEmail(email).catch(() => null);
    if (!existing) throw new AlreadyExistsError(error.message, { ...errorDetails(error), email });
    if (res.outcomeUnknown && isOwnCreation(existing, startedAt, true)) {
      return { id: existing.id, password: args.password ?? "", recovered: true };
    }
    throw new AlreadyExistsError(
      `A Wallaroo user with email '${email}' already exists (id ${existing.id}${createdNote(existing)})`,
      {
        ...errorDetails(error),
        email,
        existingUserId: existing.id,
        hint: "Manage the existing user instead of inviting it, or choose another email",
      },
    );
  }

  /** Activates the user with this email (POST /v1/api/users/activate). Counts against the licence. */
  async activateUser(email: string): Promise<void> {
    const e = normalizeEmail(email);
    await this.#call("activate", { email: e }, userSchemas().EmptyResponseSchema, `activate '${e}'`);
  }

  /** Deactivates the user with this email (POST /v1/api/users/deactivate). Frees a licence seat. */
  async deactivateUser(email: string): Promise<void> {
    const e = normalizeEmail(email);
    await this.#call("deactivate", { email: e }, userSchemas().EmptyResponseSchema, `deactivate '${e}'`);
  }

  /**
   * Activates or deactivates the user with this Keycloak id. The API addresses users by email, and
   * an email can change or pass to someone else; so the user is first resolved by id (one
   * coalesced `/users/query`) and acted on by the email the server holds for that id now.
   * Returns the user as it now is, or null when a well-formed answer says the id names no user.
   * A user already in the wanted state is left alone (no call).
   */
  async setUserActiveById(id: string, active: boolean): Promise<WallarooUser | null> {
    const user = await this.getUser(id);
    if (!user) return null;
    if (user.enabled === active) return user;
    if (!user.email) {
      throw new UserWithoutEmailError(
        `Cannot ${active ? "activate" : "deactivate"} Wallaroo user ${user.username} (id ${id}): it has no email, and the API addresses users by email`,
        { hint: "Change it by hand in Keycloak, or give it an email first" },
      );
    }
    await (active ? this.activateUser(user.email) : this.deactivateUser(user.email));
    return { ...user, enabled: active };
  }

  /**
   * Creates a user through Keycloak's admin API (`POST {authUrl}/auth/admin/realms/master/users`),
   * as Wallaroo Enterprise manages users: username and email the email, enabled as asked (a disabled
   * user takes no seat), the password (temporary: the user must change it). The id comes from the
   * answer's Location. An existing email is an {@link AlreadyExistsError} naming the user that holds
   * it; after an attempt whose outcome was unknown, the user found created since is returned as ours
   * (`recovered`). Never a second user.
   */
  createKeycloakUser(args: CreateKeycloakUserArgs): Promise<CreatedKeycloakUser> {
    return this.#keycloak.create(args);
  }

  /**
   * Changes a user by id through Keycloak's admin API (`PUT …/users/{id}`), with no email lookup.
   * "gone" only when Keycloak itself then says the id names no user (`GET …/users/{id}` answering
   * 404 `{"error": "User not found"}`); any other answer is an error and concludes nothing.
   */
  updateKeycloakUser(id: string, patch: KeycloakUserPatch): Promise<"updated" | "gone"> {
    return this.#keycloak.update(id, patch);
  }

  /** One user by id from Keycloak's admin API (`GET …/users/{id}`); null only on Keycloak's 404 for an unknown user. */
  getKeycloakUser(id: string): Promise<WallarooUser | null> {
    return this.#keycloak.get(id);
  }

  /** The workspaces this account can see (POST /v1/api/workspaces/list). */
  listWorkspaces(): Promise<WallarooWorkspace[]> {
    return this.#workspaces.list();
  }

  /** The workspace with exactly this name, or null; an {@link AmbiguousWorkspaceNameError} when several share it. */
  getWorkspaceByName(name: string): Promise<WallarooWorkspace | null> {
    return this.#workspaces.getByName(name);
  }

  /** Creates a workspace (the account becomes its owner). A lost answer never leads to a second workspace. */
  createWorkspace(name: string): Promise<CreatedWorkspace> {
    return this.#workspaces.create(name);
  }

  /** The members of a workspace; concurrent calls for the same workspace share one request. */
  listWorkspaceMembers(workspaceId: number): Promise<WorkspaceMember[]> {
    return this.#workspaces.members(workspaceId);
  }

  /** Makes an existing user a member of the workspace with `role` (adding them, or changing their role). */
  addWorkspaceMember(workspaceId: number, email: string, role: WorkspaceRole): Promise<void> {
    return this.#workspaces.addMember(workspaceId, email, role);
  }

  /** Removes a user from the workspace; removing a non-member is not an error. */
  removeWorkspaceMember(workspaceId: number, email: string): Promise<void> {
    return this.#workspaces.removeMember(workspaceId, email);
  }

  /** Closes the connection pools. */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  // ---- internals ----

  async #fetchByIds(ids: string[]): Promise<Map<string, WallarooUser>> {
    return new Map((await this.#queryIds(ids)).map((u) => [u.id, u]));
  }

  /** One listing for a batch of email lookups; kept whole (and dated from its request) for `maxAgeMs`. */
  async #fetchByEmails(_emails: string[]): Promise<Map<string, WallarooUser>> {
    const at = performance.now();
    const byEmail = new Map<string, WallarooUser>();
    for (const u of await this.listUsers()) {
      if (u.email) byEmail.set(normalizeEmail(u.email), u);
    }
    if (!this.#listing || this.#listing.at < at) this.#listing = { at, byEmail };
    return byEmail;
  }

  /** Queries ids. Any answer but a well-formed 200 is an error: an unknown id is one the 200 leaves out or maps to null. */
  async #queryIds(ids: string[]): Promise<WallarooUser[]> {
    if (ids.length === 0) return [];
    const body = await this.#call(
      "query",
      { user_ids: ids },
      userSchemas().QueryUsersResponseSchema,
      `read ${plural(ids.length, "user")}`,
    );
    const wanted = new Set(ids);
    // Keyed by id: an entry under a key it does not carry, or one not asked for, answers nothing we asked.
    return Object.entries(body.users).flatMap(([key, u]) => (u && u.id === key && wanted.has(key) ? [u] : []));
  }

  /** A user we just created, found by email after a lost answer. */
  async #ownInvite(email: string, startedAt: number): Promise<WallarooUser | null> {
    const u = await this.getUserByEmail(email);
    return u && isOwnCreation(u, startedAt, true) ? u : null;
  }

  /** An authenticated exchange (see exchange.ts). */
  async #exchange(api: ApiName, body: unknown): Promise<HttpResponse> {
    return this.#api.post(API_PATHS[api], body);
  }

  async #call<S extends z.ZodType>(api: ApiName, body: unknown, schema: S, action: string): Promise<z.output<S>> {
    const res = await this.#exchange(api, body);
    if (res.status >= 200 && res.status < 300) {
      return parseBody(schema, res.text, `POST ${API_PATHS[api]}`, res.status, this.#redact, this.#opts.names.url);
    }
    throw this.#errorFor(api, res, action);
  }

  #errorFor(api: ApiName, res: HttpResponse, action: string): WallarooError {
    return errorForAnswer(res, {
      endpoint: `POST ${API_PATHS[api]}`,
      url: this.#api.url(API_PATHS[api]),
      action,
      licenceMayRefuse: api === "invite" || api === "activate",
      mayAlreadyExist: api === "invite",
      staticToken: this.#opts.credentials.kind === "token",
      redact: this.#redact,
      names: this.#opts.names,
    });
  }
}

/** The users of a query answer that exist (null entries name no user). */
function present(users: Record<string, WallarooUser | null>): WallarooUser[] {
  return Object.values(users).filter((u): u is WallarooUser => u !== null);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function errorDetails(e: WallarooError): { endpoint?: string; status?: number; serverMessage?: string } {
  return { endpoint: e.endpoint, status: e.status, serverMessage: e.serverMessage };
}
