/**
 * Turning a non-2xx answer into the error a caller can act on.
 *
 * Nothing here ever concludes "no such user": the reference documents no error answer for that
 * case (the generated API client declares only 200, 400, 401 and 500, with undocumented bodies),
 * so a 404, a redirect, an HTML page or a proxy's 400 is reported as what it is, with the
 * endpoint and what came back. "Gone" is concluded only from a well-formed 200 (see client.ts).
 */
import {
  AlreadyExistsError,
  AuthenticationError,
  BadRequestError,
  LicenceLimitError,
  PermissionError,
  ServerError,
  UnexpectedResponseError,
  WallarooError,
} from "./errors";
import { serverMessageOf } from "./parse";
import type { SettingNames } from "./settingNames";
import type { HttpResponse } from "./transport";

export interface AnswerContext {
  /** `POST /v1/api/users/deactivate`. */
  endpoint: string;
  /** The full address that was asked, for "no such endpoint" messages. */
  url: URL;
  /** What the request was for, e.g. `deactivate 'bob@example.com'`. */
  action: string;
  /** Whether a full licence can explain a 403 here (invite, activate). */
  licenceMayRefuse: boolean;
  /** Whether a 409 or an "already exists" text means the named object exists (invite, create). */
  mayAlreadyExist: boolean;
  /** The credentials are a static token (a 401 cannot be cured by logging in again). */
  staticToken: boolean;
  redact: (text: string) => string;
  /** How hints name the settings. */
  names: SettingNames;
  /** Who was asked, in messages; default "the Wallaroo API" (Keycloak's admin calls say so). */
  service?: string;
  /** The setting that chose the address, in hints; default `names.url`. */
  setting?: string;
}

/** An HTML page is a web server's or a proxy's answer, never the Wallaroo API's (it answers JSON). */
export function isHtml(res: HttpResponse): boolean {
  const type = res.headers["content-type"];
  return /text\/html/i.test(String(type ?? "")) || /^\s*<(!doctype|html|head|body)/i.test(res.text);
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** What an answer says, for a message: an HTML page's title, or the JSON's message field, or the text; secrets removed. */
export function answerSummary(
  res: HttpResponse,
  redact: (text: string) => string,
): { html: boolean; serverMessage: string } {
  const html = isHtml(res);
  // Redacted before it is shortened: a secret cut in half by the shortening would no longer be recognised.
  const text = redact(res.text);
  return { html, serverMessage: html ? htmlSummary(text) : serverMessageOf(text) };
}

/** Maps a non-2xx answer to the error class a caller can act on. */
export function errorForAnswer(res: HttpResponse, ctx: AnswerContext): WallarooError {
  const s = res.status;
  const { html, serverMessage } = answerSummary(res, ctx.redact);
  const text = ctx.redact(res.text);
  const d = { endpoint: ctx.endpoint, status: s, serverMessage, action: ctx.action };
  const service = ctx.service ?? "the Wallaroo API";
  const setting = ctx.setting ?? ctx.names.url;
  const notApi = html ? ` An HTML page answered: a web server or proxy, not ${service}, is at that address.` : "";

  if (s >= 300 && s < 400) {
    const location = header(res, "location");
    return new UnexpectedResponseError(
      `Cannot ${ctx.action}: the server answered with a redirect${location ? ` to ${safeLocation(location, ctx.url)}` : ""}, which is not followed`,
      {
        ...d,
        hint:
          `Following it would send the credentials to another address. Set ${setting} to the address ` +
          "that answers directly (often https:// instead of http://, or the final host name)",
      },
    );
  }
  if (s === 401) {
    return new AuthenticationError(`${capitalized(service)} refused the credentials`, {
      ...d,
      hint: ctx.staticToken
        ? `The token is invalid or expired: set a fresh ${ctx.names.token}, or use ${ctx.names.username} and ${ctx.names.password} so the session can be renewed`
        : `Check ${ctx.names.username} and ${ctx.names.password}, and that the account may manage users`,
    });
  }
  if (s === 403 && ctx.licenceMayRefuse && !html) {
    return new LicenceLimitError(`Cannot ${ctx.action}: the Wallaroo licence's active-user limit is reached`, {
      ...d,
      hint: "Deactivate a user to free a seat, or raise the licence; if the instance is not full, check that the account may manage users",
    });
  }
  if (s === 403) {
    return new PermissionError(`Cannot ${ctx.action}: the server refused it (forbidden)`, {
      ...d,
      hint:
        (html ? notApi.trim() + " " : "") +
        "Check that the account may manage users (Keycloak role manage-users, or an admin), and that no proxy blocks the request",
    });
  }
  if (s === 404) {
    return new UnexpectedResponseError(
      `Cannot ${ctx.action}: ${ctx.url.origin}${ctx.url.pathname} answered 404 Not Found`,
      {
        ...d,
        hint:
          "The Wallaroo API reports unknown users in a successful answer, so a 404 means this address is not the API: " +
          `check that ${ctx.names.url} is the Wallaroo API endpoint, e.g. https://<prefix>api.<suffix>, with no path.` +
          notApi +
          " Nothing was concluded about any user",
      },
    );
  }
  if (
    ctx.mayAlreadyExist &&
    !html &&
    (s === 409 || (s < 500 && /already exists|exists with same/i.test(serverMessage)))
  ) {
    return new AlreadyExistsError(`Cannot ${ctx.action}: it already exists`, { ...d, email: "" });
  }
  if (s === 429) {
    return new ServerError(`Cannot ${ctx.action}: ${service} is limiting the request rate`, {
      ...d,
      hint: "The server kept answering 429 beyond the retry budget, or asked to wait longer than it allows; run again later or with less parallelism (pulumi up --parallel)",
    });
  }
  if (s >= 400 && s < 500) {
    return new BadRequestError(`Cannot ${ctx.action}: the request was rejected`, {
      ...d,
      hint: html
        ? /plain HTTP request was sent to HTTPS port/i.test(text)
          ? `The server expects TLS: use https://${ctx.url.host} in ${setting}`
          : notApi.trim() + ` Check ${setting} and any proxy between here and the server`
        : `If the server's words do not explain it, a proxy or firewall may have answered: check ${setting} and the network path`,
    });
  }
  const retried = res.attempts > 1 ? ` after ${res.attempts} attempts` : "";
  return new ServerError(`Cannot ${ctx.action}: ${service} failed${retried}`, {
    ...d,
    hint:
      (html ? notApi.trim() + " " : "") +
      "The server is unhealthy or overloaded; nothing was changed in the state. Try again later",
  });
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The page's title (or its first text), so the message says what answered without pasting HTML. */
function htmlSummary(text: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
  const body = text
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const said = title || body.slice(0, 120) || "(empty page)";
  return `HTML page: ${said}`;
}

/** A redirect target without query or credentials (it may carry tokens of the other side). */
export function safeLocation(location: string, base: URL): string {
  try {
    const u = new URL(location, base);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(an unreadable address)";
  }
}
