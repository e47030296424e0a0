/**
 * Errors are values a user can act on: each names the endpoint, the HTTP status
 * and what the server said, and most carry a hint saying what to do next.
 * Messages are scrubbed of secrets before an error is built (see redact.ts).
 */

export type WallarooErrorCode =
  | "WALLAROO_CONFIGURATION"
  | "WALLAROO_AUTHENTICATION"
  | "WALLAROO_NOT_FOUND"
  | "WALLAROO_ALREADY_EXISTS"
  | "WALLAROO_LICENCE_LIMIT"
  | "WALLAROO_PERMISSION"
  | "WALLAROO_UNEXPECTED_RESPONSE"
  | "WALLAROO_BAD_REQUEST"
  | "WALLAROO_SERVER"
  | "WALLAROO_NETWORK"
  | "WALLAROO_INVALID_RESPONSE"
  | "WALLAROO_AMBIGUOUS";

export interface WallarooErrorDetails {
  /** The request that failed, e.g. `POST /v1/api/users/invite`. */
  endpoint?: string;
  /** The HTTP status the server answered, when it answered. */
  status?: number;
  /** What the server said (its message field, or its body text), secrets removed. */
  serverMessage?: string;
  /** What the user can do about it. */
  hint?: string;
  /** The lower-level error, when there is one (never carries secrets). */
  cause?: unknown;
  /**
   * What the failed request was for, e.g. `invite 'bob@example.com'`, when the message opens with
   * `Cannot <action>: `; a caller that names the action itself can drop that opening.
   */
  action?: string;
}

/** Base class of every error the client raises. */
export class WallarooError extends Error {
  readonly code: WallarooErrorCode;
  readonly endpoint?: string;
  readonly status?: number;
  readonly serverMessage?: string;
  readonly hint?: string;
  /** See {@link WallarooErrorDetails.action}; set later by a caller that prefixes the message with it. */
  action?: string;

  constructor(code: WallarooErrorCode, summary: string, details: WallarooErrorDetails = {}) {
    super(composeMessage(summary, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.serverMessage = details.serverMessage;
    this.hint = details.hint;
    this.action = details.action;
  }

  /** A plain object for logs and for crossing process boundaries. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      endpoint: this.endpoint,
      status: this.status,
      serverMessage: this.serverMessage,
    };
  }
}

function composeMessage(summary: string, d: WallarooErrorDetails): string {
  const where: string[] = [];
  if (d.endpoint) where.push(d.endpoint);
  if (d.status !== undefined) where.push(`HTTP ${d.status}`);
  let message = summary;
  if (where.length > 0 || d.serverMessage) {
    const said = d.serverMessage ? `${where.length > 0 ? ": " : ""}server said "${d.serverMessage}"` : "";
    message += ` (${where.join(" → ")}${said})`;
  }
  if (d.hint) message += `. ${d.hint}`;
  return message;
}

/** A setting is missing or malformed; nothing was sent. */
export class ConfigurationError extends WallarooError {
  /** The setting at fault, e.g. `wallaroo:url`. */
  readonly setting?: string;
  constructor(summary: string, details: WallarooErrorDetails & { setting?: string } = {}) {
    super("WALLAROO_CONFIGURATION", summary, details);
    this.setting = details.setting;
  }
}

/** The credentials or token were rejected (HTTP 401, or Keycloak refused the login). */
export class AuthenticationError extends WallarooError {
  constructor(summary: string, details: WallarooErrorDetails = {}) {
    super("WALLAROO_AUTHENTICATION", summary, details);
  }
}

/**
 * The user named by id does not exist, as a well-formed successful answer of the API says (a
 * `/users/query` whose `users` lacks the id). Never concluded from an error status: see
 * {@link UnexpectedResponseError}.
 */
export class NotFoundError extends WallarooError {
  constructor(summary: string, details: WallarooErrorDetails = {}) {
    super("WALLAROO_NOT_FOUND", summary, details);
  }
}

/** An invite named an email that already belongs to a user. */
export class AlreadyExistsError extends WallarooError {
  /** The email that is taken. */
  readonly email: string;
  /** The Keycloak id of the user that holds it, when it could be looked up. */
  readonly existingUserId?: string;
  constructor(summary: string, details: WallarooErrorDetails & { email: string; existingUserId?: string }) {
    super("WALLAROO_ALREADY_EXISTS", summary, details);
    this.email = details.email;
    this.existingUserId = details.existingUserId;
  }
}

/** The licence's active-user limit is reached (the server answers 403 to an invite or an activation). */
export class LicenceLimitError extends WallarooError {
  constructor(summary: string, details: WallarooErrorDetails = {}) {
    super("WALLAROO_LICENCE_LIMIT", summary, details);
  }
}

/** A user the API cannot act on: it has no email, and activate/deactivate address users by email. */
export class UserWithoutEmailError extends WallarooError {
  constructor(summary: string, details: WallarooErrorDetails = {}) {
    super("WALLAROO_BAD_REQUEST", summary, details);
  }
}

/** The account may not do this (HTTP 403 where the licence cannot be the cause, e.g. a missing manage-users role). */
export class PermissionError extends WallarooError {
  constructor(summary: string, details: WallarooErrorDetails = {}) {
    super("WALLAROO_PERMISSION", summary, details);
  }
}

/**
 * Something other than the Wallaroo API answered: no such endpoint (404), a redirect, an HTML
 * page. Usually a wrong `wallaroo:url` or a proxy in the way. Nothing is concluded from it.
 */
export class UnexpectedResponseError extends WallarooError {
  constructor(summary: string, details: WallarooErrorDetails = {}) {
    super("WALLAROO_UNEXPECTED_RESPONSE", summary, details);
  }
}

/** The server refused the request as malformed (a 4xx other than the ones above). */
export class BadRequestError extends WallarooError {
  constructor(summary: string, details: WallarooErrorDetails = {}) {
    super("WALLAROO_BAD_REQUEST", summary, details);
  }
}

/** The server failed (5xx), still after the retries when the status is retryable. */
export class ServerError extends WallarooError {
  constructor(summary: string, details: WallarooErrorDetails = {}) {
    super("WALLAROO_SERVER", summary, details);
  }
}

/** No answer: connection refused or reset, DNS, TLS or a timeout. */
export class NetworkError extends WallarooError {
  /** The low-level code, e.g. `ECONNREFUSED` or `UND_ERR_HEADERS_TIMEOUT`. */
  readonly networkCode?: string;
  /** True when an attempt may have reached the server before the connection failed (see HttpResponse.outcomeUnknown). */
  readonly outcomeUnknown: boolean;
  constructor(
    summary: string,
    details: WallarooErrorDetails & { networkCode?: string; outcomeUnknown?: boolean } = {},
  ) {
    super("WALLAROO_NETWORK", summary, details);
    this.networkCode = details.networkCode;
    this.outcomeUnknown = details.outcomeUnknown ?? true;
  }
}

/** The server answered something that does not match the documented shape. */
export class InvalidResponseError extends WallarooError {
  /** The path of the first offending field, e.g. `users.<id>.enabled`. */
  readonly field?: string;
  constructor(summary: string, details: WallarooErrorDetails & { field?: string } = {}) {
    super("WALLAROO_INVALID_RESPONSE", summary, details);
    this.field = details.field;
  }
}

/** True for errors of this package, across copies of the package (instanceof can fail there). */
export function isWallarooError(e: unknown): e is WallarooError {
  return (
    e instanceof WallarooError ||
    (typeof e === "object" &&
      e !== null &&
      typeof (e as { code?: unknown }).code === "string" &&
      String((e as { code: string }).code).startsWith("WALLAROO_"))
  );
}
