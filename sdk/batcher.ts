/**
 * Coalesces concurrent single-key lookups into batched calls. The Pulumi engine
 * reads resources in parallel during a refresh; gathering those reads turns N
 * `/users/query` calls into N / batch.
 *
 * A batch is sent when it is full; when it holds at least `idleMinKeys` and no
 * new key has arrived for `idleMs` (a burst of reads is over: waiting longer
 * only adds latency); or at the latest `windowMs` after its first key. The
 * engine hands its reads over in bursts, as a returning batch frees its
 * `--parallel` slots; the idle rule sends each burst as soon as it ends instead
 * of at the end of the window, and its minimum keeps a slow trickle of reads
 * (a busy engine) from being sent in many small queries.
 */

interface Waiter<V> {
  resolve: (v: V | undefined) => void;
  reject: (e: unknown) => void;
}

export interface BatcherOptions {
  /** The longest a key waits for company, from the first key of its batch, ms. */
  windowMs: number;
  /** Send once no key has arrived for this long, ms (default: the window, i.e. no idle rule). */
  idleMs?: number;
  /** The idle rule applies from this many keys on (default 1). */
  idleMinKeys?: number;
  maxBatch: number;
}

export class Batcher<K, V> {
  readonly #fetch: (keys: K[]) => Promise<Map<K, V>>;
  readonly #windowMs: number;
  readonly #idleMs: number;
  readonly #idleMinKeys: number;
  readonly #maxBatch: number;
  #queue = new Map<K, Waiter<V>[]>();
  #timer?: NodeJS.Timeout;
  #firstAt = 0;
  #lastAt = 0;

  constructor(fetchMany: (keys: K[]) => Promise<Map<K, V>>, options: BatcherOptions) {
    this.#fetch = fetchMany;
    this.#windowMs = options.windowMs;
    this.#idleMs = Math.min(options.idleMs ?? options.windowMs, options.windowMs);
    this.#idleMinKeys = options.idleMinKeys ?? 1;
    this.#maxBatch = options.maxBatch;
  }

  /** Resolves with the value for `key`, or undefined when the batch did not return it. */
  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.#queue.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.#queue.set(key, [{ resolve, reject }]);
      if (this.#queue.size >= this.#maxBatch) {
        this.#flush();
        return;
      }
      this.#lastAt = performance.now();
      if (!this.#timer) {
        this.#firstAt = this.#lastAt;
        this.#arm(this.#idleMs);
      }
    });
  }

  /** One timer per batch, re-armed when it fires early rather than reset on every key. */
  #arm(delayMs: number): void {
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, delayMs));
  }

  #tick(): void {
    const now = performance.now();
    const untilIdle = this.#lastAt + this.#idleMs - now;
    const untilWindow = this.#firstAt + this.#windowMs - now;
    // Timers fire up to ~1 ms late or early; within half a millisecond counts as due.
    const idleApplies = this.#queue.size >= this.#idleMinKeys;
    if (untilWindow <= 0.5 || (idleApplies && untilIdle <= 0.5)) this.#flush();
    else this.#arm(idleApplies ? Math.min(untilIdle, untilWindow) : untilWindow);
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = new Map();
    if (batch.size === 0) return;
    this.#fetch([...batch.keys()]).then(
      (found) => {
        for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.get(key));
      },
      (e: unknown) => {
        for (const waiters of batch.values()) for (const w of waiters) w.reject(e);
      },
    );
  }
}
