/**
 * What the real engine does that an older harness did not, and what it revealed in the provider
 * (issue #21, part 2). Each case drives Pulumi's dynamic-provider host as pulumi/pulumi's engine
 * drives it: an onError retry of a create in the same step and host (pkg/resource/deploy/step.go,
 * CreateStep.Apply → withRetries), deletes skipped after a failed step (deployment_executor.go),
 * every resource diffed before any delete (step_generator.go), refresh configured from the
 * provider inputs the last up stored (deployment.go, providers/registry.go). After every step the
 * server is checked, not only the state.
 */
import assert from "node:assert/strict";
import { assertOk, Engine } from "../harness";
import { mutatingCalls, roster, startWorld, World } from "../support/world";

const TYPE = "pulumi-nodejs:dynamic/wallaroo:User";
const INVITE = "/v1/api/users/invite";
const DEACTIVATE = "/v1/api/users/deactivate";

/** A program whose users retry a failed operation once, as an `onError` hook asks the engine to. */
function withRetry(users: string): string {
  return `import * as pulumi from "@pulumi/pulumi";
import * as wallaroo from "pulumi-wallaroo";
const retryOnce = new pulumi.ErrorHook("retry-once", (args) => args.errors.length < 2);
${users}
`;
}

const names = (urns: string[]) => urns.map((u) => u.split("::").pop());

describe("User.create retried by an onError hook", function () {
  this.timeout(180_000);
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(async () => world?.close());

  it("succeeds on the retry of a create whose invite failed, inviting the user once", async () => {
    const engine = world.engine();
    world.program(
      "index.ts",
      withRetry(`new wallaroo.User("alice", { email: "alice@example.com" }, { hooks: { onError: [retryOnce] } });`),
    );
    world.emu.setFaults([{ endpoint: INVITE, status: 500, count: 1 }]);
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(names(up.created), ["alice"]);
    assert.equal(world.emu.stats().requests[INVITE], 2, "the failed invite, then the retry's");
    assert.deepEqual(roster(world.emu), { "alice@example.com": true });
    assert.equal(engine.getResource("alice")!.id, world.emu.users().find((u) => u.email === "alice@example.com")!.id);
    assert.equal(engine.getResource("alice")!.initErrors?.length ?? 0, 0);
  });

  it("takes over the user its first attempt invited when the deactivation failed: no second invite, ends inactive", async () => {
    const engine = world.engine();
    world.program(
      "index.ts",
      withRetry(
        `new wallaroo.User("bob", { email: "bob@example.com", active: false }, { hooks: { onError: [retryOnce] } });`,
      ),
    );
    world.emu.setFaults([{ endpoint: DEACTIVATE, status: 500, count: 1 }]);
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(names(up.created), ["bob"]);
    assert.deepEqual(
      mutatingCalls(world.emu),
      { invite: 1, deactivate: 2 },
      "one invite; the failed deactivate, then the retry's",
    );
    const bobs = world.emu.users().filter((u) => u.email === "bob@example.com");
    assert.equal(bobs.length, 1, "one bob on the server");
    assert.equal(bobs[0]!.enabled, false, "in the requested state");
    const bob = engine.getResource("bob")!;
    assert.equal(bob.id, bobs[0]!.id, "the state knows the user the first attempt invited");
    assert.equal(engine.getProperty("bob", "outputs", "active").value, false);
    assert.equal(bob.initErrors?.length ?? 0, 0);
    // And the state is right: the next up has nothing to do.
    const again = assertOk(await engine.up("index.ts"));
    assert.deepEqual([again.created, again.updated, again.deleted, again.replaced], [[], [], [], []]);
  });

  it("still refuses two resources of one program managing one email, retried or not", async () => {
    const engine = world.engine();
    world.program(
      "index.ts",
      withRetry(`new wallaroo.User("ops", { email: "ops@example.com" }, { hooks: { onError: [retryOnce] } });
new wallaroo.User("ops-again", { email: "OPS@example.com" }, { hooks: { onError: [retryOnce] } });`),
    );
    world.emu.resetStats();
    const up = await engine.up("index.ts");
    assert.equal(up.ok, false);
    assert.ok(
      up.failed.some((f) => /another wallaroo\.User in this program manages the same email/.test(f.message)),
      up.failed.map((f) => f.message).join("\n"),
    );
    assert.equal(world.emu.users().filter((u) => u.email === "ops@example.com").length, 1, "one user invited");
    assert.equal(engine.urns(TYPE).length, 1, "one resource holds it");
  });
});

describe("User renamed without an alias, across an up that failed", function () {
  this.timeout(180_000);
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(async () => world?.close());

  it("keeps the user active: the old name's delete in the next up's fresh host skips the user the new name keeps", async () => {
    const existing = world.emu.addUser({ email: "ops@example.com" });
    const engine = world.engine();
    world.program(
      "index.ts",
      `import * as wallaroo from "pulumi-wallaroo";
new wallaroo.User("ops-example-com", { email: "ops@example.com", adoptExisting: true });
`,
    );
    assertOk(await engine.up("index.ts"));

    // Renamed without an alias, and another resource of the same up fails: the engine skips the deletes.
    world.program(
      "index.ts",
      `import * as wallaroo from "pulumi-wallaroo";
new wallaroo.User("ops", { email: "ops@example.com", adoptExisting: true });
new wallaroo.User("newcomer", { email: "newcomer@example.com" });
`,
    );
    world.emu.setFaults([{ endpoint: INVITE, status: 500, count: 1 }]);
    const failed = await engine.up("index.ts");
    assert.equal(failed.ok, false);
    assert.deepEqual(names(failed.deleted), [], "no delete ran after a failed step");
    assert.ok(engine.getResource("ops-example-com"), "the old name is still in the state");
    assert.equal(engine.getResource("ops")!.id, existing.id, "the new name adopted the same user");

    // The next up: a fresh host, the old name's delete runs now.
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(names(up.deleted), ["ops-example-com"]);
    assert.deepEqual(mutatingCalls(world.emu), { invite: 1 }, "only the newcomer's invite");
    assert.equal(world.emu.users().find((u) => u.id === existing.id)?.enabled, true, "still active on the server");
    assert.equal(engine.getProperty("ops", "outputs", "active").value, true, "and in the state");
    const again = assertOk(await engine.up("index.ts"));
    assert.deepEqual([again.created, again.updated, again.deleted, again.replaced], [[], [], [], []]);
  });

  it("still deactivates the old user of a replacement: a diff that replaces protects nothing", async () => {
    const engine = world.engine();
    const v1 = `import * as wallaroo from "pulumi-wallaroo";
new wallaroo.User("dana", { email: "dana@example.com" });
`;
    world.program("index.ts", v1);
    assertOk(await engine.up("index.ts"));
    const oldId = engine.getResource("dana")!.id;
    world.program("index.ts", v1.replace("dana@example.com", "dana.new@example.com"));
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(names(up.replaced), ["dana"]);
    assert.equal(world.emu.users().find((u) => u.id === oldId)?.enabled, false, "the old address is deactivated");
    assert.equal(roster(world.emu)["dana.new@example.com"], true, "the new one invited");
  });
});

describe("User whose email an admin corrected on the server", function () {
  this.timeout(180_000);
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(async () => world?.close());

  it("plans an update that fails naming both addresses and touching nothing; taking the server's address is no change", async () => {
    const engine = world.engine();
    const v1 = `import * as wallaroo from "pulumi-wallaroo";
const erin = new wallaroo.User("erin", { email: "erin@exmaple.com" });
new wallaroo.WorkspaceMember("team-erin", { workspaceId: new wallaroo.Workspace("team", { name: "team" }).workspaceId, email: erin.email });
`;
    world.program("index.ts", v1);
    assertOk(await engine.up("index.ts"));
    const id = engine.getResource("erin")!.id!;
    const members = () => world.emu.workspaces().find((w) => w.name === "team")!.members;
    assert.ok(
      members().some((m) => m.user_id === id),
      "erin is a member of team",
    );
    const membersBefore = members();
    world.emu.changeEmail(id, "erin@example.com");
    assertOk(await engine.refresh());
    assert.equal(engine.getProperty("erin", "outputs", "email").value, "erin@example.com");

    world.emu.resetStats();
    const up = await engine.up("index.ts");
    assert.equal(up.ok, false);
    const message = up.failed.map((f) => f.message).join("\n");
    assert.match(message, /erin@example\.com/);
    assert.match(message, /erin@exmaple\.com/);
    assert.match(message, /changed outside Pulumi/);
    assert.deepEqual(names(up.replaced), [], "never a replacement");
    assert.deepEqual(mutatingCalls(world.emu), {}, "nothing was invited or deactivated");
    assert.deepEqual(
      world.emu
        .users()
        .filter((u) => u.id === id)
        .map((u) => [u.email, u.enabled]),
      [["erin@example.com", true]],
    );
    assert.deepEqual(members(), membersBefore, "the membership stays");

    world.program("index.ts", v1.replace("erin@exmaple.com", "erin@example.com"));
    const fixed = assertOk(await engine.up("index.ts"));
    assert.deepEqual([fixed.created, fixed.updated, fixed.deleted, fixed.replaced], [[], [], [], []]);
    assert.deepEqual(mutatingCalls(world.emu), {});
  });
});

describe("Rotated credentials", function () {
  this.timeout(180_000);
  let world: World;
  let engine: Engine;
  before(async () => {
    world = await startWorld();
  });
  after(async () => world?.close());

  it("a refresh after the token was rotated logs in with the stored one and says so, and what to do", async () => {
    engine = world.engine();
    engine.removeConfig("wallaroo:username");
    engine.removeConfig("wallaroo:password");
    const oldToken = world.emu.issueToken();
    engine.setConfig("wallaroo:token", oldToken, { secret: true });
    world.program(
      "index.ts",
      `import * as wallaroo from "pulumi-wallaroo";
new wallaroo.User("fay", { email: "fay@example.com" });
`,
    );
    assertOk(await engine.up("index.ts"));
    assert.deepEqual(engine.findInArtifacts([oldToken]), [], "the token is nowhere in plain text");

    world.emu.revokeToken(oldToken);
    const newToken = world.emu.issueToken();
    engine.setConfig("wallaroo:token", newToken, { secret: true });
    const before = engine.listResources();
    const refresh = await engine.refresh();
    assert.equal(refresh.ok, false);
    const message = refresh.failed.map((f) => f.message).join("\n");
    assert.match(message, /the stack setting wallaroo:token/);
    assert.match(message, /the configuration the last pulumi up stored/);
    assert.match(message, /--run-program/);
    assert.deepEqual(engine.listResources(), before, "the failed refresh changed no resource in the state");
    assert.deepEqual(engine.findInArtifacts([oldToken, newToken]), [], "no token in any message or log");
  });

  it("works with --run-program, and after an up that stores the new configuration", async () => {
    assertOk(await engine.refresh({ runProgram: "index.ts" }));
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual([up.created, up.updated, up.deleted, up.replaced], [[], [], [], []]);
    assert.deepEqual(mutatingCalls(world.emu), {});
    assertOk(await engine.refresh());
    assertOk(await engine.destroy());
    assert.equal(roster(world.emu)["fay@example.com"], false, "destroy deactivated fay with the new token");
  });
});
