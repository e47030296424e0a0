/**
 * examples/adopt-existing: users seeded in the emulator, their emails given as
 * the structured `emails` config (the harness's config is a flat string map, so
 * the list is its JSON text, which is what the CLI hands the program for
 * `pulumi config set --path 'emails[0]' ...`). Adoption must send no mutating
 * call, and a second up must change nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { resourceNameFor } from "../../roster";
import { assertOk, Engine } from "../harness";
import { mutatingCalls, roster, startWorld, World } from "../support/world";
import { exampleProject, ExampleProject, typeCheck } from "./project";

const TYPE = "pulumi-nodejs:dynamic/wallaroo:User";

describe("examples/adopt-existing", function () {
  this.timeout(120_000);
  let project: ExampleProject;
  let world: World;
  let engine: Engine;
  let ids: Record<string, string>;
  let emailsKey: string;

  before(async () => {
    project = await exampleProject("adopt-existing");
    world = await startWorld({}, project.dir);
    emailsKey = `${project.example.projectName}:emails`;
    ids = {
      alice: world.emu.addUser({ email: "alice@example.com", enabled: true }).id,
      bob: world.emu.addUser({ email: "bob@example.com", enabled: false }).id,
      ops: world.emu.addUser({ email: "ops@example.com", enabled: true }).id,
    };
    engine = world.engine({
      projectName: project.example.projectName,
      config: { [emailsKey]: JSON.stringify(["alice@example.com", "Bob@Example.com"]) },
    });
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

  it("adopts the listed users as they are: no invite, activate or deactivate", async () => {
    const before = roster(world.emu);
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.equal(up.created.filter((u) => u.includes(TYPE)).length, 2);
    assert.deepEqual(mutatingCalls(world.emu), {});
    assert.deepEqual(roster(world.emu), before);
    const alice = resourceNameFor("alice@example.com", new Set());
    const bob = resourceNameFor("Bob@Example.com", new Set());
    assert.equal(engine.getResource(alice)?.id, ids.alice);
    assert.equal(engine.getResource(bob)?.id, ids.bob);
    assert.equal(engine.getProperty(bob, "inputs", "active").value, false, "bob is declared inactive, as he is");
    assert.deepEqual(up.outputs.adopted, { "alice@example.com": true, "Bob@Example.com": true });
    // What the program found before declaring anything: the users it does not manage.
    assert.deepEqual((up.outputs.unmanaged as string[]).slice().sort(), ["admin (no email)", "ops@example.com"]);
  });

  it("a second up changes nothing", async () => {
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual([up.created, up.updated, up.replaced, up.deleted], [[], [], [], []]);
    assert.equal(up.same.filter((u) => u.includes(TYPE)).length, 2);
    assert.deepEqual(mutatingCalls(world.emu), {});
  });

  it("a malformed `emails` setting stops the program with a message saying how to set it", async () => {
    const other = world.engine({
      projectName: project.example.projectName,
      stackName: "bad",
      config: { [emailsKey]: JSON.stringify({ alice: "alice@example.com" }) },
    });
    world.emu.resetStats();
    const up = await other.up("index.ts");
    assert.equal(up.ok, false);
    assert.match(
      up.programErrors.join("\n"),
      /config 'emails' must be a non-empty list of emails, e\.g\. pulumi config set --path 'emails\[0\]'/,
    );
    assert.deepEqual(up.created, []);
    assert.deepEqual(mutatingCalls(world.emu), {});
  });
});
