import assert from "node:assert/strict";
import { Batcher } from "../../sdk/batcher";

/** A batcher over an in-memory table that records every batch it is asked for. */
function recording(options: ConstructorParameters<typeof Batcher<string, string>>[1]) {
  const batches: string[][] = [];
  const batcher = new Batcher<string, string>(async (keys) => {
    batches.push(keys);
    return new Map(keys.map((k) => [k, k.toUpperCase()]));
  }, options);
  return { batches, batcher };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Batcher", () => {
  it("coalesces the keys asked for within the window into one batch, each key once", async () => {
    const { batches, batcher } = recording({ windowMs: 20, maxBatch: 100 });
    const values = await Promise.all(["a", "b", "a", "c"].map((k) => batcher.load(k)));
    assert.deepEqual(values, ["A", "B", "A", "C"]);
    assert.deepEqual(batches, [["a", "b", "c"]]);
  });

  it("sends a full batch at once and starts the next", async () => {
    const { batches, batcher } = recording({ windowMs: 60_000, maxBatch: 2 });
    const first = Promise.all([batcher.load("a"), batcher.load("b")]);
    assert.deepEqual(await first, ["A", "B"]);
    assert.deepEqual(batches, [["a", "b"]]);
  });

  it("sends a burst as soon as no key has joined it for idleMs, long before the window ends", async () => {
    const { batches, batcher } = recording({ windowMs: 60_000, idleMs: 5, maxBatch: 100 });
    const burst = ["a", "b", "c"].map((k) => batcher.load(k));
    // Under mocha's 2 s timeout: only the idle rule can send it (the window is a minute).
    assert.deepEqual(await Promise.all(burst), ["A", "B", "C"]);
    assert.deepEqual(batches, [["a", "b", "c"]]);
  });

  it("holds the next batch while one is in flight, then sends everything that joined as one", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const batches: string[][] = [];
    const batcher = new Batcher<string, string>(
      async (keys) => {
        batches.push(keys);
        if (batches.length === 1) await gate;
        return new Map(keys.map((k) => [k, k.toUpperCase()]));
      },
      { windowMs: 10, idleMs: 1, maxBatch: 100 },
    );
    const first = batcher.load("a");
    await pause(30);
    const later = ["b", "c", "d"].map((k) => batcher.load(k));
    await pause(60);
    assert.deepEqual(batches, [["a"]], "nothing more is sent while the first batch is unanswered, window or not");
    release();
    assert.deepEqual(await Promise.all([first, ...later]), ["A", "B", "C", "D"]);
    assert.deepEqual(batches, [["a"], ["b", "c", "d"]]);
  });

  it("keeps a batch under half the largest so far waiting for the window, not the idle gap", async () => {
    const { batches, batcher } = recording({ windowMs: 400, idleMs: 2, maxBatch: 100 });
    await Promise.all(["a", "b", "c", "d"].map((k) => batcher.load(k)));
    const early = batcher.load("e");
    await pause(100);
    assert.deepEqual(batches, [["a", "b", "c", "d"]], "one key is under half of four: no idle send");
    const late = batcher.load("f");
    assert.deepEqual(await Promise.all([early, late]), ["E", "F"]);
    assert.deepEqual(
      batches,
      [
        ["a", "b", "c", "d"],
        ["e", "f"],
      ],
      "two keys are half of four: the idle rule sent them",
    );
  });

  it("resolves a key the batch did not return as undefined, and rejects every waiter when the batch fails", async () => {
    const missing = new Batcher<string, string>(async () => new Map(), { windowMs: 1, maxBatch: 10 });
    assert.equal(await missing.load("x"), undefined);
    const failing = new Batcher<string, string>(
      async () => {
        throw new Error("boom");
      },
      { windowMs: 1, maxBatch: 10 },
    );
    const results = await Promise.allSettled([failing.load("x"), failing.load("y")]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["rejected", "rejected"],
    );
  });
});
