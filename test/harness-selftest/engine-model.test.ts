/**
 * The harness does what pulumi/pulumi's engine does where our provider can tell the difference
 * (issue #21, part 1). Each case names the engine source it models; all run the counter fixture
 * in @pulumi/pulumi's real dynamic-provider host.
 */
import * as assert from "assert";
import * as os from "os";
import { assertOk, DEFAULT_PROVIDER_TYPE, defaultParallel, MAX_ERROR_HOOK_RETRIES } from "../harness";
import { COUNTER_TYPE, newWorld, World, type ResourceSpec } from "./world";

const spec = (name: string, args: Record<string, unknown> = {}, more: Partial<ResourceSpec> = {}): ResourceSpec => ({
  name,
  args: { name, value: 1, kind: "x", ...args },
  ...more,
});

const urnOf = (w: World, name: string) => w.engine.makeUrn(COUNTER_TYPE, name);
/** Resource names, the root stack left out. */
const short = (urns: string[]) =>
  urns
    .filter((u) => !u.includes("::pulumi:pulumi:Stack::"))
    .map((u) => u.split("::").pop())
    .sort();
/** The labels the provider hosts were configured with, in order (the fixture logs each Configure). */
const labels = (w: World) => w.jsonLines("configure.log").map((l) => l.label);

describe("harness: the default provider is a resource with the stack configuration as inputs", function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(300_000);
    await newWorld([]);
  });

  // pkg/resource/deploy/default_providers.go, target.go `GetPackageConfig` (a dynamic package gets every key).
  it("records pulumi:providers:pulumi-nodejs 'default' with every key, secrets encrypted, and each resource's reference", async () => {
    const w = await newWorld([spec("a"), spec("b")], { secretConfigKeys: ["counter:password"] });
    w.engine.setConfig("counter:label", "v1");
    w.engine.setConfig("counter:password", "pw-literal-3141", { secret: true });
    w.engine.setConfig("other:thing", "kept too");
    assertOk(await w.engine.up("index.js"));

    const providers = w.engine.listResources().filter((r) => r.type === DEFAULT_PROVIDER_TYPE);
    assert.strictEqual(providers.length, 1);
    const p = providers[0];
    assert.ok(p.urn.endsWith(`::${DEFAULT_PROVIDER_TYPE}::default`));
    assert.match(p.id!, /^[0-9a-f-]{36}$/, "a UUID, as providers/registry.go Create");
    assert.deepStrictEqual(Object.keys(p.inputs).sort(), [
      "counter:dir",
      "counter:label",
      "counter:password",
      "other:thing",
    ]);
    assert.strictEqual(p.inputs["counter:label"], "v1", "plain text as set");
    assert.ok(w.engine.isSecretInState(p.urn, "inputs", "counter:password"));
    assert.ok(!w.engine.stateText().includes("pw-literal-3141"), "encrypted in the checkpoint");
    assert.ok(w.engine.stateText().includes('"counter:label": "v1"'), "the others in plain text");
    for (const name of ["a", "b"]) {
      assert.strictEqual(w.engine.getResource(name)!.provider, `${p.urn}::${p.id}`);
    }
    // Not among the resources a summary reports, and not deleted before what references it.
    const d = assertOk(await w.engine.destroy());
    assert.deepStrictEqual(short(d.deleted), ["a", "b"]);
    const at = (urn: string) => d.steps.findIndex((x) => x.urn === urn);
    assert.ok(at(p.urn) > at(urnOf(w, "a")) && at(p.urn) > at(urnOf(w, "b")), "the provider goes after its resources");
  });

  // providers/registry.go `Diff` (DiffConfig unimplemented by the dynamic host → DiffUnknown; old outputs vs new inputs).
  it("updates the provider (same id) when the configuration changes, never replaces it", async () => {
    const w = await newWorld([spec("a")]);
    w.engine.setConfig("counter:label", "v1");
    assertOk(await w.engine.up("index.js"));
    const id = w.engine.getResource("default")!.id;
    w.engine.setConfig("counter:label", "v2");
    const s = assertOk(await w.engine.up("index.js"));
    const step = s.steps.find((x) => x.urn.endsWith("::default"))!;
    assert.strictEqual(step.op, "update");
    assert.deepStrictEqual(step.changedKeys, ["counter:label"]);
    assert.strictEqual(w.engine.getResource("default")!.id, id);
    assert.strictEqual(w.engine.getResource("default")!.inputs["counter:label"], "v2");
  });

  // deployment.go / registry.go `Same`: refresh and destroy load the provider from the old snapshot.
  it("configures refresh and destroy with what the last up stored, and with --run-program from the current configuration", async () => {
    const w = await newWorld([spec("a")]);
    w.engine.setConfig("counter:label", "stored");
    assertOk(await w.engine.up("index.js"));
    w.engine.setConfig("counter:label", "current");

    assertOk(await w.engine.refresh());
    assert.strictEqual(labels(w).pop(), "stored", "refresh: the stored inputs");
    assert.strictEqual(w.engine.getResource("default")!.inputs["counter:label"], "stored", "and they stay");

    assertOk(await w.engine.refresh({ runProgram: "index.js" }));
    assert.strictEqual(labels(w).pop(), "current", "refresh --run-program: the current configuration");
    assert.strictEqual(w.engine.getResource("default")!.inputs["counter:label"], "current", "now stored");

    w.engine.setConfig("counter:label", "newer");
    const d = assertOk(await w.engine.destroy());
    assert.deepStrictEqual(short(d.deleted), ["a"]);
    assert.strictEqual(labels(w).pop(), "current", "destroy: the stored inputs");
    assert.deepStrictEqual(w.records(), {});
  });

  it("destroy --run-program uses the current configuration, and a failing program deletes nothing", async () => {
    const w = await newWorld([spec("a")]);
    w.engine.setConfig("counter:label", "stored");
    assertOk(await w.engine.up("index.js"));
    w.engine.setConfig("counter:label", "current");
    const broken = await w.engine.destroy({ runProgram: "missing.js" });
    assert.strictEqual(broken.ok, false);
    assert.ok(broken.programErrors.length > 0);
    assert.strictEqual(Object.keys(w.records()).length, 1, "nothing deleted");
    assertOk(await w.engine.destroy({ runProgram: "index.js" }));
    assert.strictEqual(labels(w).pop(), "current");
    assert.deepStrictEqual(w.records(), {});
  });
});

describe("harness: a failed step cancels the rest (step_executor.go, deployment_executor.go)", function () {
  this.timeout(120_000);

  it("starts no new step after the first failure and records none of them", async () => {
    // One step at a time: whichever starts first fails (the fixture's failFirstCreate); the others
    // were registered while the host started, wait in the queue, and must never start.
    const names = ["a", "b", "c", "d"];
    const w = await newWorld(
      names.map((n) => spec(n, { failFirstCreate: true })),
      { parallel: 1 },
    );
    const s = await w.engine.up("index.js");
    assert.strictEqual(s.ok, false);
    assert.strictEqual(s.failed.length, 1);
    const first = short(s.failed.map((f) => f.urn))[0]!;
    // Registered and waiting: skipped (a registration the program had not sent yet never comes:
    // the program stops at the failure).
    assert.ok(s.skipped.length > 0, "some step was waiting");
    assert.ok(short(s.skipped).every((n) => n !== first && names.includes(n!)));
    assert.deepStrictEqual(s.created, []);
    assert.deepStrictEqual(w.ops(), [`failed ${first}`], "no Create was sent after the failure");
    assert.deepStrictEqual(w.records(), {});
  });

  it("runs no delete, not even a create-before-delete's old half, when any step failed", async () => {
    const w = await newWorld([spec("a"), spec("gone"), spec("ok")], { parallel: 2 });
    assertOk(await w.engine.up("index.js"));
    const oldA = w.engine.getResource("a")!.id!;
    // a is replaced (kind), gone is removed, and a new resource fails, after a's replacement was created.
    await w.setSpec([spec("a", { kind: "y" }), spec("ok"), spec("new", { failCreates: 1, slowMs: 3000 })]);
    const s = await w.engine.up("index.js");
    assert.strictEqual(s.ok, false);
    assert.deepStrictEqual(short(s.replaced), ["a"], "the replacement was created");
    assert.deepStrictEqual(s.deleted, []);
    assert.ok(s.deletesSkipped);
    assert.deepStrictEqual(
      short(s.skippedDeletes),
      ["a", "gone"],
      JSON.stringify(s.steps.map((x) => `${x.op} ${x.urn}`)),
    );
    assert.ok(oldA in w.records(), "the replaced a still exists");
    assert.ok(w.engine.getResource(urnOf(w, "gone")), "gone is still in the state");
    assert.ok(!w.ops().some((l) => l.startsWith("delete")), "no Delete reached the provider");
    // A clean run then does them.
    await w.setSpec([spec("a", { kind: "y" }), spec("ok")]);
    const again = assertOk(await w.engine.up("index.js"));
    assert.deepStrictEqual(short(again.deleted), ["gone"]);
    assert.ok(
      again.steps.some((x) => x.op === "delete-replaced" && x.id === oldA),
      "the old half left pending is deleted now (GenerateDeletes)",
    );
    assert.ok(!(oldA in w.records()));
  });
});

describe("harness: onError hooks retry a failed create in the same step and host (step.go, retries.go)", function () {
  this.timeout(120_000);

  it("sends Create again while the hook says so, passing every error newest first", async () => {
    const w = await newWorld([spec("a", { failCreates: 2 }, { onErrorRetries: 3 })]);
    const s = assertOk(await w.engine.up("index.js"));
    assert.deepStrictEqual(short(s.created), ["a"]);
    const attempts = w.ops().filter((l) => l.startsWith("attempt a "));
    assert.strictEqual(attempts.length, 3);
    assert.strictEqual(new Set(attempts.map((l) => l.split("pid=")[1])).size, 1, "one host process");
    const calls = w.jsonLines("hook-calls.log");
    assert.strictEqual(calls.length, 2);
    assert.strictEqual(calls[0].failedOperation, "create");
    assert.strictEqual(calls[0].name, "a");
    assert.strictEqual(calls[0].newName, "a", "the new inputs");
    assert.deepStrictEqual(
      (calls[1].errors as string[]).map((e) => /attempt (\d)/.exec(e)?.[1]),
      ["2", "1"],
      "the newest error first",
    );
    assert.strictEqual(s.hookRetries.length, 2);
  });

  it("fails the step with the last error when the hook stops asking", async () => {
    const w = await newWorld([spec("a", { failCreates: 5 }, { onErrorRetries: 2 })]);
    const s = await w.engine.up("index.js");
    assert.strictEqual(s.ok, false);
    assert.match(s.failed[0].message, /attempt 2/);
    assert.strictEqual(w.ops().filter((l) => l.startsWith("attempt a ")).length, 2);
    assert.strictEqual(w.engine.getResource("a"), undefined);
    assert.strictEqual(MAX_ERROR_HOOK_RETRIES, 100, "retries.go maxErrorHookRetries");
  });
});

describe("harness: resource options as the engine applies them (step_generator.go)", function () {
  this.timeout(120_000);

  it("an explicit deleteBeforeReplace: false overrides the provider's answer", async () => {
    const w = await newWorld([spec("a", { providerDeleteBeforeReplace: true })]);
    assertOk(await w.engine.up("index.js"));
    await w.setSpec([
      spec("a", { providerDeleteBeforeReplace: true, kind: "y" }, { opts: { deleteBeforeReplace: false } }),
    ]);
    const oldId = w.engine.getResource("a")!.id!;
    const s = assertOk(await w.engine.up("index.js"));
    assert.deepStrictEqual(short(s.replaced), ["a"]);
    const newId = w.engine.getResource("a")!.id!;
    const ops = w.ops();
    assert.ok(ops.indexOf(`create ${newId} a`) < ops.indexOf(`delete ${oldId}`), ops.join("\n"));
    const step = s.steps.find((x) => x.op === "delete-replaced")!;
    assert.ok(!step.deleteBeforeReplace, "the old half deleted after the new one was created");
  });

  it("replaceOnChanges has no effect through the dynamic host (it reports no changed keys)", async () => {
    const w = await newWorld([spec("a")]);
    assertOk(await w.engine.up("index.js"));
    await w.setSpec([spec("a", { value: 2 }, { opts: { replaceOnChanges: ["value"] } })]);
    const s = assertOk(await w.engine.up("index.js"));
    assert.deepStrictEqual(short(s.updated), ["a"]);
    assert.deepStrictEqual(s.replaced, []);
  });

  it("deletedWith: deleting the target deletes the resource without a Delete call", async () => {
    const w = await newWorld([spec("owner"), spec("part", {}, { deletedWith: "owner" })]);
    assertOk(await w.engine.up("index.js"));
    const partId = w.engine.getResource("part")!.id!;
    const d = assertOk(await w.engine.destroy());
    assert.deepStrictEqual(short(d.deleted), ["owner", "part"]);
    assert.ok(!w.ops().includes(`delete ${partId}`), "no Delete for part");
    assert.ok(partId in w.records(), "the provider never saw it");
  });

  it("--target steps only the targets; --replace replaces; --refresh diffs against the refreshed state", async () => {
    const w = await newWorld([spec("a"), spec("b")]);
    assertOk(await w.engine.up("index.js"));
    await w.setSpec([spec("a", { value: 2 }), spec("b", { value: 2 })]);
    const t = assertOk(await w.engine.up("index.js", { targets: ["b"] }));
    assert.deepStrictEqual(short(t.updated), ["b"]);
    assert.strictEqual(w.engine.getProperty("a", "inputs", "value").value, 1, "a kept its old state");

    const r = assertOk(await w.engine.up("index.js", { replace: ["b"] }));
    assert.deepStrictEqual(short(r.replaced), ["b"]);
    assert.deepStrictEqual(short(r.updated), ["a"]);

    // Out of band, a's record goes; --refresh finds it gone and creates it again.
    const idA = w.engine.getResource("a")!.id!;
    const fs = await import("fs");
    const path = await import("path");
    const recs = w.records();
    delete recs[idA];
    fs.writeFileSync(path.join(w.counterDir, "records.json"), JSON.stringify(recs));
    const plain = assertOk(await w.engine.preview("index.js"));
    assert.deepStrictEqual(plain.created, [], "without --refresh the state still has a");
    const f = assertOk(await w.engine.up("index.js", { refresh: true }));
    assert.deepStrictEqual(short(f.created), ["a"]);
  });

  it("defaults --parallel to 4 × the CPUs, or PULUMI_PARALLEL (operations/up.go)", () => {
    const saved = process.env.PULUMI_PARALLEL;
    try {
      delete process.env.PULUMI_PARALLEL;
      assert.strictEqual(defaultParallel(), 4 * (os.availableParallelism?.() ?? os.cpus().length));
      process.env.PULUMI_PARALLEL = "3";
      assert.strictEqual(defaultParallel(), 3);
    } finally {
      if (saved === undefined) {
        delete process.env.PULUMI_PARALLEL;
      } else {
        process.env.PULUMI_PARALLEL = saved;
      }
    }
  });
});
