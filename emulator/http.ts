/** Small HTTP helpers: the Reply value handlers return, and the Wallaroo error body. */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

/** A request as the handlers see it, its body read. */
export interface IncomingRequest {
  method: string;
  /** Without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** `http(s)://host:port` as the client addressed the server (its Host header). */
  origin: string;
}

/** What a handler answers; the server writes it (or, under performThenDrop, withholds it). */
export interface Reply {
  status: number;
  /** Written as JSON; undefined = no body at all (Keycloak's 201 and 204). */
  body: unknown;
  headers?: Record<string, string>;
  /** Written as is instead of `body` as JSON (injected faults: an HTML page, a foreign body). */
  raw?: { text: string; contentType: string };
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}

/** An answer without a body or a Content-Type, e.g. Keycloak's `201 Created` with its Location, or a 204. */
export function noBody(status: number, headers?: Record<string, string>): Reply {
  return { status, body: undefined, headers };
}

/** The Wallaroo API's error shape: {"msg": ..., "code": N}. */
export function apiError(status: number, msg: string, headers?: Record<string, string>): Reply {
  return { status, body: { msg, code: status }, headers };
}

/** Thrown by handlers for a 4xx/5xx answer; the server turns it into a Reply. */
export class HttpError extends Error {
  constructor(readonly reply: Reply) {
    super(
      typeof (reply.body as { msg?: unknown } | null)?.msg === "string"
        ? (reply.body as { msg: string }).msg
        : `HTTP ${reply.status}`,
    );
  }
}

export function fail(status: number, msg: string, headers?: Record<string, string>): never {
  throw new HttpError(apiError(status, msg, headers));
}

export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the whole body; rejects with 413 past MAX_BODY_BYTES (the rest is drained, not buffered). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on("end", () =>
      tooLarge
        ? reject(new HttpError(apiError(413, `Request body exceeds ${MAX_BODY_BYTES} bytes`)))
        : resolve(Buffer.concat(chunks).toString("utf8")),
    );
    req.on("error", reject);
  });
}

/** Parses a JSON object body, or throws a 400 naming what is wrong. */
export function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === "") fail(400, "Request body is required: a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the body, which may hold a password: name the problem only.
    fail(400, "Malformed JSON body: not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(
      400,
      `Request body must be a JSON object, not ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}

export const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};
