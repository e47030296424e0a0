/**
 * Coalesces concurrent single-key lookups into batched calls. The Pulumi engine
 * reads resources in parallel during a refresh; gathering those reads for a
 * couple of milliseconds turns N `/users/query` calls into N / batch.
 */

interface Waiter<V> {
  resolve: (v: V | undefined) => void;
  reject: (e: unknown) => void;
}

export class Batcher<K, V> {
  readonly #fetch: (keys: K[]) => Promise<Map<K, V>>;
  readonly #windowMs: number;
  readonly #maxBatch: number;
  #queue = new Map<K, Waiter<V>[]>();
  #timer?: NodeJS.Timeout;

  constructor(fetchMany: (keys: K[]) => Promise<Map<K, V>>, options: { windowMs: number; maxBatch: number }) {
    this.#fetch = fetchMany;
    this.#windowMs = options.windowMs;
    this.#maxBatch = options.maxBatch;
  }

  /** Resolves with the value for `key`, or undefined when the batch did not return it. */
  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.#queue.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.#queue.set(key, [{ resolve, reject }]);
      if (this.#queue.size >= this.#maxBatch) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#windowMs);
    });
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
