/**
 * State written by release 0.1.0 keeps working with this build. Every stack's state holds the
 * `__provider` text of the release that created each user; refresh and destroy run that copy,
 * which requires "pulumi-wallaroo/dist/provider/lifecycle" from whatever version is installed
 * now. The fixture (test/fixtures/release-0.1.0) is a stack state and the emulator's data file,
 * both recorded with 0.1.0; it is never regenerated.
 */
import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { assertOk, Engine, makeTempDir } from "../harness";
import { roster, startWorld, World } from "../support/world";

const FIXTURE = resolve(__dirname, "..", "..", "..", "test", "fixtures", "release-0.1.0");
const TYPE = "pulumi-nodejs:dynamic/wallaroo:User";

const PROGRAM = `import * as wallaroo from "pulumi-wallaroo";
export const a = new wallaroo.User("alice", { email: "alice@example.com" }).userId;
export const b = new wallaroo.User("bob", { email: "bob@example.com", active: false }).userId;
export const c = new wallaroo.User("carol", { email: "carol@example.com" }).userId;
`;

describe("the frozen provider entry (state from release 0.1.0)", function () {
  this.timeout(120_000);
  let world: World;
  let engine: Engine;
  let frozenProvider: string;

  before(async () => {
    const dir = makeTempDir("frozen-entry");
    copyFileSync(join(FIXTURE, "emulator-data.json"), join(dir, "data.json"));
    copyFileSync(join(FIXTURE, "stack-state.json"), join(dir, "dev.json"));
    world = await startWorld({ dataFile: join(dir, "data.json") });
    engine = world.engine({ stateFile: join(dir, "dev.json"), secretsPassphrase: "release-0.1.0" });
    const state = JSON.parse(readFileSync(join(FIXTURE, "stack-state.json"), "utf8")) as {
      checkpoint: { latest: { resources: { type: string; inputs: { __provider?: string } }[] } };
    };
    frozenProvider = state.checkpoint.latest.resources.find((r) => r.type === TYPE)!.inputs.__provider!;
  });
  after(async () => world?.close());

  it("holds the 0.1.0 __provider text, which requires the frozen entry by package name", () => {
    assert.match(frozenProvider, /require\("pulumi-wallaroo\/dist\/provider\/lifecycle"\)\.read\(id, props\)/);
    assert.match(frozenProvider, /require\("pulumi-wallaroo\/dist\/provider\/lifecycle"\)\.remove\(id, props\)/);
    for (const r of engine.listResources().filter((r) => r.type === TYPE)) {
      assert.equal(r.outputs.__provider, frozenProvider);
    }
    assert.deepEqual(roster(world.emu), {
      "alice@example.com": true,
      "bob@example.com": false,
      "carol@example.com": true,
    });
  });

  it("refreshes through the 0.1.0 provider text with the current build", async () => {
    const r = assertOk(await engine.refresh());
    assert.equal(r.refreshed.filter((u) => u.includes(TYPE)).length, 3);
    assert.deepEqual(r.removed, []);
    assert.equal(engine.getProperty("bob", "outputs", "active").value, false);
  });

  it("updates a 0.1.0 user in place (carol deactivated)", async () => {
    world.program(
      "index.ts",
      PROGRAM.replace(`{ email: "carol@example.com" }`, `{ email: "carol@example.com", active: false }`),
    );
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(
      up.updated.map((u) => u.split("::").pop()),
      ["carol"],
    );
    assert.deepEqual(up.created, []);
    assert.equal(roster(world.emu)["carol@example.com"], false);
  });

  it("destroys what 0.1.0 created, through the 0.1.0 provider text", async () => {
    // A fresh copy of the 0.1.0 state, so that delete runs the old text (an up rewrites __provider).
    const fresh = join(makeTempDir("frozen-entry-destroy"), "dev.json");
    copyFileSync(join(FIXTURE, "stack-state.json"), fresh);
    const old = world.engine({ stateFile: fresh, secretsPassphrase: "release-0.1.0" });
    for (const r of old.listResources().filter((r) => r.type === TYPE))
      assert.equal(r.outputs.__provider, frozenProvider);
    assertOk(await old.destroy());
    assert.deepEqual(old.urns(TYPE), []);
    assert.deepEqual(roster(world.emu), {
      "alice@example.com": false,
      "bob@example.com": false,
      "carol@example.com": false,
    });
  });
});
