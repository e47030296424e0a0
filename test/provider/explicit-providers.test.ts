/**
 * Two Wallaroo instances from one program: explicit `pulumi:providers:wallaroo`
 * resources (`new wallaroo.Provider(...)`, as a generated SDK declares it), each
 * its own plugin process with its own configuration and client, recorded in the
 * checkpoint as the engine records providers (a UUID id, the inputs as outputs,
 * each resource's `provider` reference), and the `import` option through them.
 * Every step checks both servers.
 */
import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { WallarooClient } from "../../sdk";
import { assertOk, type Engine } from "../harness";
import { nativeSdk } from "../support/nativeSdk";
import { serverWorkspace, workspaceMutations } from "../support/workspaces";
import { ADMIN_PASSWORD, mutatingCalls, PROJECT, roster, startWorld, type World } from "../support/world";

const WEST_PASSWORD = "West-Admin-Pw-42";
const PROVIDER = "pulumi:providers:wallaroo";

function program(extra = "", westRetries = 2): string {
  return `import * as pulumi from "@pulumi/pulumi";
${nativeSdk()}
const cfg = new pulumi.Config();
const east = new wallaroo.Provider("east", { url: cfg.require("eastUrl"), username: "admin", password: cfg.requireSecret("eastPassword") });
const west = new wallaroo.Provider("west", {
  url: cfg.require("westUrl"), username: "admin", password: cfg.requireSecret("westPassword"), maxRetries: ${westRetries},
});
export const aliceEast = new wallaroo.User("alice-east", { email: "alice@example.com" }, { provider: east }).userId;
export const aliceWest = new wallaroo.User("alice-west", { email: "alice@example.com" }, { provider: west }).userId;
new wallaroo.User("bob-west", { email: "bob@example.com", active: false }, { provider: west });
${extra}`;
}

describe("explicit wallaroo providers (two instances, one program)", function () {
  this.timeout(180_000);
  let world: World;
  let west: RunningEmulator;
  let engine: Engine;
  const east = () => world.emu;
  const noWrites = () => {
    assert.deepEqual(mutatingCalls(east()), {}, "east unchanged");
    assert.deepEqual(mutatingCalls(west), {}, "west unchanged");
  };

  before(async () => {
    world = await startWorld();
    west = await startEmulator({ adminPassword: WEST_PASSWORD });
    engine = world.engine({
      config: {
        [`${PROJECT}:eastUrl`]: world.emu.url,
        [`${PROJECT}:eastPassword`]: ADMIN_PASSWORD,
        [`${PROJECT}:westUrl`]: west.url,
        [`${PROJECT}:westPassword`]: WEST_PASSWORD,
      },
      secretConfigKeys: [`${PROJECT}:eastPassword`, `${PROJECT}:westPassword`],
    });
  });
  after(async () => {
    await world?.close();
    await west?.close();
  });

  it("creates each user on its own provider's instance, one plugin process per provider", async () => {
    world.program("index.ts", program());
    const pids = engine.metrics.hostPids.length;
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(roster(east()), { "alice@example.com": true });
    assert.deepEqual(roster(west), { "alice@example.com": true, "bob@example.com": false });
    assert.notEqual(up.outputs.aliceEast, up.outputs.aliceWest, "two accounts, one per instance");
    const started = engine.metrics.hostPids.slice(pids);
    assert.equal(started.length, 2, "east's and west's");
    assert.equal(new Set(started).size, 2);
    assert.deepEqual(engine.urns("pulumi:providers:pulumi-nodejs"), [], "no dynamic-provider host involved");
  });

  it("records both providers with UUID ids, their inputs as outputs, secrets encrypted, and each user's reference", () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const ids = ["east", "west"].map((name) => {
      const urn = engine.makeUrn(PROVIDER, name);
      const p = engine.getResource(urn)!;
      assert.match(p.id!, uuid);
      assert.ok(engine.isSecretInState(urn, "inputs", "password"), `${name}'s password is a secret`);
      assert.deepEqual(p.outputs, p.inputs);
      return `${urn}::${p.id}`;
    });
    assert.equal(engine.getResource("alice-east")!.provider, ids[0]);
    assert.equal(engine.getResource("alice-west")!.provider, ids[1]);
    assert.equal(engine.getResource("bob-west")!.provider, ids[1]);
    assert.equal(engine.getProperty(engine.makeUrn(PROVIDER, "west"), "inputs", "maxRetries").value, "2");
    assert.deepEqual(
      engine
        .listResources()
        .filter((r) => r.type === PROVIDER)
        .map((r) => r.urn.split("::").pop())
        .sort(),
      ["east", "west"],
      "no default provider",
    );
    assert.equal(engine.getProperty(engine.makeUrn(PROVIDER, "east"), "inputs", "version").value, "0.1.0");
    assert.deepEqual(engine.findInArtifacts([ADMIN_PASSWORD, WEST_PASSWORD]), []);
    assert.doesNotMatch(engine.stateText(), new RegExp(`${ADMIN_PASSWORD}|${WEST_PASSWORD}`));
  });

  it("plays a second up as no change on either instance", async () => {
    east().resetStats();
    west.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual([...up.created, ...up.updated, ...up.replaced, ...up.deleted], []);
    noWrites();
  });

  it("updates a provider whose configuration changed in place, its users untouched", async () => {
    world.program("index.ts", program("", 3));
    east().resetStats();
    west.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    const westUrn = engine.makeUrn(PROVIDER, "west");
    assert.deepEqual(up.updated, [westUrn]);
    assert.deepEqual(up.steps.find((s) => s.urn === westUrn)?.changedKeys, ["maxRetries"]);
    noWrites();
  });

  it("imports an existing user, workspace and membership through the west provider, writing to neither server", async () => {
    const carol = west.addUser({ email: "carol@example.com", enabled: true });
    const admin = new WallarooClient({ url: west.url, username: "admin", password: WEST_PASSWORD, env: {} });
    const lab = await admin.createWorkspace("west-lab");
    await admin.addWorkspaceMember(lab.id, "carol@example.com", "collaborator");
    await admin.close();
    const extra = `
const carol = new wallaroo.User("carol-west", { email: "carol@example.com" }, { provider: west, import: ${JSON.stringify(carol.id)} });
const lab = new wallaroo.Workspace("lab", { name: "west-lab" }, { provider: west, import: "${lab.id}" });
new wallaroo.WorkspaceMember("carol-lab", { workspaceId: lab.workspaceId, email: carol.email, role: "collaborator" },
  { provider: west, import: "${lab.id}/${carol.id}" });
`;
    world.program("index.ts", program(extra, 3));
    east().resetStats();
    west.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    // carol-west and lab are independent: their imports finish in either order.
    assert.deepEqual(
      up.steps
        .filter((s) => s.op === "import")
        .map((s) => s.urn.split("::").pop())
        .sort(),
      ["carol-lab", "carol-west", "lab"],
    );
    noWrites();
    assert.deepEqual(workspaceMutations(west), {});
    assert.equal(engine.getResource("carol-west")!.id, carol.id);
    assert.equal(engine.getProperty("carol-west", "outputs", "email").value, "carol@example.com");
    assert.equal(
      engine.getResource("carol-west")!.provider?.split("::").slice(0, -1).join("::"),
      engine.makeUrn(PROVIDER, "west"),
    );
    assert.equal(engine.getResource("lab")!.id, String(lab.id));
    assert.equal(engine.getResource("carol-lab")!.id, `${lab.id}/${carol.id}`);
    // Imported means managed: the next up is a no-change.
    const again = assertOk(await engine.up("index.ts"));
    assert.deepEqual([...again.created, ...again.updated, ...again.replaced], []);
    noWrites();
  });

  it("imports with `pulumi import --provider` through the provider named, and only from its instance", async () => {
    const dave = west.addUser({ email: "dave@example.com", enabled: true });
    east().resetStats();
    west.resetStats();
    const westUrn = engine.makeUrn(PROVIDER, "west");
    // --protect=false: the destroy below deletes it with the rest.
    const r = await engine.importResource("wallaroo:index:User", "dave-west", dave.id, {
      provider: westUrn,
      protect: false,
    });
    assert.ok(r.ok, JSON.stringify(r.failed));
    assert.ok(engine.getResource("dave-west")!.provider!.startsWith(`${westUrn}::`));
    assert.deepEqual(engine.getResource("dave-west")!.inputs, { email: "dave@example.com", active: true });
    const wrong = await engine.importResource("wallaroo:index:User", "dave-east", dave.id, {
      provider: engine.makeUrn(PROVIDER, "east"),
      protect: false,
    });
    assert.equal(wrong.ok, false);
    assert.match(wrong.failed[0].message, /does not exist/);
    noWrites();
  });

  it("refreshes and destroys each resource through its own provider, configured from the state", async () => {
    // The stack configuration no longer names the instances: refresh and destroy use the stored provider inputs.
    engine.removeConfig(`${PROJECT}:westUrl`);
    engine.removeConfig(`${PROJECT}:eastUrl`);
    const refresh = await engine.refresh();
    assert.ok(refresh.ok, JSON.stringify(refresh.failed));
    assert.ok(refresh.refreshed.some((u) => u.endsWith("::alice-east")));
    assert.ok(refresh.refreshed.some((u) => u.endsWith("::carol-west")));
    const d = await engine.destroy();
    assert.ok(d.ok, JSON.stringify(d.failed));
    assert.deepEqual(roster(east()), { "alice@example.com": false });
    assert.deepEqual(roster(west), {
      "alice@example.com": false,
      "bob@example.com": false,
      "carol@example.com": false,
      "dave@example.com": false,
    });
    assert.deepEqual(engine.urns(), [], "providers deleted too");
    // A workspace cannot be deleted (it leaves the stack and stays); the membership is removed.
    assert.deepEqual(serverWorkspace(west, "west-lab")?.members, { admin: "OWNER" });
  });
});

describe("an explicit wallaroo provider's configuration (CheckConfig)", function () {
  this.timeout(120_000);
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(async () => world?.close());

  const provider = (args: string) => `import * as pulumi from "@pulumi/pulumi";
${nativeSdk()}
const p = new wallaroo.Provider("p", { url: ${JSON.stringify("URL")}, username: "admin", ${args} });
new wallaroo.User("dana", { email: "dana@example.com" }, { provider: p });
`;

  it("fails a provider whose settings do not check, naming each, and creates nothing on it", async () => {
    const engine = world.engine();
    world.program(
      "bad.ts",
      provider(`password: "x", maxRetries: "lots", edition: "enterprize"`).replace("URL", world.emu.url),
    );
    world.emu.resetStats();
    const up = await engine.up("bad.ts");
    assert.equal(up.ok, false);
    const failure = up.failed.find((f) => f.urn === engine.makeUrn(PROVIDER, "p"));
    assert.ok(failure, JSON.stringify(up.failed));
    assert.match(failure.message, /maxRetries/);
    assert.match(failure.message, /edition/);
    assert.match(failure.message, /did you mean|enterprise/);
    assert.deepEqual(mutatingCalls(world.emu), {});
    assert.equal(engine.getResource("dana"), undefined);
    assert.equal(
      engine.getResource(engine.makeUrn(PROVIDER, "p")),
      undefined,
      "a provider that failed its check is not recorded",
    );
  });

  it("stores a password given in plain text as a secret, as the plugin's CheckConfig marks it", async () => {
    const engine = world.engine();
    // A provider resource of the SDK's own class, without the generated class's pulumi.secret.
    const program = `import * as pulumi from "@pulumi/pulumi";
${nativeSdk()}
class PlainProvider extends pulumi.ProviderResource {
  constructor(name: string, args: Record<string, string>) { super("wallaroo", name, args); }
}
const p = new PlainProvider("p", { url: ${JSON.stringify(world.emu.url)}, username: "admin", password: ${JSON.stringify(ADMIN_PASSWORD)} });
new wallaroo.User("dana", { email: "dana@example.com" }, { provider: p });
`;
    world.program("plain.ts", program);
    assertOk(await engine.up("plain.ts"));
    assert.deepEqual(roster(world.emu), { "dana@example.com": true });
    assert.ok(engine.isSecretInState(engine.makeUrn(PROVIDER, "p"), "inputs", "password"));
    assert.doesNotMatch(engine.stateText(), new RegExp(ADMIN_PASSWORD));
    // The next up sends the same plain text: DiffConfig sees no change, so the provider is a same, not an update.
    const again = assertOk(await engine.up("plain.ts"));
    assert.equal(again.steps.find((s) => s.urn === engine.makeUrn(PROVIDER, "p"))?.op, "same");
    assert.ok(engine.isSecretInState(engine.makeUrn(PROVIDER, "p"), "inputs", "password"), "still stored as a secret");
    assertOk(await engine.destroy());
  });

  it("fails the default provider on a stack setting that does not check, keeping what the last up stored", async () => {
    const engine = world.engine();
    world.program(
      "default.ts",
      `import * as pulumi from "@pulumi/pulumi";
${nativeSdk()}
new wallaroo.User("eve", { email: "eve@example.com" });
`,
    );
    assertOk(await engine.up("default.ts"));
    const urn = engine.makeUrn(PROVIDER, "default_0_1_0");
    const stored = engine.getResource(urn)!;
    engine.setConfig("wallaroo:edition", "enterprize");
    world.emu.resetStats();
    const up = await engine.up("default.ts");
    assert.equal(up.ok, false);
    const failure = up.failed.find((f) => f.urn === urn);
    assert.ok(failure, JSON.stringify(up.failed));
    assert.match(failure.message, /edition/);
    assert.deepEqual(mutatingCalls(world.emu), {});
    assert.deepEqual(engine.getResource(urn)!.inputs, stored.inputs, "the stored settings are the last up's");
    // So refresh and destroy still reach the instance with them.
    assert.ok((await engine.refresh()).ok);
    engine.removeConfig("wallaroo:edition");
    assertOk(await engine.destroy());
    assert.deepEqual(roster(world.emu), { "dana@example.com": false, "eve@example.com": false });
  });
});
