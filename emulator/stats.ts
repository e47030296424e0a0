/** Request counters, so tests and benchmarks can see what the client actually sent. */
import type { EmulatorStats } from "./types";

export class StatsRecorder {
  #requests: Record<string, number> = {};
  #calls: Record<string, number> = {};
  #byStatus: Record<string, number> = {};
  #total = 0;
  #startedAt = Date.now();
  #tokensAtReset = 0;

  constructor(private readonly tokensIssued: () => number) {}

  /** `endpoint`: the path, or a Keycloak user path's template. */
  request(endpoint: string, method: string): void {
    this.#requests[endpoint] = (this.#requests[endpoint] ?? 0) + 1;
    const call = `${method} ${endpoint}`;
    this.#calls[call] = (this.#calls[call] ?? 0) + 1;
    this.#total++;
  }

  /** `status` is the HTTP status, or "dropped" when a fault destroyed the connection. */
  outcome(status: number | "dropped"): void {
    const k = String(status);
    this.#byStatus[k] = (this.#byStatus[k] ?? 0) + 1;
  }

  reset(): void {
    this.#requests = {};
    this.#calls = {};
    this.#byStatus = {};
    this.#total = 0;
    this.#startedAt = Date.now();
    this.#tokensAtReset = this.tokensIssued();
  }

  snapshot(): EmulatorStats {
    const seconds = Math.max((Date.now() - this.#startedAt) / 1000, 0.001);
    return {
      requests: { ...this.#requests },
      calls: { ...this.#calls },
      byStatus: { ...this.#byStatus },
      total: this.#total,
      startedAt: this.#startedAt,
      requestsPerSecond: this.#total / seconds,
      tokensIssued: this.tokensIssued() - this.#tokensAtReset,
    };
  }
}
