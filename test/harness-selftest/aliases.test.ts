import * as assert from "assert";
import { assertOk } from "../harness";
import { COUNTER_TYPE, newWorld, World } from "./world";

const ARGS = { name: "A", value: 1, kind: "x" };

function urnOf(w: World, name: string): string {
  return w.engine.makeUrn(COUNTER_TYPE, name);
}

describe("harness: renames and the aliases option", function () {
  this.timeout(60_000);

  before(async function () {
    // npm pack + the first npm install of a consumer project (later ones reuse it).
    this.timeout(300_000);
    await newWorld([]);
  });

  it("a rename with an alias (by name, then by URN) keeps the state: Diff only, no create or delete", async () => {
    const w = await newWorld([{ name: "a", args: ARGS }]);
    const e = w.engine;
    assertOk(await e.up("index.js"));
    const id = e.getResource("a")!.id!;
    const token = e.getProperty("a", "outputs", "token").value;
    const opsBefore = w.ops();

    await w.setSpec([{ name: "a2", args: ARGS, opts: { aliases: [{ name: "a" }] } }]);
    const p = assertOk(await e.preview("index.js"));
    assert.deepStrictEqual([p.same, p.created, p.deleted], [[urnOf(w, "a2")], [], []], "the preview agrees");
    assert.deepStrictEqual(e.urns(COUNTER_TYPE), [urnOf(w, "a")], "and changes nothing");
    const s = assertOk(await e.up("index.js"));
    assert.deepStrictEqual(s.same, [urnOf(w, "a2")]);
    assert.deepStrictEqual([s.created, s.deleted, s.updated, s.replaced], [[], [], [], []]);
    assert.strictEqual(s.steps.find((x) => x.urn === urnOf(w, "a2"))!.aliasedFrom, urnOf(w, "a"));
    assert.deepStrictEqual(e.urns(COUNTER_TYPE), [urnOf(w, "a2")]);
    assert.strictEqual(e.getResource("a2")!.id, id);
    assert.strictEqual(e.getProperty("a2", "outputs", "token").value, token, "output unchanged");
    assert.deepStrictEqual((s.outputs.a2 as { id: string }).id, id);

    // by full URN, with an input change: an update in place under the new name
    await w.setSpec([{ name: "a3", args: { ...ARGS, value: 2 }, opts: { aliases: [urnOf(w, "a2")] } }]);
    const s2 = assertOk(await e.up("index.js"));
    assert.deepStrictEqual(s2.updated, [urnOf(w, "a3")]);
    assert.deepStrictEqual([s2.created, s2.deleted], [[], []]);
    assert.deepStrictEqual(e.urns(COUNTER_TYPE), [urnOf(w, "a3")]);
    assert.strictEqual(e.getResource("a3")!.id, id);

    assert.deepStrictEqual(w.ops(), [...opsBefore, `update ${id} A`], "no create or delete reached the provider");
    assert.strictEqual(e.metrics.grpcCalls.Create, 1);
    assert.strictEqual(e.metrics.grpcCalls.Delete, undefined);
    assert.strictEqual(e.metrics.grpcCalls.Diff, 3, "preview, rename, rename with a change");
    assert.deepStrictEqual(Object.keys(w.records()), [id]);
  });

  it("a rename without an alias creates the new URN, then deletes the old one in the same host", async () => {
    const w = await newWorld([{ name: "a", args: ARGS }]);
    const e = w.engine;
    assertOk(await e.up("index.js"));
    const oldId = e.getResource("a")!.id!;
    const before = w.ops().length;

    await w.setSpec([{ name: "a2", args: ARGS }]);
    const s = assertOk(await e.up("index.js"));
    assert.deepStrictEqual(s.created, [urnOf(w, "a2")]);
    assert.deepStrictEqual(s.deleted, [urnOf(w, "a")]);
    const newId = e.getResource("a2")!.id!;
    assert.deepStrictEqual(w.ops().slice(before), [`create ${newId} A`, `delete ${oldId}`]);
    assert.deepStrictEqual(e.metrics.hostPids.length, 2, "one host per up: the delete ran in the up's own host");
    assert.deepStrictEqual(e.urns(COUNTER_TYPE), [urnOf(w, "a2")]);
  });

  it("an alias naming a URN that is not in the state is ignored: an ordinary create", async () => {
    const w = await newWorld([{ name: "a", args: ARGS }]);
    const e = w.engine;
    assertOk(await e.up("index.js"));
    const before = w.ops().length;

    const ghost = urnOf(w, "never-existed");
    await w.setSpec([
      { name: "a", args: ARGS },
      { name: "c", args: { ...ARGS, name: "C" }, opts: { aliases: [ghost, { name: "also-missing" }] } },
    ]);
    const s = assertOk(await e.up("index.js"));
    assert.deepStrictEqual(s.created, [urnOf(w, "c")]);
    assert.deepStrictEqual(s.same, [urnOf(w, "a")]);
    assert.deepStrictEqual(s.deleted, []);
    assert.strictEqual(s.steps.find((x) => x.urn === urnOf(w, "c"))!.aliasedFrom, undefined);
    assert.deepStrictEqual(w.ops().slice(before), [`create ${e.getResource("c")!.id} C`]);
  });

  it("two resources claiming one old URN: the second fails and nothing is deleted", async () => {
    const w = await newWorld([{ name: "a", args: ARGS }]);
    const e = w.engine;
    assertOk(await e.up("index.js"));
    await w.setSpec([
      { name: "x", args: ARGS, opts: { aliases: [{ name: "a" }] } },
      { name: "y", args: ARGS, opts: { aliases: [{ name: "a" }] } },
    ]);
    const s = await e.up("index.js");
    assert.strictEqual(s.ok, false);
    assert.match(s.failed.map((f) => f.message).join("\n"), /Duplicate resource alias '.*::a' applied to resource/);
    assert.strictEqual(e.metrics.grpcCalls.Delete, undefined);
    assert.strictEqual(e.metrics.grpcCalls.Create, 1);
  });
});
