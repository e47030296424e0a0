/**
 * Keycloak's admin API, the user part, where Wallaroo Enterprise manages its users: the master
 * realm at `{authUrl}/auth/admin/realms/master`, with the bearer token, transport, retries and
 * redaction of the MLOps API calls. Used through WallarooClient's `createKeycloakUser`,
 * `updateKeycloakUser` and `getKeycloakUser`.
 *
 * Nothing is concluded from an error: "no such user" only from the one answer Keycloak gives for it
 * (404 `{"error": "User not found"}` to `GET /users/{id}`); a creation's id only from its Location.
 */
import { emailProblem, normalizeEmail } from "./email";
import {
  AlreadyExistsError,
  BadRequestError,
  InvalidResponseError,
  NetworkError,
  PermissionError,
  UnexpectedResponseError,
  WallarooError,
} from "./errors";
import type { ApiExchange, ExchangeOptions } from "./exchange";
import { keycloakSchemas } from "./onDemand";
import { createdNote, isOwnCreation } from "./ownCreation";
import { parseBody } from "./parse";
import type { Redactor } from "./redact";
import type { SettingNames } from "./settingNames";
import { answerSummary, errorForAnswer, safeLocation } from "./statusErrors";
import type { HttpResponse } from "./transport";
import type { WallarooUser } from "./types";
import type { z } from "zod";

/** Keycloak's admin API for the master realm, under authUrl; its user endpoints. */
export const KEYCLOAK_ADMIN_PATHS = {
  users: "/auth/admin/realms/master/users",
  /** A user's own path, by its template (the name errors and metrics give it). */
  user: "/auth/admin/realms/master/users/{id}",
} as const;

/** What `createKeycloakUser` sends: the user's username is its email, as the MLOps API's invite makes it. */
export interface CreateKeycloakUserArgs {
  /** The email, also the username; sent lower-cased (Keycloak stores it so). */
  email: string;
  /** Created enabled (holds a seat) or disabled (takes none). */
  enabled: boolean;
  /** The initial password. Never in any message. */
  password: string;
  /** The user must change the password at first login (Keycloak's `UPDATE_PASSWORD`). */
  temporary: boolean;
  firstName?: string;
  lastName?: string;
}

export interface CreatedKeycloakUser {
  /** The new user's Keycloak id, from the answer's Location header. */
  id: string;
  /**
   * True when an attempt's answer was lost (a dropped connection after sending, a timeout, a
   * gateway's 502/504) and the user was then found created since, in the state asked for.
   */
  recovered?: boolean;
}

/** What `updateKeycloakUser` may change; absent fields stay as they are. */
export interface KeycloakUserPatch {
  enabled?: boolean;
  /** `""` clears it. */
  firstName?: string;
  /** `""` clears it. */
  lastName?: string;
}

export interface KeycloakAdminOptions {
  /** An exchange whose base is authUrl (the paths above are under it). */
  exchange: ApiExchange;
  redactor: Redactor;
  names: SettingNames;
  staticToken: boolean;
  /** The account's username, when known, for 403 messages. */
  account: () => string | undefined;
}

const SERVICE = "Keycloak's admin API";

export class KeycloakAdminApi {
  readonly #o: KeycloakAdminOptions;
  readonly #redact: (text: string) => string;

  constructor(options: KeycloakAdminOptions) {
    this.#o = options;
    this.#redact = (t) => options.redactor.redact(t);
  }

  /**
   * POST /users. The id comes only from the Location header. A 409 is an {@link AlreadyExistsError}
   * naming the user that holds the email; after an attempt whose outcome is unknown, that user is
   * returned as ours (`recovered`) when it was created since, in the state asked for. Never a second user.
   */
  async create(args: CreateKeycloakUserArgs): Promise<CreatedKeycloakUser> {
    const email = normalizeEmail(args.email);
    const action = `create Keycloak user '${email}'`;
    const problem = emailProblem(email);
    if (problem)
      throw new BadRequestError(`Cannot ${action}: the email ${problem}`, { action, hint: "Give a valid email" });
    if (typeof args.password !== "string" || args.password === "")
      throw new BadRequestError(`Cannot ${action}: it needs a password`, { action, hint: "Give a non-empty password" });
    this.#o.redactor.add(args.password);
    const body = {
      username: email,
      email,
      enabled: args.enabled,
      ...(args.firstName !== undefined && { firstName: args.firstName }),
      ...(args.lastName !== undefined && { lastName: args.lastName }),
      credentials: [{ type: "password", value: args.password, temporary: args.temporary }],
      // Older Keycloaks ignored a creation's `temporary` flag (keycloak/keycloak#6402): ask for the action too.
      ...(args.temporary && { requiredActions: ["UPDATE_PASSWORD"] }),
    };
    const endpoint = `POST ${KEYCLOAK_ADMIN_PATHS.users}`;
    const startedAt = Date.now();
    let res: HttpResponse;
    try {
      res = await this.#call("POST", KEYCLOAK_ADMIN_PATHS.users, body, {}, action);
    } catch (e) {
      // No answer at all: if an attempt may have reached Keycloak, look once before giving up.
      if (e instanceof NetworkError && e.outcomeUnknown) {
        const mine = await this.#own(email, startedAt, args.enabled).catch(() => null);
        if (mine) return { id: mine.id, recovered: true };
      }
      throw e;
    }
    if (res.status === 201) return { id: this.#createdId(res, email) };
    if (res.status >= 200 && res.status < 300) {
      throw new InvalidResponseError(`Cannot ${action}: Keycloak answered ${res.status} instead of 201 Created`, {
        action,
        endpoint,
        status: res.status,
        hint: `Check that ${this.#o.names.authUrl} is Keycloak's address; whether the user was created is not known: look it up before trying again`,
      });
    }
    if (res.status === 409 && !answerSummary(res, this.#redact).html) return this.#exists(res, email, startedAt, args);
    // Every attempt's answer was a gateway's after forwarding: the user may be there all the same.
    if (res.outcomeUnknown && (res.status === 502 || res.status === 504)) {
      const mine = await this.#own(email, startedAt, args.enabled).catch(() => null);
      if (mine) return { id: mine.id, recovered: true };
    }
    throw this.#errorFor(res, endpoint, action, "manage");
  }

  /**
   * PUT /users/{id} with the patch, by id. "gone" only when `GET /users/{id}` then answers exactly
   * Keycloak's 404 for an unknown user; any other answer is an error and concludes nothing.
   */
  async update(id: string, patch: KeycloakUserPatch): Promise<"updated" | "gone"> {
    const action = `update Keycloak user ${id}`;
    checkId(id, action);
    const body = {
      ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      ...(patch.firstName !== undefined && { firstName: patch.firstName }),
      ...(patch.lastName !== undefined && { lastName: patch.lastName }),
    };
    const endpoint = `PUT ${KEYCLOAK_ADMIN_PATHS.user}`;
    const res = await this.#call("PUT", userPath(id), body, { endpoint }, action);
    if (res.status === 204) return "updated";
    if (res.status >= 200 && res.status < 300) {
      throw new InvalidResponseError(`Cannot ${action}: Keycloak answered ${res.status} instead of 204 No Content`, {
        action,
        endpoint,
        status: res.status,
        hint: `Check that ${this.#o.names.authUrl} is Keycloak's address; whether the change was made is not known`,
      });
    }
    if (res.status !== 404) throw this.#errorFor(res, endpoint, action, "manage");
    // A 404 to the PUT may be a proxy's or a wrong path's: only Keycloak's own answer to a read says "gone".
    if ((await this.get(id)) === null) return "gone";
    const { serverMessage } = answerSummary(res, this.#redact);
    throw new UnexpectedResponseError(`Cannot ${action}: the PUT answered 404 Not Found, yet Keycloak shows the user`, {
      action,
      endpoint,
      status: 404,
      serverMessage,
      hint: `Something other than Keycloak answered the PUT (a proxy, a rule on the path?): check ${this.#o.names.authUrl} and the network path. Nothing was changed or concluded`,
    });
  }

  /** GET /users/{id}: the user, or null only on Keycloak's exact 404 for an unknown user. */
  async get(id: string): Promise<WallarooUser | null> {
    const action = `read Keycloak user ${id}`;
    checkId(id, action);
    const endpoint = `GET ${KEYCLOAK_ADMIN_PATHS.user}`;
    const res = await this.#call("GET", userPath(id), undefined, { endpoint }, action);
    if (res.status === 200) {
      const user = this.#parse(keycloakSchemas().KeycloakUserResponseSchema, res, endpoint, action);
      if (user.id !== id) {
        throw new InvalidResponseError(`Cannot ${action}: Keycloak answered with another user (id ${user.id})`, {
          action,
          endpoint,
          status: 200,
          field: "id",
          hint: `Check that ${this.#o.names.authUrl} is Keycloak's address and that no proxy rewrites the path`,
        });
      }
      return user;
    }
    if (res.status === 404 && isUserNotFound(res)) return null;
    if (res.status === 404) {
      const { html, serverMessage } = answerSummary(res, this.#redact);
      throw new UnexpectedResponseError(
        `Cannot ${action}: the answer was 404 Not Found, but not Keycloak's for an unknown user`,
        {
          action,
          endpoint,
          status: 404,
          serverMessage,
          hint:
            (html ? "An HTML page answered: a web server or proxy, not Keycloak. " : "") +
            `Keycloak answers an unknown user with 404 {"error": "User not found"}; check that ${this.#o.names.authUrl} is Keycloak's address, e.g. https://<prefix>keycloak.<suffix>. Nothing was concluded about the user`,
        },
      );
    }
    throw this.#errorFor(res, endpoint, action, "view");
  }

  /**
   * The user whose email (or else username) is exactly `email`, from well-formed answers of
   * `GET /users?email=…&exact=true` (then `username=`); null when neither names exactly one user.
   */
  async findByEmail(email: string): Promise<WallarooUser | null> {
    const e = normalizeEmail(email);
    for (const key of ["email", "username"] as const) {
      const action = `look up Keycloak user '${e}'`;
      const endpoint = `GET ${KEYCLOAK_ADMIN_PATHS.users}`;
      const query = new URLSearchParams({ [key]: e, exact: "true" });
      const res = await this.#call("GET", KEYCLOAK_ADMIN_PATHS.users, undefined, { query }, action);
      if (res.status !== 200) throw this.#errorFor(res, endpoint, action, "view");
      const list = this.#parse(keycloakSchemas().KeycloakUserListSchema, res, endpoint, action);
      // Keycloak's `exact` already matches whole values; checked again so a looser server cannot hand us another user.
      const found = list.filter((u) => (key === "email" ? u.email : u.username)?.toLowerCase() === e);
      if (found.length === 1) return found[0]!;
      if (found.length > 1) return null;
    }
    return null;
  }

  // ---- internals ----

  /** A user we may just have created, after an answer that was lost. */
  async #own(email: string, startedAt: number, enabled: boolean): Promise<WallarooUser | null> {
    const u = await this.findByEmail(email);
    return u && isOwnCreation(u, startedAt, enabled) ? u : null;
  }

  /** 409: ours after a lost answer, else the error naming the user that holds the email. */
  async #exists(
    res: HttpResponse,
    email: string,
    startedAt: number,
    args: CreateKeycloakUserArgs,
  ): Promise<CreatedKeycloakUser> {
    const endpoint = `POST ${KEYCLOAK_ADMIN_PATHS.users}`;
    const { serverMessage } = answerSummary(res, this.#redact);
    const d = { endpoint, status: 409, serverMessage, email };
    // Only a well-formed lookup that finds the user names it; if the lookup fails, Keycloak's answer stands.
    const existing = await this.findByEmail(email).catch(() => null);
    if (existing && res.outcomeUnknown && isOwnCreation(existing, startedAt, args.enabled)) {
      return { id: existing.id, recovered: true };
    }
    if (!existing) {
      throw new AlreadyExistsError(`Cannot create Keycloak user '${email}': Keycloak says it already exists`, {
        ...d,
        hint: "Manage the existing user instead of creating it, or choose another email (the user holding it could not be looked up)",
      });
    }
    throw new AlreadyExistsError(
      `A Keycloak user with email '${email}' already exists (id ${existing.id}${createdNote(existing)})`,
      {
        ...d,
        existingUserId: existing.id,
        hint: "Manage the existing user instead of creating it, or choose another email",
      },
    );
  }

  /** The id in a 201's Location: `<base>/users/<id>` of the very base we called, or an invalid-response error. */
  #createdId(res: HttpResponse, email: string): string {
    const base = this.#o.exchange.url(KEYCLOAK_ADMIN_PATHS.users);
    const raw = res.headers.location;
    const location = Array.isArray(raw) ? raw[0] : raw;
    let url: URL | undefined;
    try {
      url = location ? new URL(location, base) : undefined;
    } catch {
      url = undefined;
    }
    const prefix = `${base.pathname}/`;
    const rest =
      url && url.origin === base.origin && url.pathname.startsWith(prefix) && !url.search && !url.hash
        ? url.pathname.slice(prefix.length)
        : "";
    let id = "";
    try {
      id = rest && !rest.includes("/") ? decodeURIComponent(rest) : "";
    } catch {
      id = "";
    }
    if (id) return id;
    throw new InvalidResponseError(
      location
        ? `Keycloak created user '${email}' but named it at an unexpected address: ${safeLocation(location, base)} is not ${base.href}/<id>`
        : `Keycloak answered 201 Created for user '${email}' without a Location header, the only place its id is given`,
      {
        endpoint: `POST ${KEYCLOAK_ADMIN_PATHS.users}`,
        status: 201,
        field: "Location",
        hint:
          `The user probably exists now: adopt it rather than creating it again. Check that ${this.#o.names.authUrl} is ` +
          "the address Keycloak knows itself by (a proxy in front of it must pass the Host and X-Forwarded-* headers)",
      },
    );
  }

  /**
   * One exchange. This request's own network failure is told with the action; a failure of the
   * login is not: that error is shared by every call waiting for the token, so it stays as it is.
   */
  async #call(
    method: "GET" | "POST" | "PUT",
    path: string,
    body: unknown,
    options: ExchangeOptions,
    action: string,
  ): Promise<HttpResponse> {
    try {
      return await this.#o.exchange.send(method, path, body, options);
    } catch (e) {
      const ours = e instanceof NetworkError && e.endpoint === (options.endpoint ?? `${method} ${path}`);
      throw ours ? during(e, action) : e;
    }
  }

  #parse<S extends z.ZodType>(schema: S, res: HttpResponse, endpoint: string, action: string): z.output<S> {
    try {
      return parseBody(schema, res.text, endpoint, res.status, this.#redact, this.#o.names.authUrl);
    } catch (e) {
      throw e instanceof WallarooError ? during(e, action) : e;
    }
  }

  /** A non-2xx answer (409 handled before): 403 names the role, 400 Keycloak's words, the rest as every call. */
  #errorFor(res: HttpResponse, endpoint: string, action: string, need: "manage" | "view"): WallarooError {
    const { html, serverMessage } = answerSummary(res, this.#redact);
    const d = { endpoint, status: res.status, serverMessage, action };
    if (res.status === 403) {
      const account = this.#o.account();
      const who = account ? `The account '${account}'` : "The account";
      return new PermissionError(`Cannot ${action}: Keycloak refused it (403 Forbidden)`, {
        ...d,
        hint:
          (html ? "An HTML page answered: a proxy may be blocking the request. " : "") +
          `${who} needs the manage-users role of the master-realm client${need === "view" ? " (view-users is enough to read)" : ""}: ` +
          "assign it in Keycloak's admin console (Users → the account → Role mapping → Assign role → filter by clients → master-realm), or use an account that has it",
      });
    }
    if (res.status === 400 && !html) {
      return new BadRequestError(`Cannot ${action}: Keycloak refused it as invalid`, {
        ...d,
        hint:
          "Fix what Keycloak names (the email, a name, or the password against the realm's password policy), then try again. " +
          `If those are not Keycloak's words, a proxy or firewall in front of it refused the request: check the network path to ${this.#o.names.authUrl}`,
      });
    }
    if (res.status === 404) {
      return new UnexpectedResponseError(
        `Cannot ${action}: ${res.status} Not Found at ${this.#o.exchange.url(KEYCLOAK_ADMIN_PATHS.users).href}`,
        {
          ...d,
          hint:
            (html ? "An HTML page answered: a web server or proxy, not Keycloak. " : "") +
            `Check that ${this.#o.names.authUrl} is Keycloak's address, e.g. https://<prefix>keycloak.<suffix>, with no path, ` +
            `and that the instance is Wallaroo Enterprise (${this.#o.names.edition}). Nothing was concluded about any user`,
        },
      );
    }
    return errorForAnswer(res, {
      endpoint,
      url: this.#o.exchange.url(KEYCLOAK_ADMIN_PATHS.users),
      action,
      licenceMayRefuse: false,
      mayAlreadyExist: false,
      staticToken: this.#o.staticToken,
      redact: this.#redact,
      names: this.#o.names,
      service: SERVICE,
      setting: this.#o.names.authUrl,
    });
  }
}

/** Keycloak's answer to `GET /users/{id}` for an unknown id, recognised exactly (JSON, not a page). */
function isUserNotFound(res: HttpResponse): boolean {
  if (answerSummary(res, (t) => t).html) return false;
  try {
    return keycloakSchemas().KeycloakUserNotFoundSchema.safeParse(JSON.parse(res.text)).success;
  } catch {
    return false;
  }
}

function userPath(id: string): string {
  return `${KEYCLOAK_ADMIN_PATHS.users}/${encodeURIComponent(id)}`;
}

function checkId(id: string, action: string): void {
  if (typeof id !== "string" || id.trim() === "" || id.includes("/"))
    throw new BadRequestError(`Cannot ${action}: not a Keycloak user id`, {
      action,
      hint: "Give the id Keycloak assigned the user",
    });
}

/**
 * Says what was being done in the message of an error raised below the call that knows it (a
 * network failure, a malformed answer): `Cannot create Keycloak user 'a@example.com': the
 * connection … failed`. Only for an error made for this call alone: it changes `e` itself.
 */
function during<E extends WallarooError>(e: E, action: string): E {
  e.message = `Cannot ${action}: ${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}`;
  e.action = action;
  return e;
}
