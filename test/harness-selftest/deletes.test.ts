import * as assert from "assert";
import { assertOk } from "../harness";
import { newWorld, ResourceSpec, World } from "./world";

const r = (name: string, more: Partial<ResourceSpec> = {}): ResourceSpec => ({
  name,
  args: { name: name.toUpperCase(), value: 1, kind: "x" },
  ...more,
});

/** A chain and a diamond, a child with a dependent of its own, and two loose ones. */
const GRAPH: ResourceSpec[] = [
  r("a"),
  r("b", { dependsOn: ["a"] }),
  r("c", { dependsOn: ["a"] }),
  r("d", { dependsOn: ["b", "c"] }),
  r("e", { parent: "d" }),
  r("f", { dependsOn: ["e"] }),
  r("g"),
  r("h", { dependsOn: ["g"] }),
];

/** Each resource with what must be deleted after it (what it depends on or is parented to). */
const EDGES: Array<[string, string]> = [
  ["b", "a"],
  ["c", "a"],
  ["d", "b"],
  ["d", "c"],
  ["e", "d"],
  ["f", "e"],
  ["h", "g"],
];

/** The names of the resources in the order the provider deleted them. */
function deleteOrder(w: World, ids: Map<string, string>): string[] {
  const nameOf = new Map([...ids].map(([name, id]) => [id, name]));
  return w
    .ops()
    .filter((l) => l.startsWith("delete "))
    .map((l) => nameOf.get(l.split(" ")[1]) ?? l);
}

function idsOf(w: World, names: string[]): Map<string, string> {
  return new Map(names.map((n) => [n, w.engine.getResource(n)!.id!]));
}

function assertDependentsFirst(order: string[], edges: Array<[string, string]>): void {
  for (const [dependent, dependency] of edges) {
    if (order.includes(dependency)) {
      assert.ok(
        order.includes(dependent) && order.indexOf(dependent) < order.indexOf(dependency),
        `${dependent} deleted before ${dependency}: ${order.join(" ")}`,
      );
    }
  }
}

describe("harness: deletes in reverse dependency order", function () {
  this.timeout(60_000);

  before(async function () {
    // npm pack + the first npm install of a consumer project (later ones reuse it).
    this.timeout(300_000);
    await newWorld([]);
  });

  it("destroy, three at a time: every dependent and child goes before what it depends on", async () => {
    const w = await newWorld(GRAPH, { parallel: 3 });
    assertOk(await w.engine.up("index.js"));
    const ids = idsOf(
      w,
      GRAPH.map((s) => s.name),
    );
    const d = assertOk(await w.engine.destroy());
    const order = deleteOrder(w, ids);
    assert.deepStrictEqual([...order].sort(), [...ids.keys()].sort());
    assert.strictEqual(d.deleted.length, GRAPH.length + 1, "and the stack");
    assertDependentsFirst(order, EDGES);
    assert.deepStrictEqual(w.engine.state.checkpoint.latest.resources, []);
  });

  it("an update that drops part of the graph deletes it in reverse dependency order", async () => {
    const w = await newWorld(GRAPH, { parallel: 3 });
    assertOk(await w.engine.up("index.js"));
    const ids = idsOf(w, ["d", "e", "f", "h"]);
    await w.setSpec(GRAPH.filter((s) => !["d", "e", "f", "h"].includes(s.name)));
    const s = assertOk(await w.engine.up("index.js"));
    assert.strictEqual(s.deleted.length, 4);
    const order = deleteOrder(w, ids);
    assert.deepStrictEqual([...order].sort(), ["d", "e", "f", "h"]);
    assertDependentsFirst(order, EDGES);
    assert.deepStrictEqual(w.engine.urns().length, 4);
  });

  it("a failed delete keeps what it depends on; the rest is deleted", async () => {
    const spec = GRAPH.map((s) => (s.name === "b" ? { ...s, opts: { protect: true } } : s));
    const w = await newWorld(spec, { parallel: 3 });
    assertOk(await w.engine.up("index.js"));
    const ids = idsOf(
      w,
      GRAPH.map((s) => s.name),
    );
    const d = await w.engine.destroy();
    assert.strictEqual(d.ok, false);
    assert.deepStrictEqual(
      d.failed.map((f) => f.urn),
      [w.engine.getResource("b")!.urn],
    );
    assert.match(d.failed[0].message, /marked for protection/);
    const order = deleteOrder(w, ids);
    assert.deepStrictEqual([...order].sort(), ["c", "d", "e", "f", "g", "h"]);
    assertDependentsFirst(order, EDGES);
    assert.deepStrictEqual(
      w.engine
        .urns()
        .map((u) => u.split("::").pop())
        .sort(),
      ["a", "b"],
    );
  });
});
