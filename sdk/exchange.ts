/**
 * One authenticated JSON exchange: a request under a configured base (the Wallaroo API endpoint,
 * or Keycloak's admin API), a bearer token taken afresh for every attempt, and on a 401 the token
 * renewed once and the request repeated. Shared by the user calls (client.ts), the workspace calls
 * (workspaces.ts) and the Keycloak admin calls (keycloakAdmin.ts).
 */
import type { TokenSource } from "./auth";
import type { HttpRequest, HttpResponse, Transport } from "./transport";

export interface ExchangeOptions {
  /** See {@link HttpRequest.resendIfOutcomeUnknown}. */
  resendIfOutcomeUnknown?: boolean;
  /**
   * The call's name in errors and metrics when the path is not it, e.g. `PUT /…/users/{id}` for a
   * user's own path. Such paths are not cached (a URL per user of a 10,000-user stack would stay).
   */
  endpoint?: string;
  /** A query string, e.g. `email=…&exact=true`. */
  query?: URLSearchParams;
}

export class ApiExchange {
  readonly #base: URL;
  readonly #transport: Transport;
  readonly #tokens: TokenSource;
  /** Each fixed path's URL, made once: a request is sent for every resource. */
  readonly #urls = new Map<string, URL>();

  constructor(base: URL, transport: Transport, tokens: TokenSource) {
    this.#base = base;
    this.#transport = transport;
    this.#tokens = tokens;
  }

  /** The full address of a path, under the base's own path. */
  url(path: string): URL {
    let url = this.#urls.get(path);
    if (!url) {
      url = this.#make(path);
      this.#urls.set(path, url);
    }
    return url;
  }

  #make(path: string): URL {
    return new URL(this.#base.pathname.replace(/\/$/, "") + path, this.#base);
  }

  async post(path: string, body: unknown, options: ExchangeOptions = {}): Promise<HttpResponse> {
    return this.send("POST", path, body, options);
  }

  /** `body` is sent as JSON; undefined sends none (a GET). */
  async send(
    method: NonNullable<HttpRequest["method"]>,
    path: string,
    body: unknown,
    options: ExchangeOptions = {},
  ): Promise<HttpResponse> {
    let url = options.endpoint === undefined ? this.url(path) : this.#make(path);
    if (options.query) {
      url = new URL(url);
      url.search = options.query.toString();
    }
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // The token is taken afresh for every attempt (a retry may come after the last one expired); `used` is the last one sent.
    let used = "";
    const send = async () =>
      this.#transport.send({
        url,
        method,
        endpoint: options.endpoint ?? `${method} ${path}`,
        headers:
          payload === undefined
            ? { accept: "application/json" }
            : { "content-type": "application/json", accept: "application/json" },
        body: payload,
        authorization: async () => `Bearer ${(used = await this.#tokens.token())}`,
        resendIfOutcomeUnknown: options.resendIfOutcomeUnknown,
      });
    const res = await send();
    if (res.status !== 401 || !this.#tokens.invalidate(used)) return res;
    // A 401 was certainly not performed: the repeat's own uncertainty is all there is.
    const again = await send();
    return {
      ...again,
      attempts: again.attempts + res.attempts,
      outcomeUnknown: again.outcomeUnknown || res.outcomeUnknown,
    };
  }
}
