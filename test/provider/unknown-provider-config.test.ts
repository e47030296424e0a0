/**
 * A provider whose configuration is not known during preview: the Wallaroo instance is deployed by the
 * same stack, and an explicit `wallaroo.Provider` takes its URL from that resource's output. The engine
 * still checks the configuration (registry.go `Check`: CheckConfig with unknowns allowed), but does not
 * configure the plugin (provider_plugin.go `Configure`: any unknown input leaves it unconfigured), and
 * answers for it: Check returns the inputs, Diff is "unavailable" (an update, with a warning), Create
 * and Update answer no outputs (the program sees them unknown). The up that follows knows the URL and acts.
 */
import assert from "node:assert/strict";
import { assertOk, DIFF_UNAVAILABLE, UNKNOWN, type Engine } from "../harness";
import { nativeSdk } from "../support/nativeSdk";
import { ADMIN_PASSWORD, mutatingCalls, PROJECT, roster, startWorld, type World } from "../support/world";

const PROVIDER = "pulumi:providers:wallaroo";
/** The wallaroo provider and resources, not the instance or the stack. */
const ours = (urn: string) => /::(pulumi:providers:wallaroo|wallaroo:index:\w+)::/.test(urn);

/** `revision` stands for a redeploy of the instance: its endpoint is unknown until the update has run. */
function program(revision: number, users: string[]): string {
  return `import * as pulumi from "@pulumi/pulumi";
${nativeSdk()}
const cfg = new pulumi.Config();
const deployer: pulumi.dynamic.ResourceProvider = {
  async create(inputs: any) {
    return { id: "wallaroo-instance", outs: { ...inputs, endpoint: inputs.url } };
  },
  async diff(_id: string, olds: any, news: any) {
    return { changes: olds.revision !== news.revision || olds.url !== news.url };
  },
  async update(_id: string, _olds: any, news: any) {
    return { outs: { ...news, endpoint: news.url } };
  },
};
const instance = new pulumi.dynamic.Resource(deployer, "instance", {
  url: cfg.require("instanceUrl"), revision: ${revision}, endpoint: undefined,
});
const deployed = new wallaroo.Provider("deployed", {
  url: (instance as any).endpoint, username: "admin", password: cfg.requireSecret("instancePassword"),
});
${users.map((u) => `const ${u} = new wallaroo.User("${u}", { email: "${u}@example.com" }, { provider: deployed });`).join("\n")}
export const aliceId = alice.userId;
`;
}

describe("a provider configured from another resource's output (unknown during preview)", function () {
  this.timeout(180_000);
  let world: World;
  let engine: Engine;
  const pluginCalls = () => ({ ...engine.metrics.grpcCalls });

  before(async () => {
    world = await startWorld();
    engine = world.engine({
      config: { [`${PROJECT}:instanceUrl`]: world.emu.url, [`${PROJECT}:instancePassword`]: ADMIN_PASSWORD },
      secretConfigKeys: [`${PROJECT}:instancePassword`],
    });
  });
  after(async () => world?.close());

  const USERS = ["alice", "bob"].map((u) => `urn:pulumi:dev::${PROJECT}::wallaroo:index:User::${u}`);
  const providerUrn = () => engine.makeUrn(PROVIDER, "deployed");
  const delta = (before: Record<string, number | undefined>) => {
    const now = pluginCalls();
    return Object.fromEntries(
      Object.entries(now)
        .map(([k, n]) => [k, (n ?? 0) - (before[k] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
  };

  it("previews a new stack: the provider and its users are creates; the plugin is checked, never configured", async () => {
    world.program("index.ts", program(1, ["alice", "bob"]));
    world.emu.resetStats();
    const before = pluginCalls();
    const preview = assertOk(await engine.preview("index.ts"));
    assert.deepEqual(preview.created.filter(ours).sort(), [providerUrn(), ...USERS].sort());
    assert.equal(preview.outputs.aliceId, UNKNOWN, "a user's outputs are unknown: the engine answered, not the plugin");
    // CheckConfig (unknowns allowed); Configure and Check only for the instance's dynamic provider.
    assert.deepEqual(delta(before), { CheckConfig: 1, Configure: 1, Check: 1 });
    assert.equal(world.emu.stats().total, 0, "nothing asked of the server");
    assert.deepEqual(preview.warnings, []);
  });

  it("ups it: the provider gets the deployed URL, and the users are created there", async () => {
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(roster(world.emu), { "alice@example.com": true, "bob@example.com": true });
    assert.equal(engine.getProperty(providerUrn(), "inputs", "url").value, world.emu.url);
    assert.match(String(up.outputs.aliceId), /\S/);
    assert.notEqual(up.outputs.aliceId, UNKNOWN);
  });

  it("previews a redeploy: each user is an update the engine could not diff, with its warning; nothing is sent", async () => {
    world.program("index.ts", program(2, ["alice", "bob", "carol"]));
    world.emu.resetStats();
    const before = pluginCalls();
    const preview = assertOk(await engine.preview("index.ts"));
    assert.deepEqual(preview.updated.filter(ours).sort(), [providerUrn(), ...USERS].sort());
    assert.deepEqual(preview.created.filter(ours), [USERS[0]!.replace("alice", "carol")]);
    assert.deepEqual(preview.warnings.sort(), USERS.map((u) => `${u}: ${DIFF_UNAVAILABLE}`).sort());
    assert.equal(preview.outputs.aliceId, UNKNOWN, "an update answered by the engine has no outputs");
    // The instance's Check and Diff; for the wallaroo provider its CheckConfig and DiffConfig only.
    const calls = delta(before);
    assert.deepEqual(calls, { CheckConfig: 1, DiffConfig: 1, Configure: 1, Check: 1, Diff: 1 }, JSON.stringify(calls));
    assert.equal(world.emu.stats().total, 0, "nothing asked of the server");
    assert.deepEqual(mutatingCalls(world.emu), {});
  });

  it("ups the redeploy: the URL is the same, so the users are the same and only carol is created", async () => {
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(up.warnings, []);
    assert.deepEqual(up.updated.filter(ours), []);
    assert.ok(up.same.includes(providerUrn()), "DiffConfig: no change once the URL is known");
    assert.deepEqual(up.same.filter((u) => USERS.includes(u)).sort(), [...USERS].sort());
    assert.deepEqual(mutatingCalls(world.emu), { invite: 1 });
    assert.deepEqual(roster(world.emu), {
      "alice@example.com": true,
      "bob@example.com": true,
      "carol@example.com": true,
    });
  });

  it("previews without a redeploy as it would with a stack-configured URL: no change, no warning", async () => {
    const preview = assertOk(await engine.preview("index.ts"));
    assert.deepEqual([...preview.created, ...preview.updated, ...preview.replaced, ...preview.deleted], []);
    assert.deepEqual(preview.warnings, []);
  });

  it("destroys through the stored configuration", async () => {
    const d = await engine.destroy();
    assert.ok(d.ok, JSON.stringify(d.failed));
    assert.deepEqual(roster(world.emu), {
      "alice@example.com": false,
      "bob@example.com": false,
      "carol@example.com": false,
    });
  });
});
