/**
 * One authenticated JSON exchange with the Wallaroo API: a POST under the configured endpoint,
 * a bearer token taken afresh for every attempt, and on a 401 the token renewed once and the
 * request repeated. Shared by the user calls (client.ts) and the workspace calls (workspaces.ts).
 */
import type { TokenSource } from "./auth";
import type { HttpResponse, Transport } from "./transport";

export class ApiExchange {
  readonly #base: URL;
  readonly #transport: Transport;
  readonly #tokens: TokenSource;
  /** Each path's URL, made once: a request is sent for every resource. */
  readonly #urls = new Map<string, URL>();

  constructor(base: URL, transport: Transport, tokens: TokenSource) {
    this.#base = base;
    this.#transport = transport;
    this.#tokens = tokens;
  }

  /** The full address of an API path, under the endpoint's own path. */
  url(path: string): URL {
    let url = this.#urls.get(path);
    if (!url) {
      url = new URL(this.#base.pathname.replace(/\/$/, "") + path, this.#base);
      this.#urls.set(path, url);
    }
    return url;
  }

  async post(path: string, body: unknown, options: { resendIfOutcomeUnknown?: boolean } = {}): Promise<HttpResponse> {
    const url = this.url(path);
    const payload = JSON.stringify(body);
    // The token is taken afresh for every attempt (a retry may come after the last one expired); `used` is the last one sent.
    let used = "";
    const send = async () =>
      this.#transport.send({
        url,
        endpoint: `POST ${path}`,
        headers: { "content-type": "application/json", accept: "application/json" },
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
