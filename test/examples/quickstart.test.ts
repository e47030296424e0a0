/**
 * examples/quickstart as a user runs it: the example's files in a project with
 * the packed package, its configuration given as stack config (the secrets as
 * secrets), up → `carolActive=false` → up → destroy through Pulumi's
 * dynamic-provider host, and the emulator checked after every step.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { assertOk, Engine } from "../harness";
import { mutatingCalls, roster, startWorld, World } from "../support/world";
import { exampleProject, ExampleProject, typeCheck } from "./project";

const TYPE = "pulumi-nodejs:dynamic/wallaroo:User";
const BOB_PASSWORD = "Bob-Initial-Pw-7";
const TOKEN_PATH = "/auth/realms/master/protocol/openid-connect/token";

async function canLogIn(url: string, username: string, password: string): Promise<boolean> {
  const res = await fetch(url + TOKEN_PATH, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "password", client_id: "sdk-client", username, password }).toString(),
  });
  await res.arrayBuffer();
  return res.ok;
}

describe("examples/quickstart", function () {
  this.timeout(120_000);
  let project: ExampleProject;
  let world: World;
  let engine: Engine;
  let key: (k: string) => string;

  before(async () => {
    project = await exampleProject("quickstart");
    world = await startWorld({}, project.dir);
    key = (k) => `${project.example.projectName}:${k}`;
    engine = world.engine({
      projectName: project.example.projectName,
      config: { [key("bobPassword")]: BOB_PASSWORD },
      secretConfigKeys: [key("bobPassword")],
    });
  });
  after(async () => world?.close());

  it("type-checks (strict) against the installed package's declarations", () => {
    const result = typeCheck(project.dir);
    assert.deepEqual(result.diagnostics, []);
    assert.ok(
      result.resolvedPackage?.startsWith(path.join(project.dir, "node_modules", "pulumi-wallaroo") + path.sep),
      result.resolvedPackage,
    );
    assert.match(result.resolvedPackage!, /\.d\.ts$/);
    // The check has teeth: a wrong input type is reported.
    fs.writeFileSync(
      path.join(project.dir, "wrong.ts"),
      project.example.files["index.ts"].replace(`email: "alice@example.com"`, `email: 42`),
    );
    const wrong = typeCheck(project.dir, "wrong.ts");
    assert.ok(
      wrong.diagnostics.some((d) => /^wrong\.ts:\d+: .*number.*string/s.test(d)),
      wrong.diagnostics.join("\n"),
    );
  });

  it("up: alice and carol active, bob invited with his secret password and deactivated", async () => {
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(
      up.created
        .filter((u) => u.includes(TYPE))
        .map((u) => u.split("::").pop())
        .sort(),
      ["alice", "bob", "carol"],
    );
    assert.deepEqual(roster(world.emu), {
      "alice@example.com": true,
      "bob@example.com": false,
      "carol@example.com": true,
    });
    assert.deepEqual(mutatingCalls(world.emu), { invite: 3, deactivate: 1 });
    const byEmail = new Map(world.emu.users().map((u) => [u.email, u.id]));
    assert.deepEqual(up.outputs.userIds, {
      alice: byEmail.get("alice@example.com"),
      bob: byEmail.get("bob@example.com"),
      carol: byEmail.get("carol@example.com"),
    });
    assert.deepEqual(up.outputs.active, { alice: true, bob: false, carol: true });
    // alice's server-issued password is a secret output, and it is her real password.
    assert.ok(up.secretOutputs.includes("aliceInitialPassword"), `secret outputs: ${up.secretOutputs.join(", ")}`);
    const issued = up.outputs.aliceInitialPassword;
    assert.equal(typeof issued, "string");
    assert.ok(
      await canLogIn(world.emu.url, "alice@example.com", issued as string),
      "alice logs in with the exported password",
    );
    assert.equal(await canLogIn(world.emu.url, "alice@example.com", "not-her-password"), false);
    // bob's password came from secret config: a secret input, never written anywhere in clear.
    assert.ok(engine.isSecretInState("bob", "inputs", "password"));
    assert.deepEqual(engine.findInArtifacts([BOB_PASSWORD, issued as string]), []);
  });

  it("carolActive=false: carol is deactivated in place, nothing else is touched", async () => {
    engine.config[key("carolActive")] = "false";
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(
      up.updated.map((u) => u.split("::").pop()),
      ["carol"],
    );
    assert.deepEqual(up.replaced, []);
    assert.deepEqual(roster(world.emu), {
      "alice@example.com": true,
      "bob@example.com": false,
      "carol@example.com": false,
    });
    assert.deepEqual(mutatingCalls(world.emu), { deactivate: 1 });
    assert.deepEqual(up.outputs.active, { alice: true, bob: false, carol: false });
  });

  it("a second up with the same configuration changes nothing", async () => {
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual([up.created, up.updated, up.replaced, up.deleted], [[], [], [], []]);
    assert.deepEqual(mutatingCalls(world.emu), {});
  });

  it("destroy deactivates everyone and empties the stack", async () => {
    world.emu.resetStats();
    const d = await engine.destroy();
    assert.ok(d.ok, JSON.stringify(d.failed));
    assert.deepEqual(engine.urns(TYPE), []);
    assert.deepEqual(roster(world.emu), {
      "alice@example.com": false,
      "bob@example.com": false,
      "carol@example.com": false,
    });
    assert.ok((mutatingCalls(world.emu).deactivate ?? 0) >= 1);
    assert.equal(mutatingCalls(world.emu).invite, undefined);
  });
});
