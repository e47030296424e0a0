/**
 * HTTP transport: one keep-alive undici Pool per origin, shared by every call of
 * a client, explicit timeouts, and retries of the failures that are worth it.
 * It knows nothing of Wallaroo; status codes are interpreted by the client.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { connect as tlsConnect, rootCertificates } from "node:tls";
import type { Pool } from "undici";
import { ConfigurationError, NetworkError } from "./errors";
import { undiciPool } from "./onDemand";
import type { RequestEvent, Timeouts } from "./options";
import type { Redactor } from "./redact";
import type { SettingNames } from "./settingNames";
import {
  backoffDelay,
  DEFAULT_RETRY,
  isRetryableNetworkCode,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  RetryPolicy,
  sleep,
} from "./retry";

export interface TransportOptions {
  timeouts: Timeouts;
  connections: number;
  retry: Partial<RetryPolicy>;
  caCertPath?: string;
  insecureSkipTlsVerify: boolean;
  redactor: Redactor;
  onRequest?: (event: RequestEvent) => void;
  /** How hints name the settings (see settingNames.ts). */
  names: SettingNames;
  /** The setting that chose each address, by origin (the API's and Keycloak's), for hints. */
  settingFor?: (url: URL) => string;
}

export interface HttpRequest {
  url: URL;
  /** Default POST: the MLOps API takes nothing else; Keycloak's admin API also GETs and PUTs. */
  method?: "GET" | "POST" | "PUT";
  headers: Record<string, string>;
  /** Absent for a GET. */
  body?: string;
  /** `POST /v1/api/users/invite`: names the call in errors and metrics. */
  endpoint: string;
  /**
   * The Authorization header, asked for before every attempt, so that a retry after
   * a long wait (a Retry-After, a backoff) carries a live token, not one that expired meanwhile.
   */
  authorization?: () => Promise<string>;
  /**
   * Whether an attempt whose outcome is unknown (a gateway's 502/504, a connection dropped after
   * sending, a timeout) may be re-sent. Default true: right for reads and idempotent calls. A call
   * that must not run twice (creating a workspace) sets false and gets the answer, or the error,
   * with `outcomeUnknown` set, to look before it re-sends.
   */
  resendIfOutcomeUnknown?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** How many attempts it took. */
  attempts: number;
  /**
   * True when an earlier attempt ended without a trustworthy answer after the request may have
   * reached the server (connection dropped after connecting, a timeout, a gateway's 502/504), so the
   * server may have performed it. Only then may an "already exists" mean "our own earlier attempt".
   */
  outcomeUnknown: boolean;
}

/** Failures that prove the request never reached the server: nothing can have been performed. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
]);
/** Gateways answer these after forwarding the request, so the server may have acted on it. */
const OUTCOME_UNKNOWN_STATUSES: ReadonlySet<number> = new Set([502, 504]);

function mayHaveBeenPerformed(code: string | undefined): boolean {
  return code === undefined || !(NOT_SENT_CODES.has(code) || TLS_CODES.test(code));
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL/;
/** An https client met a plain-HTTP server: the TLS handshake got an HTTP answer. */
const NOT_TLS_CODES = /WRONG_VERSION_NUMBER|ERR_SSL_HTTP_REQUEST|EPROTO/;
/** The server closed the connection without a word: an http client at a TLS port does this. */
const CLOSED_CODES: ReadonlySet<string> = new Set(["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"]);

/** Whether a TLS handshake succeeds at `url`'s host and port (certificate not checked: this only asks "is it TLS?"). */
function speaksTls(url: URL, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: url.hostname,
      port: Number(url.port || 80),
      servername: isIP(url.hostname) ? undefined : url.hostname,
      rejectUnauthorized: false,
    });
    const done = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("secureConnect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur && typeof cur === "object"; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && code !== "UND_ERR") return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Describes a failed exchange in words a user can act on. */
function networkError(
  e: unknown,
  req: HttpRequest,
  attempts: number,
  outcomeUnknown: boolean,
  names: SettingNames,
  setting: string,
): NetworkError {
  const code = errorCode(e) ?? "UNKNOWN";
  const origin = req.url.origin;
  const tried = attempts > 1 ? ` after ${attempts} attempts` : "";
  const d = { endpoint: req.endpoint, networkCode: code, outcomeUnknown };
  if (code === "ECONNREFUSED") {
    return new NetworkError(`Nothing is listening at ${origin}${tried} (ECONNREFUSED)`, {
      ...d,
      hint: `Check ${setting} and that the Wallaroo server is running`,
    });
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new NetworkError(`The host '${req.url.hostname}' cannot be resolved${tried} (${code})`, {
      ...d,
      hint: `Check the host name in ${setting}`,
    });
  }
  if (NOT_TLS_CODES.test(code)) {
    return new NetworkError(`The server at ${origin} does not speak TLS (${code})`, {
      ...d,
      hint: `${setting} says https, but a plain-HTTP server answers there: point it at the TLS endpoint, or use http://${req.url.host} if the server really has no TLS (credentials then travel in clear text)`,
    });
  }
  if (TLS_CODES.test(code)) {
    return new NetworkError(`The TLS certificate of ${origin} is not trusted (${code})`, {
      ...d,
      hint: `If the server uses a private CA, set ${names.caCertPath} to the CA's PEM file`,
    });
  }
  if (code.includes("TIMEOUT") || code === "ETIMEDOUT") {
    return new NetworkError(`No answer from ${origin} in time${tried} (${code})`, {
      ...d,
      hint: "The server or the network is slow or down; try again, or raise the timeouts",
    });
  }
  return new NetworkError(`The connection to ${origin} failed${tried} (${code})`, {
    ...d,
    hint: "The server closed the connection or the network dropped it; the operation may be retried safely",
  });
}

export class Transport {
  readonly #pools = new Map<string, Pool>();
  readonly #opts: TransportOptions;
  readonly #retry: RetryPolicy;
  readonly #ca?: string[];

  constructor(opts: TransportOptions) {
    this.#opts = opts;
    this.#retry = { ...DEFAULT_RETRY, ...opts.retry };
    if (opts.caCertPath) {
      let pem: string;
      try {
        pem = readFileSync(opts.caCertPath, "utf8");
      } catch (e) {
        throw new ConfigurationError(
          `Cannot read the CA certificate '${opts.caCertPath}': ${(e as NodeJS.ErrnoException).code ?? "error"}`,
          {
            setting: "wallaroo:caCertPath",
            hint: `Point ${opts.names.caCertPath} at a PEM file`,
          },
        );
      }
      // Added to Node's roots, not instead of them, like NODE_EXTRA_CA_CERTS.
      this.#ca = [...rootCertificates, pem];
    }
  }

  #settingFor(url: URL): string {
    return this.#opts.settingFor?.(url) ?? this.#opts.names.url;
  }

  #pool(url: URL): Pool {
    let pool = this.#pools.get(url.origin);
    if (!pool) {
      const t = this.#opts.timeouts;
      pool = new (undiciPool())(url.origin, {
        connections: this.#opts.connections,
        keepAliveTimeout: 10_000,
        headersTimeout: t.headersMs,
        bodyTimeout: t.bodyMs,
        connect: {
          timeout: t.connectMs,
          ...(this.#ca ? { ca: this.#ca } : {}),
          ...(this.#opts.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
        },
      });
      this.#pools.set(url.origin, pool);
    }
    return pool;
  }

  /**
   * One exchange, no retry. Network failures are thrown as they come. The answer (a small JSON
   * body) is collected straight from undici's dispatch handler: `request()` would wrap every
   * answer in a readable stream first, about a fifth more CPU per call in a fresh provider host.
   */
  #once(req: HttpRequest, headers: Record<string, string>): Promise<Omit<HttpResponse, "attempts" | "outcomeUnknown">> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      let responseHeaders: HttpResponse["headers"] = {};
      this.#pool(req.url).dispatch(
        { method: req.method ?? "POST", path: req.url.pathname + req.url.search, headers, body: req.body },
        {
          // Present so that undici takes this for a handler of its current interface (onRequestStart …
          // onResponseError), not of the legacy one (onConnect … onError).
          onRequestStart() {},
          onResponseStart(_controller, statusCode, h) {
            status = statusCode;
            responseHeaders = h;
          },
          onResponseData(_controller, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            resolve({ status, headers: responseHeaders, text: Buffer.concat(chunks).toString("utf8") });
          },
          onResponseError(_controller, error) {
            reject(error);
          },
        },
      );
    });
  }

  /**
   * Sends `req`, retrying 429/502/503/504 and broken connections with backoff.
   * Returns the last response whatever its status; throws {@link NetworkError}
   * when no answer came.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const policy = this.#retry;
    const started = Date.now();
    let outcomeUnknown = false;
    for (let attempt = 1; ; attempt++) {
      const t0 = Date.now();
      let retryAfterMs: number | undefined;
      const headers = req.authorization ? { ...req.headers, authorization: await req.authorization() } : req.headers;
      try {
        const res = await this.#once(req, headers);
        this.#opts.onRequest?.({ endpoint: req.endpoint, status: res.status, attempt, durationMs: Date.now() - t0 });
        if (!RETRYABLE_STATUSES.has(res.status)) return { ...res, attempts: attempt, outcomeUnknown };
        outcomeUnknown ||= OUTCOME_UNKNOWN_STATUSES.has(res.status);
        if (outcomeUnknown && req.resendIfOutcomeUnknown === false)
          return { ...res, attempts: attempt, outcomeUnknown };
        retryAfterMs = parseRetryAfter(res.headers["retry-after"]);
        const delay = this.#nextDelay(policy, attempt, started, retryAfterMs);
        if (delay === undefined) return { ...res, attempts: attempt, outcomeUnknown };
        await sleep(delay);
      } catch (e) {
        const code = errorCode(e);
        this.#opts.onRequest?.({
          endpoint: req.endpoint,
          attempt,
          durationMs: Date.now() - t0,
          error: code ?? "error",
        });
        // An http:// URL at a TLS port: the server hangs up at once; retrying would only repeat it.
        if (
          attempt === 1 &&
          code !== undefined &&
          CLOSED_CODES.has(code) &&
          req.url.protocol === "http:" &&
          (await speaksTls(req.url))
        ) {
          throw new NetworkError(`The server at ${req.url.origin} speaks TLS, not plain HTTP (${code})`, {
            endpoint: req.endpoint,
            networkCode: code,
            outcomeUnknown: false,
            hint: `Use https://${req.url.host} in ${this.#settingFor(req.url)}`,
          });
        }
        outcomeUnknown ||= mayHaveBeenPerformed(code);
        const mayResend = isRetryableNetworkCode(code) && !(outcomeUnknown && req.resendIfOutcomeUnknown === false);
        const delay = mayResend ? this.#nextDelay(policy, attempt, started) : undefined;
        if (delay === undefined) {
          throw networkError(e, req, attempt, outcomeUnknown, this.#opts.names, this.#settingFor(req.url));
        }
        await sleep(delay);
      }
    }
  }

  /** The wait before the next attempt, or undefined when none may be made: the budget is never overslept. */
  #nextDelay(policy: RetryPolicy, attempt: number, started: number, retryAfterMs?: number): number | undefined {
    if (attempt >= policy.maxAttempts) return undefined;
    // A Retry-After longer than we may wait means the answer will not come in time.
    if (retryAfterMs !== undefined && retryAfterMs > policy.maxDelayMs) return undefined;
    const delay = backoffDelay(policy, attempt, retryAfterMs);
    return Date.now() + delay - started <= policy.maxElapsedMs ? delay : undefined;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }
}
