/**
 * `pulumi import` of the native types through our engine (test/harness/importCommand.ts, after
 * pulumi/pulumi's import deployment): a user by id, a workspace by id, a membership as
 * `<workspaceId>/<userId>`, each read by its id alone and stored with the inputs the plugin answers,
 * protected, so that a program declaring the same resources then plays a no-change `up`. Nothing is
 * written to the server at any step.
 */
import assert from "node:assert/strict";
import { WallarooClient } from "../../sdk";
import { assertOk, type Engine } from "../harness";
import { nativeSdk } from "../support/nativeSdk";
import { workspaceMutations } from "../support/workspaces";
import { ADMIN_PASSWORD, mutatingCalls, startWorld, type World } from "../support/world";

describe("pulumi import of the native types", function () {
  this.timeout(120_000);
  let world: World;
  let engine: Engine;
  let erinId: string;
  let labId: number;
  const noWrites = () => {
    assert.deepEqual(mutatingCalls(world.emu), {}, "no user call");
    assert.deepEqual(workspaceMutations(world.emu), {}, "no workspace call");
  };

  before(async () => {
    world = await startWorld();
    engine = world.engine();
    erinId = world.emu.addUser({ email: "erin@example.com", enabled: false }).id;
    const admin = new WallarooClient({ url: world.emu.url, username: "admin", password: ADMIN_PASSWORD, env: {} });
    labId = (await admin.createWorkspace("imported-lab")).id;
    await admin.addWorkspaceMember(labId, "erin@example.com", "owner");
    await admin.close();
    world.emu.resetStats();
  });
  after(async () => world?.close());

  it("imports a user by id with the inputs the server holds, through the default provider", async () => {
    const r = await engine.importResource("wallaroo:index:User", "erin", erinId);
    assert.ok(r.ok, JSON.stringify(r.failed));
    assert.deepEqual(r.warnings, []);
    const erin = engine.getResource("erin")!;
    assert.equal(erin.id, erinId);
    assert.deepEqual(erin.inputs, { email: "erin@example.com", active: false });
    assert.equal(engine.getProperty("erin", "outputs", "userId").value, erinId);
    assert.match(erin.provider!, /::pulumi:providers:wallaroo::default::[0-9a-f-]{36}$/);
    assert.ok(engine.isSecretInState(engine.makeUrn("pulumi:providers:wallaroo", "default"), "inputs", "password"));
    noWrites();
  });

  it("imports a workspace by id and a membership as <workspaceId>/<userId>", async () => {
    assert.ok((await engine.importResource("wallaroo:index:Workspace", "lab", String(labId))).ok);
    const m = await engine.importResource("wallaroo:index:WorkspaceMember", "erin-lab", `${labId}/${erinId}`);
    assert.ok(m.ok, JSON.stringify(m.failed));
    assert.deepEqual(engine.getResource("lab")!.inputs, { name: "imported-lab" });
    assert.deepEqual(engine.getResource("erin-lab")!.inputs, {
      workspaceId: labId,
      email: "erin@example.com",
      role: "owner",
    });
    noWrites();
  });

  it("protects what it imports, as the CLI does unless --protect=false", () => {
    for (const name of ["erin", "lab", "erin-lab"]) assert.equal(engine.getResource(name)!.protect, true, name);
  });

  it("fails an id the server does not know, and another id under a name already in the state, storing nothing", async () => {
    const missing = await engine.importResource("wallaroo:index:User", "ghost", "00000000-0000-4000-8000-000000000000");
    assert.equal(missing.ok, false);
    assert.match(missing.failed[0].message, /does not exist/);
    assert.equal(engine.getResource("ghost"), undefined);
    const other = world.emu.addUser({ email: "frank@example.com", enabled: true }).id;
    const clash = await engine.importResource("wallaroo:index:User", "erin", other);
    assert.equal(clash.ok, false);
    assert.match(clash.failed[0].message, /already exists/);
    assert.equal(engine.getResource("erin")!.id, erinId);
    // The same id again: already imported, nothing to do (import.go).
    const again = await engine.importResource("wallaroo:index:User", "erin", erinId);
    assert.ok(again.ok, JSON.stringify(again.failed));
    assert.deepEqual(
      again.steps.map((s) => s.op),
      ["same"],
    );
    noWrites();
  });

  it("lets a program that declares the imported resources play a no-change up", async () => {
    world.program(
      "index.ts",
      `import * as pulumi from "@pulumi/pulumi";
${nativeSdk()}
// As \`pulumi import\` prints the code to paste: the inputs read, and protect.
const erin = new wallaroo.User("erin", { email: "erin@example.com", active: false }, { protect: true });
const lab = new wallaroo.Workspace("lab", { name: "imported-lab" }, { protect: true });
new wallaroo.WorkspaceMember("erin-lab", { workspaceId: lab.workspaceId, email: erin.email, role: "owner" }, { protect: true });
`,
    );
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual([...up.created, ...up.updated, ...up.replaced, ...up.deleted], []);
    noWrites();
    // The import used the default provider without a version; the program's SDK asks for 0.1.0: the resources move
    // to that one (a change of provider that DiffConfig does not turn into a replacement), the other is deleted.
    const versioned = engine.makeUrn("pulumi:providers:wallaroo", "default_0_1_0");
    for (const name of ["erin", "lab", "erin-lab"])
      assert.ok(engine.getResource(name)!.provider!.startsWith(`${versioned}::`));
    assert.equal(engine.getResource(engine.makeUrn("pulumi:providers:wallaroo", "default")), undefined);
  });

  it("cannot import a dynamic resource: the dynamic-provider host finds no provider code in the read", async () => {
    const r = await engine.importResource("pulumi-nodejs:dynamic/wallaroo:User", "erin-dynamic", erinId);
    assert.equal(r.ok, false);
    assert.match(r.failed[0].message, /Cannot read properties of undefined \(reading 'toJavaScript'\)/);
  });
});
