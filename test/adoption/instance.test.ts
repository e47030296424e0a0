/**
 * Bringing a whole existing instance under management (issue: adoption with no
 * change): `wallaroo-users generate` writes the program, and its first `up`
 * adopts every user without a single mutating call; the second shows no changes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../cli/run";
import { assertOk } from "../harness";
import { typeErrors } from "../support/typecheck";
import { ADMIN_PASSWORD, consumerProject, mutatingCalls, roster, startWorld, World } from "../support/world";

const TYPE = "pulumi-nodejs:dynamic/wallaroo:User";
const REPO = join(__dirname, "..", "..", "..");

async function cli(world: World, args: string[]): Promise<string> {
  let out = "";
  let err = "";
  const code = await run(args, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { WALLAROO_URL: world.emu.url, WALLAROO_USER: "admin", WALLAROO_PASSWORD: ADMIN_PASSWORD },
  });
  assert.equal(code, 0, err);
  return out;
}

describe("Adopting an existing instance", function () {
  this.timeout(240_000);
  let world: World;
  let before30: Record<string, boolean>;

  before(async () => {
    world = await startWorld({ edition: "enterprise" });
    for (let i = 0; i < 30; i++) world.emu.addUser({ email: `Person${i}@Example.com`, enabled: i % 4 !== 0 });
    world.emu.addUser({ username: "service-account", enabled: true });
    before30 = roster(world.emu);
  });
  after(async () => world?.close());

  it("generates a TypeScript program that compiles against the installed package", async () => {
    const text = await cli(world, ["generate", "--format", "ts", "--quiet"]);
    assert.equal((text.match(/new wallaroo\.User\(/g) ?? []).length, 30);
    assert.match(text, /service-account/, "the user without an email is named in a comment");
    world.program("index.ts", text);
    assert.deepEqual(typeErrors(join(world.projectDir, "index.ts")), []);
  });

  it("adopts every user on the first up with zero mutating calls", async () => {
    const engine = world.engine();
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.equal(up.created.filter((u) => u.includes(TYPE)).length, 30);
    assert.deepEqual(mutatingCalls(world.emu), {});
    assert.deepEqual(roster(world.emu), before30);
    for (const urn of engine.urns(TYPE)) assert.equal(engine.getProperty(urn, "outputs", "adopted").value, true, urn);

    world.emu.resetStats();
    const again = assertOk(await engine.up("index.ts"));
    assert.deepEqual([again.created, again.updated, again.replaced, again.deleted], [[], [], [], []]);
    assert.equal(again.same.filter((u) => u.includes(TYPE)).length, 30);
    assert.deepEqual(mutatingCalls(world.emu), {});
  });

  it("generates a roster that the team-roster example adopts with zero mutating calls", async () => {
    const yaml = await cli(world, ["generate", "--format", "roster", "--quiet"]);
    const dir = await consumerProject({
      "index.ts": readFileSync(join(REPO, "examples", "team-roster", "index.ts"), "utf8"),
      "team.yaml": yaml,
    });
    const engine = world.engine({ projectDir: dir, projectName: "wallaroo-team-roster" });
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.equal(up.created.filter((u) => u.includes(TYPE)).length, 30);
    assert.deepEqual(mutatingCalls(world.emu), {});
    world.emu.resetStats();
    const again = assertOk(await engine.up("index.ts"));
    assert.deepEqual([again.created, again.updated, again.replaced, again.deleted], [[], [], [], []]);
    assert.deepEqual(mutatingCalls(world.emu), {});
    assert.deepEqual(roster(world.emu), before30);
  });

  it("treats an email that differs only in case as the same user", async () => {
    const engine = world.engine();
    world.program(
      "case.ts",
      `import * as wallaroo from "pulumi-wallaroo";\nnew wallaroo.User("p1", { email: "PERSON1@example.COM", adoptExisting: true });\n`,
    );
    world.emu.resetStats();
    assertOk(await engine.up("case.ts"));
    assert.deepEqual(mutatingCalls(world.emu), {});
    assert.equal(engine.getResource("p1")!.id, world.emu.users().find((u) => u.email === "person1@example.com")!.id);
  });
});
