/**
 * wallaroo.Workspace and wallaroo.WorkspaceMember through the path `pulumi up` takes: a program in a
 * consumer project with the packed package, Pulumi's own dynamic-provider host over gRPC, and the
 * emulator. Every step checks the server, not only the state: create, role change, a member
 * removed out of band, a workspace archived out of band, destroy; and a misconfigured URL.
 */
import assert from "node:assert/strict";
import { assertOk, Engine } from "../harness";
import { WallarooClient } from "../../sdk";
import { ADMIN_PASSWORD, startWorld, World } from "../support/world";
import { serverWorkspace, workspaceMutations } from "../support/workspaces";

function adminClient(world: World): WallarooClient {
  return new WallarooClient({ url: world.emu.url, username: "admin", password: ADMIN_PASSWORD, env: {} });
}

const WS = "pulumi-nodejs:dynamic/wallaroo:Workspace";
const MEMBER = "pulumi-nodejs:dynamic/wallaroo:WorkspaceMember";

const base = `import * as wallaroo from "pulumi-wallaroo";
const alice = new wallaroo.User("alice", { email: "alice@example.com" });
const bob = new wallaroo.User("bob", { email: "bob@example.com" });
const fraud = new wallaroo.Workspace("fraud", { name: "fraud-detection" });
new wallaroo.WorkspaceMember("fraud-alice", { workspaceId: fraud.workspaceId, email: alice.email, role: "owner" });
new wallaroo.WorkspaceMember("fraud-bob", { workspaceId: fraud.workspaceId, email: bob.email });
export const workspaceId = fraud.workspaceId;
`;
const v2 = base.replace(`email: bob.email }`, `email: bob.email, role: "owner" }`);

describe("wallaroo.Workspace and wallaroo.WorkspaceMember lifecycle through the dynamic-provider host", function () {
  this.timeout(180_000);
  let world: World;
  let engine: Engine;
  let wsId: number;

  before(async () => {
    world = await startWorld();
    engine = world.engine();
  });
  after(async () => world?.close());

  it("creates a workspace and two members, one call each", async () => {
    world.program("index.ts", base);
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.equal(up.created.filter((u) => u.includes(`::${WS}::`)).length, 1);
    assert.equal(up.created.filter((u) => u.includes(`::${MEMBER}::`)).length, 2);
    const w = serverWorkspace(world.emu, "fraud-detection")!;
    assert.ok(w, "the workspace exists on the server");
    assert.deepEqual(w.members, { admin: "OWNER", "alice@example.com": "OWNER", "bob@example.com": "COLLABORATOR" });
    assert.deepEqual(workspaceMutations(world.emu), { create: 1, add_user: 2 });
    wsId = w.id;
    // Ids and outputs come from the server.
    assert.equal(engine.getResource("fraud")!.id, String(wsId));
    assert.equal(up.outputs.workspaceId, wsId);
    assert.equal(engine.getProperty("fraud", "outputs", "archived").value, false);
    assert.equal(engine.getProperty("fraud", "outputs", "adopted").value, false);
    assert.equal(typeof engine.getProperty("fraud", "outputs", "createdAt").value, "string");
    const aliceId = world.emu.users().find((u) => u.email === "alice@example.com")!.id;
    assert.equal(engine.getResource("fraud-alice")!.id, `${wsId}/${aliceId}`);
    assert.equal(engine.getProperty("fraud-alice", "outputs", "userId").value, aliceId);
    assert.equal(engine.getProperty("fraud-bob", "outputs", "role").value, "collaborator");
    assert.equal(engine.getProperty("fraud-bob", "outputs", "adopted").value, false);
  });

  it("changes nothing on a second up", async () => {
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual([up.created, up.updated, up.replaced, up.deleted], [[], [], [], []]);
    assert.deepEqual(workspaceMutations(world.emu), {});
  });

  it("changes a member's role in place with one add_user", async () => {
    world.program("index.ts", v2);
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(
      up.updated.map((u) => u.split("::").pop()),
      ["fraud-bob"],
    );
    assert.equal(serverWorkspace(world.emu, "fraud-detection")!.members["bob@example.com"], "OWNER");
    assert.deepEqual(workspaceMutations(world.emu), { add_user: 1 });
    assert.equal(engine.getProperty("fraud-bob", "outputs", "role").value, "owner");
  });

  it("drops a member removed out of band on refresh, touching nothing; the next up adds it back", async () => {
    assert.equal(world.emu.removeWorkspaceMember(wsId, "alice@example.com"), 1);
    world.emu.resetStats();
    const refresh = await engine.refresh();
    assert.ok(refresh.ok, JSON.stringify(refresh.failed));
    assert.deepEqual(
      refresh.removed.map((u) => u.split("::").pop()),
      ["fraud-alice"],
    );
    assert.equal(engine.getResource("fraud-alice"), undefined);
    assert.ok(engine.getResource("fraud"), "the workspace stays");
    assert.deepEqual(workspaceMutations(world.emu), {});
    const calls = world.emu.stats().requests;
    assert.ok((calls["/v1/api/workspaces/list_users"] ?? 0) <= 1, JSON.stringify(calls));
    assert.equal(serverWorkspace(world.emu, "fraud-detection")!.members["alice@example.com"], undefined);

    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(
      up.created.map((u) => u.split("::").pop()),
      ["fraud-alice"],
    );
    assert.equal(serverWorkspace(world.emu, "fraud-detection")!.members["alice@example.com"], "OWNER");
    assert.deepEqual(workspaceMutations(world.emu), { add_user: 1 });
  });

  it("shows a workspace archived out of band as drift on refresh, and keeps it", async () => {
    world.emu.archiveWorkspace(wsId);
    world.emu.resetStats();
    const refresh = await engine.refresh();
    assert.ok(refresh.ok, JSON.stringify(refresh.failed));
    assert.deepEqual(refresh.removed, []);
    assert.equal(engine.getProperty("fraud", "outputs", "archived").value, true);
    assert.equal(engine.getResource("fraud")!.id, String(wsId));
    assert.deepEqual(workspaceMutations(world.emu), {});
    assert.equal(serverWorkspace(world.emu, "fraud-detection")!.archived, true);
  });

  it("shows a role changed out of band as drift on refresh; the next up sets it back in place", async () => {
    const c = adminClient(world);
    try {
      await c.addWorkspaceMember(wsId, "bob@example.com", "collaborator");
    } finally {
      await c.close();
    }
    const refresh = await engine.refresh();
    assert.ok(refresh.ok, JSON.stringify(refresh.failed));
    assert.equal(engine.getProperty("fraud-bob", "outputs", "role").value, "collaborator");
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(
      up.updated.map((u) => u.split("::").pop()),
      ["fraud-bob"],
    );
    assert.equal(serverWorkspace(world.emu, "fraud-detection")!.members["bob@example.com"], "OWNER");
    assert.deepEqual(workspaceMutations(world.emu), { add_user: 1 });
  });

  it("keeps the membership when its resource is renamed without an alias (create takes it over, the old delete leaves it)", async () => {
    world.program("index.ts", v2.replace(`"fraud-bob"`, `"fraud-bob-renamed"`));
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(
      up.created.map((u) => u.split("::").pop()),
      ["fraud-bob-renamed"],
    );
    assert.deepEqual(
      up.deleted.map((u) => u.split("::").pop()),
      ["fraud-bob"],
    );
    assert.deepEqual(workspaceMutations(world.emu), {});
    assert.equal(serverWorkspace(world.emu, "fraud-detection")!.members["bob@example.com"], "OWNER");
    assert.equal(engine.getProperty("fraud-bob-renamed", "outputs", "adopted").value, true);
  });

  it("destroys: removes each managed member (one remove_user each), leaves the workspace on the server", async () => {
    world.emu.resetStats();
    const d = await engine.destroy();
    assert.ok(d.ok, JSON.stringify(d.failed));
    assert.deepEqual(engine.urns(WS), []);
    assert.deepEqual(engine.urns(MEMBER), []);
    const w = serverWorkspace(world.emu, "fraud-detection")!;
    assert.ok(w, "the workspace stays on the server");
    assert.deepEqual(w.members, { admin: "OWNER" });
    assert.deepEqual(workspaceMutations(world.emu), { remove_user: 2 });
  });

  it("adopts the workspace and the memberships a second time with adoptExisting, without any change", async () => {
    world.emu.archiveWorkspace(wsId, false);
    const again = world.engine();
    const program = base
      .replace(`{ name: "fraud-detection" }`, `{ name: "fraud-detection", adoptExisting: true }`)
      .replace(
        /new wallaroo\.User\("(\w+)", \{ email: ("[^"]+") \}\)/g,
        `new wallaroo.User("$1", { email: $2, adoptExisting: true })`,
      );
    // Put the members back as they were, out of band, so there is something to take over.
    const c = adminClient(world);
    try {
      await c.addWorkspaceMember(wsId, "alice@example.com", "owner");
      await c.addWorkspaceMember(wsId, "bob@example.com", "collaborator");
    } finally {
      await c.close();
    }
    world.program("adopt.ts", program);
    world.emu.resetStats();
    const up = assertOk(await again.up("adopt.ts"));
    assert.equal(up.created.length, 5);
    assert.deepEqual(workspaceMutations(world.emu), {});
    assert.equal(again.getResource("fraud")!.id, String(wsId));
    assert.equal(again.getProperty("fraud", "outputs", "adopted").value, true);
    assert.equal(again.getProperty("fraud-alice", "outputs", "adopted").value, true);
    world.emu.resetStats();
    const second = assertOk(await again.up("adopt.ts"));
    assert.deepEqual([second.created, second.updated, second.replaced, second.deleted], [[], [], [], []]);
    assert.deepEqual(workspaceMutations(world.emu), {});
  });

  it("refuses an existing name without adoptExisting, naming the id and the way out, changing nothing", async () => {
    const e = world.engine();
    world.program(
      "taken.ts",
      `import * as wallaroo from "pulumi-wallaroo";\nnew wallaroo.Workspace("w", { name: "fraud-detection" });\n`,
    );
    world.emu.resetStats();
    const up = await e.up("taken.ts");
    assert.equal(up.ok, false);
    assert.match(up.failed[0].message, /adoptExisting: true/);
    assert.match(up.failed[0].message, new RegExp(`id ${wsId}`));
    assert.doesNotMatch(up.failed[0].message, /\n\s+at /, "no stack frames");
    assert.deepEqual(workspaceMutations(world.emu), {});
    assert.deepEqual(e.urns(WS), []);
  });
});

describe("wallaroo.Workspace preview and check", function () {
  this.timeout(120_000);
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(async () => world?.close());

  it("previews members of a workspace and a user not created yet without a crash or a call", async () => {
    const engine = world.engine();
    world.program("preview.ts", base);
    world.emu.resetStats();
    const preview = await engine.preview("preview.ts");
    assert.ok(preview.ok, JSON.stringify(preview.failed));
    assert.deepEqual(workspaceMutations(world.emu), {});
    assert.deepEqual(world.emu.workspaces(), []);
  });

  it("reports a bad name, role and workspace id as check failures naming the property, touching nothing", async () => {
    const engine = world.engine();
    world.program(
      "bad.ts",
      `import * as wallaroo from "pulumi-wallaroo";
new wallaroo.Workspace("w", { name: "fraud_detection" });
new wallaroo.WorkspaceMember("m", { workspaceId: 1.5, email: "a@example.com", role: "collaborater" as any });
`,
    );
    world.emu.resetStats();
    const up = await engine.up("bad.ts");
    assert.equal(up.ok, false);
    const msg = up.failed.map((f) => f.message).join("\n");
    assert.match(msg, /workspace name 'fraud_detection' is not valid/);
    assert.match(msg, /did you mean 'collaborator'/);
    assert.match(msg, /workspaceId must be a positive whole number, not 1.5/);
    assert.deepEqual(world.emu.workspaces(), []);
  });
});

describe("wallaroo.Workspace with a misconfigured URL", function () {
  this.timeout(120_000);
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(async () => world?.close());

  it("fails refresh --run-program (wrong path prefix) and leaves the resources as they were", async () => {
    const good = world.engine();
    world.program(
      "index.ts",
      `import * as wallaroo from "pulumi-wallaroo";
const u = new wallaroo.User("u", { email: "u@example.com" });
const w = new wallaroo.Workspace("w", { name: "churn" });
new wallaroo.WorkspaceMember("m", { workspaceId: w.workspaceId, email: u.email });
`,
    );
    assertOk(await good.up("index.ts"));
    // The resources, not the default provider: --run-program stores the configuration it ran with.
    const resources = (e: typeof good) =>
      JSON.stringify(e.listResources().filter((r) => !r.type.startsWith("pulumi:providers:")));
    const before = resources(good);
    const bad = world.engine({ stateFile: good.stateFile, config: { "wallaroo:url": `${world.emu.url}/wallaroo` } });
    // Without --run-program a refresh uses the configuration the last up stored (the good one).
    const refresh = await bad.refresh({ runProgram: "index.ts" });
    assert.equal(refresh.ok, false);
    assert.deepEqual(refresh.removed, []);
    const messages = refresh.failed.map((f) => f.message).join("\n");
    assert.match(messages, /wallaroo:url/);
    assert.doesNotMatch(messages, /\n\s+at /, "no stack frames");
    assert.equal(resources(bad), before);
    assert.equal(world.emu.workspaces().find((x) => x.name === "churn")!.members.length, 2);
  });
});
