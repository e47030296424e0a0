/**
 * Coalesces concurrent single-key lookups into batched calls. The Pulumi engine
 * reads resources in parallel during a refresh; gathering those reads turns N
 * `/users/query` calls into about N / its `--parallel`.
 *
 * The engine hands its reads over in bursts: when a batch's answers free its
 * slots, their successors arrive together. So a batch is sent
 * - when it is full (`maxBatch`);
 * - when no batch is in flight and no key has joined for `idleMs` (the burst is
 *   over: waiting longer only adds latency), provided it holds at least half as
 *   many keys as the largest batch so far (a burst broken by a pause in the
 *   engine waits for its other half rather than going out as two queries);
 * - at the latest `windowMs` after its first key (a trickle of reads from a busy
 *   engine still gathers a few dozen).
 * While a batch is in flight the next one waits for it: the engine's slots are
 * busy with that batch, and its answer brings their successors, which join.
 * Both clocks then restart from the answer.
 */

interface Waiter<V> {
  resolve: (v: V | undefined) => void;
  reject: (e: unknown) => void;
}

export interface BatcherOptions {
  /** The longest a key waits for company (not counting a batch in flight), ms. */
  windowMs: number;
  /** Send once no key has joined for this long, ms (default: the window, i.e. no idle rule). */
  idleMs?: number;
  maxBatch: number;
}

export class Batcher<K, V> {
  readonly #fetch: (keys: K[]) => Promise<Map<K, V>>;
  readonly #windowMs: number;
  readonly #idleMs: number;
  readonly #maxBatch: number;
  #queue = new Map<K, Waiter<V>[]>();
  #timer?: NodeJS.Timeout;
  #firstAt = 0;
  #lastAt = 0;
  #inFlight = 0;
  #answeredAt = 0;
  #largest = 0;

  constructor(fetchMany: (keys: K[]) => Promise<Map<K, V>>, options: BatcherOptions) {
    this.#fetch = fetchMany;
    this.#windowMs = options.windowMs;
    this.#idleMs = Math.min(options.idleMs ?? options.windowMs, options.windowMs);
    this.#maxBatch = options.maxBatch;
  }

  /** Resolves with the value for `key`, or undefined when the batch did not return it. */
  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.#queue.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.#queue.set(key, [{ resolve, reject }]);
      this.#lastAt = performance.now();
      if (this.#queue.size === 1) this.#firstAt = this.#lastAt;
      if (this.#queue.size >= this.#maxBatch) this.#flush();
      else if (this.#inFlight === 0) this.#timer ??= setTimeout(() => this.#tick(), this.#idleMs);
    });
  }

  /** Sends the batch when a rule says so, else waits for the earliest moment one may. */
  #tick(): void {
    this.#timer = undefined;
    if (this.#queue.size === 0 || this.#inFlight > 0) return;
    const now = performance.now();
    const untilWindow = Math.max(this.#firstAt, this.#answeredAt) + this.#windowMs - now;
    const untilIdle = Math.max(this.#lastAt, this.#answeredAt) + this.#idleMs - now;
    const idleApplies = this.#queue.size >= Math.ceil(this.#largest / 2);
    // Timers fire up to a millisecond off; within half a millisecond counts as due.
    if (untilWindow <= 0.5 || (idleApplies && untilIdle <= 0.5)) this.#flush();
    else this.#timer = setTimeout(() => this.#tick(), idleApplies ? Math.min(untilIdle, untilWindow) : untilWindow);
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = new Map();
    if (batch.size === 0) return;
    this.#largest = Math.max(this.#largest, batch.size);
    this.#inFlight++;
    this.#fetch([...batch.keys()])
      .then(
        (found) => {
          for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.get(key));
        },
        (e: unknown) => {
          for (const waiters of batch.values()) for (const w of waiters) w.reject(e);
        },
      )
      .finally(() => {
        this.#inFlight--;
        this.#answeredAt = performance.now();
        if (this.#queue.size > 0 && this.#inFlight === 0) this.#timer ??= setTimeout(() => this.#tick(), this.#idleMs);
      });
  }
}
