import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { assertOk, ProviderHostError, SECRET_SIG, SIG_KEY, startProviderHost, UNKNOWN } from "../harness";
import { COUNTER_TYPE, fixtureTarball, newWorld, World } from "./world";

const A = { name: "a", args: { name: "A", value: 1, kind: "x" } };
const B = { name: "b", args: { name: "B", value: 2, kind: "x" } };

function urnOf(w: World, name: string): string {
  return w.engine.makeUrn(COUNTER_TYPE, name);
}

describe("harness: engine driving the real dynamic-provider host", function () {
  this.timeout(60_000);

  before(async function () {
    // npm pack + the first npm install of a consumer project (later ones reuse it).
    this.timeout(300_000);
    await newWorld([]);
  });

  it("plays up → update → replace (both orders) → remove → refresh → destroy", async function () {
    this.timeout(150_000); // nine operations, each starting a program and a host (~1.5 s each on an idle machine)
    const w = await newWorld([A, B]);
    const e = w.engine;

    // up creates
    const s1 = assertOk(await e.up("index.js"));
    assert.deepStrictEqual(s1.created.sort(), [urnOf(w, "a"), urnOf(w, "b")]);
    const recs = w.records();
    assert.strictEqual(Object.keys(recs).length, 2);
    const idA = e.getResource("a")!.id!;
    assert.strictEqual(recs[idA].name, "A");
    assert.strictEqual(s1.outputs.a && (s1.outputs.a as { id: string }).id, idA);
    assert.strictEqual(e.metrics.grpcCalls.Create, 2);
    assert.strictEqual(e.metrics.hostPids.length, 1);

    // edit + up updates in place; the untouched one is the same
    await w.setSpec([{ ...A, args: { ...A.args, value: 5 } }, B]);
    const s2 = assertOk(await e.up("index.js"));
    assert.deepStrictEqual(s2.updated, [urnOf(w, "a")]);
    assert.deepStrictEqual(s2.same, [urnOf(w, "b")]);
    assert.strictEqual(e.getResource("a")!.id, idA);
    assert.strictEqual(w.records()[idA].value, 5);
    assert.strictEqual(w.records()[idA].updates, 1);
    assert.strictEqual(e.getProperty("a", "outputs", "value").value, 5);
    assert.strictEqual((s2.outputs.a as { updates: number }).updates, 1);

    // replace property: create the new one, then delete the old one
    let before = w.ops().length;
    await w.setSpec([{ ...A, args: { ...A.args, value: 5, kind: "y" } }, B]);
    const s3 = assertOk(await e.up("index.js"));
    assert.deepStrictEqual(s3.replaced, [urnOf(w, "a")]);
    const idA2 = e.getResource("a")!.id!;
    assert.notStrictEqual(idA2, idA);
    assert.deepStrictEqual(w.ops().slice(before), [`create ${idA2} A`, `delete ${idA}`]);
    assert.deepStrictEqual(Object.keys(w.records()).sort(), [idA2, e.getResource("b")!.id].sort());

    // with the deleteBeforeReplace resource option: delete first
    before = w.ops().length;
    await w.setSpec([{ ...A, args: { ...A.args, value: 5, kind: "z" }, opts: { deleteBeforeReplace: true } }, B]);
    const s4 = assertOk(await e.up("index.js"));
    const idA3 = e.getResource("a")!.id!;
    assert.deepStrictEqual(w.ops().slice(before), [`delete ${idA2}`, `create ${idA3} A`]);
    assert.strictEqual(s4.steps.find((s) => s.op === "replace")!.deleteBeforeReplace, true);

    // the provider's diff asking for deleteBeforeReplace: delete first too
    before = w.ops().length;
    await w.setSpec([{ ...A, args: { ...A.args, value: 5, kind: "w", providerDeleteBeforeReplace: true } }, B]);
    assertOk(await e.up("index.js"));
    const idA4 = e.getResource("a")!.id!;
    assert.deepStrictEqual(w.ops().slice(before), [`delete ${idA3}`, `create ${idA4} A`]);

    // removing a registration deletes the resource
    const idB = e.getResource("b")!.id!;
    await w.setSpec([{ ...A, args: { ...A.args, value: 5, kind: "w", providerDeleteBeforeReplace: true } }]);
    const s5 = assertOk(await e.up("index.js"));
    assert.deepStrictEqual(s5.deleted, [urnOf(w, "b")]);
    assert.strictEqual(w.records()[idB], undefined);
    assert.deepStrictEqual(e.urns(), [urnOf(w, "a")]);

    // refresh: a record changed behind our back is read back; one deleted behind our back leaves the state
    await w.setSpec([{ ...A, args: { ...A.args, value: 5, kind: "w", providerDeleteBeforeReplace: true } }, B]);
    assertOk(await e.up("index.js"));
    const idB2 = e.getResource("b")!.id!;
    const recs2 = w.records();
    recs2[idA4].value = 42;
    delete recs2[idB2];
    fs.writeFileSync(path.join(w.counterDir, "records.json"), JSON.stringify(recs2));
    const r = assertOk(await e.refresh());
    assert.deepStrictEqual(r.removed, [urnOf(w, "b")]);
    assert.ok(r.refreshed.includes(urnOf(w, "a")));
    assert.strictEqual(e.getResource("b"), undefined);
    assert.strictEqual(e.getProperty("a", "outputs", "value").value, 42);
    assert.strictEqual(e.getProperty("a", "inputs", "value").value, 42, "read returned inputs, so they are taken");

    // destroy deletes everything
    const d = assertOk(await e.destroy());
    assert.ok(d.deleted.includes(urnOf(w, "a")));
    assert.deepStrictEqual(w.records(), {});
    assert.deepStrictEqual(e.state.checkpoint.latest.resources, []);
    assert.deepStrictEqual(JSON.parse(e.stateText()).checkpoint.latest.resources, []);
    // one host per operation, all stopped
    assert.strictEqual(e.metrics.hostPids.length, 9);
    assert.strictEqual(e.metrics.hostPeakRssKb.length, 9);
    assert.ok(
      e.metrics.hostPeakRssKb.every((kb) => kb > 10_000),
      "peak RSS of each host sampled",
    );
    assert.ok(e.metrics.operations.every((o) => typeof o.timings.total === "number"));
  });

  it("returns check failures by property name and carries on with the other resources", async () => {
    const w = await newWorld([{ name: "bad", args: { name: "", value: -1, kind: "x" } }, A]);
    const s = await w.engine.up("index.js");
    assert.strictEqual(s.ok, false);
    assert.deepStrictEqual(s.created, [urnOf(w, "a")]);
    assert.strictEqual(s.failed.length, 1);
    const f = s.failed[0];
    assert.strictEqual(f.urn, urnOf(w, "bad"));
    assert.deepStrictEqual(
      f.failures!.map((x) => x.property),
      ["name", "value"],
    );
    assert.match(f.message, /property value: value must be a number >= 0/);
    assert.throws(() => assertOk(s), /property name: name must be a non-empty string/);
    assert.strictEqual(Object.keys(w.records()).length, 1);
  });

  it("keeps secret inputs and additionalSecretOutputs secret, and out of the state file's text", async () => {
    const literal = "s3cr3t-Literal-Value-9f2";
    const w = await newWorld([{ ...A, secretInput: literal }]);
    const e = w.engine;
    const s = assertOk(await e.up("index.js"));
    const token = w.records()[e.getResource("a")!.id!].token as string;
    assert.ok(token && token.length > 8);
    // the provider received the plain value (the host does not accept secrets)
    assert.strictEqual(w.records()[e.getResource("a")!.id!].secretInput, literal);
    assert.strictEqual(e.isSecretInState("a", "inputs", "secretInput"), true);
    assert.strictEqual(e.isSecretInState("a", "outputs", "secretInput"), true);
    assert.strictEqual(e.isSecretInState("a", "outputs", "token"), true);
    assert.strictEqual(e.isSecretInState("a", "outputs", "value"), false);
    assert.strictEqual(e.getProperty("a", "outputs", "token").value, token);
    const text = e.stateText();
    assert.ok(!text.includes(literal), "secret input literal in state file");
    assert.ok(!text.includes(token), "secret output literal in state file");
    const stored = JSON.parse(text).checkpoint.latest.resources.find((r: { urn: string }) => r.urn === urnOf(w, "a"));
    assert.strictEqual(stored.outputs.token[SIG_KEY], SECRET_SIG);
    assert.strictEqual(typeof stored.outputs.token.ciphertext, "string");
    // the program sees the output as a secret: the stack output holding it is secret
    assert.deepStrictEqual(s.secretOutputs, ["a"]);
    assert.deepStrictEqual(e.findInArtifacts([literal, token]), []);
    // a second up is a no-op, secrets and all
    const s2 = assertOk(await e.up("index.js"));
    assert.deepStrictEqual(s2.same, [urnOf(w, "a")]);
    assert.ok(!e.stateText().includes(literal));
  });

  it("runs a TypeScript program with stack config, secret config reaching it as a secret", async () => {
    const w = await newWorld([]);
    const e = w.engine;
    e.config["counter:label"] = "from config";
    e.config["counter:password"] = "pw-literal-77";
    e.secretConfigKeys.push("counter:password");
    const s = assertOk(await e.up("program.ts"));
    assert.deepStrictEqual(s.created, [urnOf(w, "from-ts")]);
    assert.strictEqual(s.outputs.id, e.getResource("from-ts")!.id);
    assert.deepStrictEqual(s.secretOutputs, ["token"]);
    assert.strictEqual(e.isSecretInState("from-ts", "inputs", "secretInput"), true);
    assert.strictEqual(Object.values(w.records())[0].name, "from config");
    assert.ok(!e.stateText().includes("pw-literal-77"));
  });

  it("fails an import-style Read (id, no properties, no inputs: step.go ImportStep.Apply) with the host's own error", async () => {
    const w = await newWorld([A]);
    assertOk(await w.engine.up("index.js"));
    const id = w.engine.getResource("a")!.id!;
    await assert.rejects(w.engine.importRead(COUNTER_TYPE, "imported", id), (err: unknown) => {
      assert.ok(err instanceof ProviderHostError);
      assert.strictEqual(err.method, "Read");
      assert.match(err.message, /Cannot read properties of undefined \(reading 'toJavaScript'\)/);
      return true;
    });
    // the `import` resource option goes the same way
    await w.setSpec([A, { name: "imp", args: A.args, opts: { import: id } }]);
    const s = await w.engine.up("index.js");
    assert.strictEqual(s.ok, false);
    assert.strictEqual(s.failed[0].urn, urnOf(w, "imp"));
    assert.match(s.failed[0].message, /Cannot read properties of undefined \(reading 'toJavaScript'\)/);
    assert.strictEqual(s.deletesSkipped, false);
    assert.strictEqual(w.engine.getResource("imp"), undefined);
  });

  it("previews without mutating anything", async () => {
    const w = await newWorld([A, B]);
    const e = w.engine;
    assertOk(await e.up("index.js"));
    const recordsBefore = JSON.stringify(w.records());
    const opsBefore = w.ops();
    const stateBefore = e.stateText();
    await w.setSpec([
      { ...A, args: { ...A.args, value: 9 } },
      { ...B, args: { ...B.args, kind: "q" } },
      { name: "c", args: { name: "C", value: 3 } },
    ]);
    const p = assertOk(await e.preview("index.js"));
    assert.deepStrictEqual(p.updated, [urnOf(w, "a")]);
    assert.deepStrictEqual(p.replaced, [urnOf(w, "b")]);
    assert.deepStrictEqual(p.created, [urnOf(w, "c")]);
    assert.strictEqual(JSON.stringify(w.records()), recordsBefore);
    assert.deepStrictEqual(w.ops(), opsBefore);
    assert.strictEqual(e.stateText(), stateBefore);
    assert.strictEqual(e.getResource("c"), undefined);
    assert.strictEqual(e.metrics.grpcCalls.Update ?? 0, 0);
    assert.strictEqual(e.metrics.grpcCalls.Delete ?? 0, 0);
    assert.strictEqual(e.metrics.grpcCalls.Create, 2, "only the first up's creates");
  });

  it("reaches the provider's configure only through Configure (no config → the provider says so)", async () => {
    const w = await newWorld([A], { config: {} });
    const s = await w.engine.up("index.js");
    assert.strictEqual(s.ok, false);
    assert.match(s.failed[0].message, /counter:dir is not configured/);
    assert.ok(
      s.programErrors.some((m) => /counter:dir is not configured/.test(m)),
      "the program sees the failed registration",
    );
  });
});

describe("harness: provider host wrapper", function () {
  this.timeout(60_000);

  it("returns check failures as data, surfaces host errors, and counts calls", async () => {
    const w = await newWorld([A]);
    assertOk(await w.engine.up("index.js"));
    const r = w.engine.getResource("a")!;
    const host = await startProviderHost({ cwd: w.dir });
    try {
      const conf = await host.configure({ "counter:dir": w.counterDir });
      assert.strictEqual(conf.acceptSecrets, false, "the dynamic host does not accept secrets");
      const urn = r.urn;
      const bad = await host.check(urn, r.inputs, { ...r.inputs, value: -3 });
      assert.deepStrictEqual(bad.failures, [{ property: "value", reason: "value must be a number >= 0" }]);
      const diff = await host.diff(urn, r.id!, r.outputs, { ...r.inputs, kind: "k2" }, r.inputs);
      assert.deepStrictEqual([diff.changes, diff.replaces], ["some", ["kind"]]);
      // refresh-style Read works, since it carries the state (and so __provider)
      const read = await host.read(urn, r.id!, r.outputs, r.inputs);
      assert.strictEqual(read.id, r.id);
      await assert.rejects(host.update(urn, "nope", r.outputs, r.inputs, r.inputs), /counter nope not found/);
      assert.deepStrictEqual(host.calls, { Configure: 1, Check: 1, Diff: 1, Read: 1, Update: 1 });
      assert.ok(host.memory()!.peakRssKb > 10_000);
    } finally {
      await host.stop();
    }
    assert.strictEqual(host.isRunning, false);
  });

  it("uses the wire constants of @pulumi/pulumi's rpc module", async () => {
    // Checked in the consumer project's own copy, in a child process.
    await fixtureTarball();
    const w = await newWorld([]);
    const { execFileSync } = await import("child_process");
    const out = execFileSync(
      process.execPath,
      [
        "-e",
        'const r=require("@pulumi/pulumi/runtime/rpc");console.log(JSON.stringify([r.specialSigKey,r.specialSecretSig,r.unknownValue]))',
      ],
      { cwd: w.dir },
    ).toString();
    assert.deepStrictEqual(JSON.parse(out), [SIG_KEY, SECRET_SIG, UNKNOWN]);
  });
});
