/**
 * Moving a stack from the dynamic resources (`wallaroo.User` of pulumi-wallaroo) to the native
 * plugin's (`wallaroo:index:User`), as the README recommends: the same resource names, each with an
 * alias naming its old dynamic type. The engine then takes each old state over (aliases), finds the
 * provider changed and asks the new provider's DiffConfig whether that forces a replacement
 * (step_generator.go `providerChanged`: it does not), and diffs the old dynamic state against the new
 * inputs with the plugin's Diff (no change): every resource is a `same`, nothing reaches the server,
 * and the old default provider `pulumi:providers:pulumi-nodejs` leaves the state. A refresh then
 * drops the `__provider` the old outputs still carry.
 */
import assert from "node:assert/strict";
import { assertOk, type Engine } from "../harness";
import { nativeSdk } from "../support/nativeSdk";
import { serverWorkspace, workspaceMutations } from "../support/workspaces";
import { mutatingCalls, roster, startWorld, type World } from "../support/world";

const ROSTER = `
const alice = new wallaroo.User("alice", { email: "alice@example.com" }ALIAS_User);
new wallaroo.User("bob", { email: "bob@example.com", active: false }ALIAS_User);
const research = new wallaroo.Workspace("research", { name: "migration-research" }ALIAS_Workspace);
new wallaroo.WorkspaceMember("alice-research", { workspaceId: research.workspaceId, email: alice.email, role: "owner" }ALIAS_WorkspaceMember);
export const aliceId = alice.userId;
`;

const dynamicProgram = `import * as wallaroo from "pulumi-wallaroo";
${ROSTER.replace(/ALIAS_\w+/g, "")}`;

/** The native program: the same names, each with an alias to its old dynamic type. */
const nativeProgram = `import * as pulumi from "@pulumi/pulumi";
${nativeSdk()}
${ROSTER.replace(/ALIAS_(\w+)/g, (_m, t: string) => `, { aliases: [{ type: "pulumi-nodejs:dynamic/wallaroo:${t}" }] }`)}`;

/** The native program once the move is done: the aliases removed. */
const nativeProgramWithoutAliases = `import * as pulumi from "@pulumi/pulumi";
${nativeSdk()}
${ROSTER.replace(/ALIAS_\w+/g, "")}`;

describe("moving a stack from the dynamic resources to the native plugin", function () {
  this.timeout(180_000);
  let world: World;
  let engine: Engine;
  let start: { ids: Record<string, string | undefined>; bytes: number; aliceId: unknown };
  const noWrites = () => {
    assert.deepEqual(mutatingCalls(world.emu), {}, "no user call");
    assert.deepEqual(workspaceMutations(world.emu), {}, "no workspace call");
  };
  const names = ["alice", "bob", "research", "alice-research"];

  before(async () => {
    world = await startWorld();
    engine = world.engine();
  });
  after(async () => world?.close());

  it("starts from a stack of dynamic resources", async () => {
    world.program("index.ts", dynamicProgram);
    const up = assertOk(await engine.up("index.ts"));
    assert.equal(up.created.length, 4);
    assert.ok(engine.getResource("alice")!.type.startsWith("pulumi-nodejs:dynamic/"));
    start = {
      ids: Object.fromEntries(names.map((n) => [n, engine.getResource(n)!.id])),
      bytes: engine.stateText().length,
      aliceId: up.outputs.aliceId,
    };
  });

  it("previews the move as same steps, the new default provider created and the dynamic one deleted", async () => {
    world.program("index.ts", nativeProgram);
    world.emu.resetStats();
    const preview = await engine.preview("index.ts");
    assert.ok(preview.ok, JSON.stringify(preview.failed));
    assert.deepEqual([...preview.created, ...preview.updated, ...preview.replaced, ...preview.deleted], []);
    assert.deepEqual(
      preview.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").slice(2).join("::")}`),
      ["create pulumi:providers:wallaroo::default_0_1_0", "delete pulumi:providers:pulumi-nodejs::default"],
    );
    noWrites();
    assert.ok(engine.getResource("alice")!.type.startsWith("pulumi-nodejs:dynamic/"), "a preview changes no state");
  });

  it("takes every resource over with an alias as a same step: no replacement, nothing sent to the server", async () => {
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    noWrites();
    assert.deepEqual([...up.created, ...up.updated, ...up.replaced], []);
    for (const n of names) {
      const step = up.steps.find((s) => s.urn.endsWith(`::${n}`))!;
      assert.equal(step.op, "same", `${n}: ${step.op}`);
      assert.ok(step.aliasedFrom?.includes("pulumi-nodejs:dynamic/wallaroo:"), `${n} took over its dynamic state`);
      const r = engine.getResource(n)!;
      assert.ok(r.type.startsWith("wallaroo:index:"), r.type);
      assert.equal(r.id, start.ids[n], `${n} keeps its id`);
      assert.match(r.provider!, /::pulumi:providers:wallaroo::default_0_1_0::/);
    }
    assert.equal(up.outputs.aliceId, start.aliceId);
    assert.deepEqual(engine.urns("pulumi:providers:pulumi-nodejs"), [], "the dynamic provider left the state");
    assert.equal(engine.listResources().filter((r) => r.type.startsWith("pulumi-nodejs:")).length, 0);
    // The same step stores the new inputs (no __provider) and keeps the old outputs (with it) until a refresh.
    assert.equal(engine.getResource("alice")!.inputs.__provider, undefined);
    assert.equal(typeof engine.getResource("alice")!.outputs.__provider, "string");
    assert.deepEqual(roster(world.emu), { "alice@example.com": true, "bob@example.com": false });
    assert.deepEqual(serverWorkspace(world.emu, "migration-research")?.members["alice@example.com"], "OWNER");
  });

  it("plays the next up, its aliases removed, as no change, and a refresh drops the old __provider from the outputs", async () => {
    world.program("index.ts", nativeProgramWithoutAliases);
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(
      up.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn}`),
      [],
    );
    noWrites();
    const refresh = await engine.refresh();
    assert.ok(refresh.ok, JSON.stringify(refresh.failed));
    noWrites();
    for (const r of engine.listResources()) {
      assert.equal(r.inputs.__provider, undefined, `${r.urn} inputs`);
      assert.equal(r.outputs.__provider, undefined, `${r.urn} outputs`);
    }
    const bytes = engine.stateText().length;
    assert.ok(bytes < start.bytes / 2, `the checkpoint went from ${start.bytes} to ${bytes} bytes`);
    const again = assertOk(await engine.up("index.ts"));
    assert.deepEqual([...again.created, ...again.updated, ...again.replaced, ...again.deleted], []);
  });

  it("then manages the users through the plugin: destroy deactivates them", async () => {
    const d = await engine.destroy();
    assert.ok(d.ok, JSON.stringify(d.failed));
    assert.deepEqual(roster(world.emu), { "alice@example.com": false, "bob@example.com": false });
    assert.deepEqual(engine.urns(), []);
  });
});
