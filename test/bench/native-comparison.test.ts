/**
 * bench/native.ts on a small stack: the comparison `npm run bench` prints for 1,000 users, here
 * with 20, checked by what it counts (never by time): both styles make the same writes in every
 * phase and coalesce their reads, each phase's provider CPU is measured for both, the native
 * checkpoint is smaller by at least the `__provider` of each user, and the table has a row per phase.
 */
import assert from "node:assert/strict";
import { type NativeRun, nativeTable, runNativeComparison } from "../../bench/native";
import { inProcess, PHASES } from "../../bench/phases";
import { ADMIN_PASSWORD, startWorld, type World } from "../support/world";

const USERS = 20;
const PARALLEL = 8;

describe("native plugin against the dynamic provider (bench/native, small run)", function () {
  this.timeout(180_000);
  let world: World;
  let run: NativeRun;

  before(async () => {
    world = await startWorld({ edition: "enterprise" });
    [run] = await runNativeComparison({
      emu: inProcess(world.emu),
      projectDir: world.projectDir,
      users: USERS,
      runs: 1,
      parallel: PARALLEL,
      adminPassword: ADMIN_PASSWORD,
      edition: "enterprise",
    });
  });
  after(async () => world?.close());

  it("makes the same writes in both styles, phase by phase, and coalesces the reads in both", () => {
    for (const phase of PHASES) {
      const calls = (style: "dynamic" | "native") => {
        const { query, ...writes } = run[style].find((p) => p.phase === phase)!.calls;
        // How many reads a batch gathers depends on timing; the bound is the one of test/bench/callcounts.test.ts.
        assert.ok((query ?? 0) <= 2 * Math.ceil(USERS / PARALLEL), `${style} ${phase}: ${query} /users/query calls`);
        return writes;
      };
      assert.deepEqual(calls("native"), calls("dynamic"), phase);
    }
    assert.equal(run.native.find((p) => p.phase === "up")!.calls["kc:POST users"], USERS);
  });

  it("measures the provider processes' CPU of every phase in both styles", () => {
    for (const style of ["dynamic", "native"] as const)
      for (const p of run[style]) assert.ok(p.hostCpuMs > 0, `${style} ${p.phase}: ${p.hostCpuMs} ms`);
  });

  it("stores a smaller checkpoint natively, by at least the __provider of each user", () => {
    const after = (style: "dynamic" | "native") => run[style].find((p) => p.phase === "up")!.checkpointBytes;
    // __provider (the serialized dynamic provider, ~2.6 kB) is stored in each user's inputs and outputs.
    assert.ok(after("dynamic") - after("native") > USERS * 2 * 2000, `${after("dynamic")} against ${after("native")}`);
    assert.equal(run.native.find((p) => p.phase === "destroy")!.checkpointBytes > 0, true);
  });

  it("prints one row per phase with both styles and their ratios", () => {
    const lines = nativeTable([run], USERS).split("\n");
    assert.equal(lines.length, 2 + PHASES.length);
    for (const [i, phase] of PHASES.entries()) assert.match(lines[2 + i], new RegExp(`^\\| ${phase} +\\| \\d`));
    assert.match(lines[0], /provider CPU, native/);
  });
});
