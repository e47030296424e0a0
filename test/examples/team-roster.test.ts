/**
 * examples/team-roster: the roster file edited between runs (a line added, one
 * flipped to inactive, one removed), a bad roster that must stop the program
 * and change nothing, and a roster naming users that already exist (adopted,
 * no mutating call). The emulator is checked after every step.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { resourceNameFor } from "../../roster";
import { assertOk, Engine } from "../harness";
import { mutatingCalls, roster, startWorld, World } from "../support/world";
import { serverWorkspace, workspaceMutations } from "../support/workspaces";
import { tokenRequest } from "../emulator/helpers";
import { exampleProject, ExampleProject, typeCheck } from "./project";

const TYPE = "pulumi-nodejs:dynamic/wallaroo:User";
const DAVE_PASSWORD = "Dave-Initial-Pw-3";

const names = (urns: string[]) => urns.map((u) => u.split("::").pop()).sort();
const usersOnly = (urns: string[]) => urns.filter((u) => u.includes(`::${TYPE}::`));

describe("examples/team-roster", function () {
  this.timeout(120_000);
  let project: ExampleProject;
  let world: World;
  let engine: Engine;

  const writeRoster = (text: string, file = "team.yaml") => writeFileSync(join(project.dir, file), text);

  before(async () => {
    project = await exampleProject("team-roster");
    world = await startWorld({}, project.dir);
    engine = world.engine({ projectName: project.example.projectName });
  });
  after(async () => world?.close());

  it("type-checks (strict) against the installed package's declarations", () => {
    const result = typeCheck(project.dir);
    assert.deepEqual(result.diagnostics, []);
    assert.ok(
      result.resolvedPackage?.startsWith(join(project.dir, "node_modules", "pulumi-wallaroo")),
      result.resolvedPackage,
    );
  });

  it("up with the example's team.yaml invites every row, deactivating the inactive one", async () => {
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    const expected = ["alice@example.com", "bob@example.com", "carol@example.com"]
      .map((e) => resourceNameFor(e, new Set()))
      .sort();
    assert.deepEqual(names(up.created.filter((u) => u.includes(TYPE))), expected);
    assert.deepEqual(names(engine.urns(TYPE)), expected);
    assert.deepEqual(roster(world.emu), {
      "alice@example.com": true,
      "bob@example.com": true,
      "carol@example.com": false,
    });
    assert.deepEqual(mutatingCalls(world.emu), { invite: 3, deactivate: 1 });
    assert.equal(up.outputs.activeUsers, 2);
  });

  it("creates the workspaces the roster names, with each person's role", () => {
    assert.deepEqual(serverWorkspace(world.emu, "fraud-detection")?.members, {
      admin: "OWNER",
      "alice@example.com": "OWNER",
      "bob@example.com": "COLLABORATOR",
    });
    assert.deepEqual(serverWorkspace(world.emu, "churn")?.members, { admin: "OWNER", "bob@example.com": "OWNER" });
    assert.deepEqual(
      engine
        .urns("pulumi-nodejs:dynamic/wallaroo:WorkspaceMember")
        .map((u) => u.split("::").pop())
        .sort(),
      ["churn.bob-example-com", "fraud-detection.alice-example-com", "fraud-detection.bob-example-com"],
    );
  });

  it("after editing the roster (add dave, bob inactive, alice's line removed): dave invited with the secret password keyed by his resource name, bob and alice deactivated", async () => {
    writeRoster(`users:
  - email: bob@example.com
    active: false
    note: parental leave
  - email: carol@example.com
    active: false
  - email: dave@example.com
    note: new data scientist
`);
    // dave's initial password: a secret of the stack, keyed by his resource name, never in the roster.
    const passwordKey = `${project.example.projectName}:password-dave-example-com`;
    engine.config[passwordKey] = DAVE_PASSWORD;
    engine.secretConfigKeys.push(passwordKey);
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    const name = (e: string) => resourceNameFor(e, new Set());
    assert.deepEqual(names(usersOnly(up.created)), [name("dave@example.com")]);
    assert.deepEqual(names(usersOnly(up.updated)), [name("bob@example.com")]);
    assert.deepEqual(names(usersOnly(up.deleted)), [name("alice@example.com")]);
    // The lines no longer name any workspace: the memberships are removed, the workspaces stay on the server.
    assert.deepEqual(workspaceMutations(world.emu), { remove_user: 3 });
    assert.deepEqual(serverWorkspace(world.emu, "fraud-detection")?.members, { admin: "OWNER" });
    assert.deepEqual(serverWorkspace(world.emu, "churn")?.members, { admin: "OWNER" });
    assert.deepEqual(up.replaced, []);
    assert.deepEqual(roster(world.emu), {
      "alice@example.com": false,
      "bob@example.com": false,
      "carol@example.com": false,
      "dave@example.com": true,
    });
    assert.deepEqual(mutatingCalls(world.emu), { invite: 1, deactivate: 2 });
    assert.equal(up.outputs.activeUsers, 1);
    const login = { client_id: "sdk-client", grant_type: "password", username: "dave@example.com" };
    assert.equal((await tokenRequest(world.emu.url, { ...login, password: DAVE_PASSWORD })).status, 200);
    assert.ok(engine.isSecretInState(name("dave@example.com"), "inputs", "password"));
    assert.deepEqual(engine.findInArtifacts([DAVE_PASSWORD]), []);
    assert.deepEqual(Object.keys(up.outputs.userIds as object).sort(), [
      "bob@example.com",
      "carol@example.com",
      "dave@example.com",
    ]);
  });

  it("a bad roster stops the program naming every bad row, and nothing changes on the server or in the state", async () => {
    const before = roster(world.emu);
    const urnsBefore = engine.urns(TYPE);
    writeRoster(`users:
  - email: bob@example.com
    active: false
  - email: erin@example
  - email: Bob@Example.com
  - email: frank@example.com
    activ: false
`);
    world.emu.resetStats();
    const up = await engine.up("index.ts");
    assert.equal(up.ok, false);
    const message = up.programErrors.join("\n");
    assert.match(message, /team\.yaml: not a valid roster \(3 problems\)/);
    assert.match(message, /row 2 \(erin@example, line 4\): email 'erin@example' has no dot in the domain/);
    assert.match(message, /row 3 \(Bob@Example\.com, line 5\): duplicate email: row 1/);
    assert.match(message, /row 4 \(frank@example\.com, line 7\): unknown key 'activ' \(did you mean 'active'\?\)/);
    assert.doesNotMatch(message, /\n\s+at /, "no stack trace");
    // No user was registered, and the users the bad roster leaves out (carol, dave) were not deleted.
    assert.deepEqual(up.created, []);
    assert.deepEqual(up.deleted, []);
    assert.deepEqual(mutatingCalls(world.emu), {});
    assert.deepEqual(roster(world.emu), before);
    assert.deepEqual(engine.urns(TYPE), urnsBefore);
  });

  it("users that already exist are adopted, with no invite, activate or deactivate; a second up changes nothing", async () => {
    const erin = world.emu.addUser({ email: "erin@example.com", enabled: true });
    const frank = world.emu.addUser({ email: "frank@example.com", enabled: false });
    writeRoster(
      `users:
  - email: Erin@Example.com
  - email: frank@example.com
    active: false
`,
      "existing.yaml",
    );
    const adopter = world.engine({
      projectName: project.example.projectName,
      stackName: "existing",
      config: { [`${project.example.projectName}:roster`]: "existing.yaml" },
    });
    world.emu.resetStats();
    const up = assertOk(await adopter.up("index.ts"));
    assert.equal(up.created.filter((u) => u.includes(TYPE)).length, 2);
    assert.deepEqual(mutatingCalls(world.emu), {});
    const erinName = resourceNameFor("Erin@Example.com", new Set());
    const frankName = resourceNameFor("frank@example.com", new Set());
    assert.equal(adopter.getResource(erinName)?.id, erin.id);
    assert.equal(adopter.getResource(frankName)?.id, frank.id);
    assert.equal(adopter.getProperty(erinName, "outputs", "adopted").value, true);
    assert.equal(adopter.getProperty(frankName, "outputs", "adopted").value, true);
    assert.equal(roster(world.emu)["erin@example.com"], true);
    assert.equal(roster(world.emu)["frank@example.com"], false);

    world.emu.resetStats();
    const again = assertOk(await adopter.up("index.ts"));
    assert.deepEqual([again.created, again.updated, again.replaced, again.deleted], [[], [], [], []]);
    assert.deepEqual(mutatingCalls(world.emu), {});
  });
});
