/**
 * Every native type through the plugin over gRPC, as the engine drives it, with the server checked
 * after each step: create → read (refresh) → update → read with only an id (import) → delete. An
 * import's answer must make the next `up` a no-change: its inputs pass Check and Diff against them
 * finds nothing. Then the functions (Invoke), Cancel, the init-failure path and secrets.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { isSecret, secret, unwrapSecrets } from "../harness";
import { api, tokenRequest } from "../emulator/helpers";
import { ADMIN_PASSWORD } from "../support/world";
import { serverWorkspace, workspaceMutations } from "../support/workspaces";
import { PluginProcess, REPO, type Props } from "./pluginProcess";

const USER = "wallaroo:index:User";
const WORKSPACE = "wallaroo:index:Workspace";
const MEMBER = "wallaroo:index:WorkspaceMember";

describe("the native wallaroo types through the plugin", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let plugin: PluginProcess;
  const started: PluginProcess[] = [];

  async function configured(args: Props = {}): Promise<PluginProcess> {
    const p = await PluginProcess.start({ via: "bin" });
    started.push(p);
    await p.configure({ url: emu.url, username: "admin", password: secret(ADMIN_PASSWORD), ...args });
    return p;
  }

  const serverUser = (email: string) => emu.users().find((u) => u.email === email);

  /** An import's answer is a no-change for the program that declares what it returned. */
  async function assertImportIsNoChange(
    type: string,
    name: string,
    id: string,
    imported: { outputs?: Props; inputs?: Props },
  ) {
    const checked = await plugin.check(type, name, imported.inputs!, imported.inputs!);
    assert.deepEqual(checked.failures, [], "the imported inputs pass Check");
    const d = await plugin.diff(type, name, id, imported.inputs!, imported.outputs!, checked.inputs);
    assert.equal(d.changes, "none", `no change after the import: ${JSON.stringify(d)}`);
  }

  before(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    plugin = await configured();
  });
  after(async () => {
    await Promise.all(started.map((p) => p.close()));
    await emu?.close();
  });

  describe("wallaroo:index:User", () => {
    let id: string;
    let inputs: Props;
    let outputs: Props;

    it("creates the user (the server generates its password, returned as a secret)", async () => {
      const checked = await plugin.check(USER, "alice", { email: "Alice@Example.com" });
      assert.deepEqual(checked.failures, []);
      inputs = checked.inputs;
      assert.deepEqual(inputs, { email: "Alice@Example.com", active: true, adoptExisting: false });
      ({ id, outputs } = await plugin.create(USER, "alice", inputs));
      const onServer = serverUser("alice@example.com");
      assert.ok(onServer?.enabled, "invited and active");
      assert.equal(id, onServer.id);
      assert.equal(outputs.userId, id);
      assert.equal(outputs.email, "alice@example.com");
      assert.ok(isSecret(outputs.initialPassword), "initialPassword is a secret");
      const pw = unwrapSecrets<string>(outputs.initialPassword);
      assert.equal(
        (
          await tokenRequest(emu.url, {
            client_id: "sdk-client",
            grant_type: "password",
            username: "alice@example.com",
            password: pw,
          })
        ).status,
        200,
      );
    });

    it("reads it back on refresh: the same outputs, secrets kept, the program's inputs kept", async () => {
      const r = await plugin.read(USER, "alice", id, { outputs, inputs });
      assert.equal(r.id, id);
      assert.deepEqual(r.outputs, outputs);
      assert.deepEqual(r.inputs, inputs);
    });

    it("diffs active with a detailed input diff and deactivates in place", async () => {
      const news = (await plugin.check(USER, "alice", { email: "Alice@Example.com", active: false }, inputs)).inputs;
      const d = await plugin.diff(USER, "alice", id, inputs, outputs, news);
      assert.equal(d.changes, "some");
      assert.deepEqual(d.replaces, []);
      assert.deepEqual(d.detailed, { active: { kind: "update", inputDiff: true } });
      outputs = await plugin.update(USER, "alice", id, inputs, outputs, news);
      inputs = news;
      assert.equal(outputs.active, false);
      assert.equal(serverUser("alice@example.com")?.enabled, false, "deactivated on the server");
      assert.ok(isSecret(outputs.initialPassword), "still a secret after the update");
    });

    it("shows drift on the server as an output diff (inputDiff false) after a refresh", async () => {
      await api(emu)("activate", { email: "alice@example.com" });
      const r = await plugin.read(USER, "alice", id, { outputs, inputs });
      assert.equal(r.outputs!.active, true);
      const d = await plugin.diff(USER, "alice", id, inputs, r.outputs!, inputs);
      assert.equal(d.changes, "some");
      assert.deepEqual(d.detailed, { active: { kind: "update", inputDiff: false } });
      outputs = await plugin.update(USER, "alice", id, inputs, r.outputs!, inputs);
      assert.equal(serverUser("alice@example.com")?.enabled, false, "corrected");
    });

    it("reports an email change as a replacement, deleting first, in the detailed diff", async () => {
      const news = (await plugin.check(USER, "alice", { email: "alice2@example.com", active: false }, inputs)).inputs;
      const d = await plugin.diff(USER, "alice", id, inputs, outputs, news);
      assert.deepEqual(d.replaces, ["email"]);
      assert.equal(d.deleteBeforeReplace, true);
      assert.deepEqual(d.detailed, { email: { kind: "update-replace", inputDiff: true } });
      // A case change alone is the same user.
      const cased = (await plugin.check(USER, "alice", { email: "ALICE@example.com", active: false }, inputs)).inputs;
      assert.equal((await plugin.diff(USER, "alice", id, inputs, outputs, cased)).changes, "none");
    });

    it("imports it from its id alone: outputs from the server and inputs that make the next up a no-change", async () => {
      const r = await plugin.read(USER, "alice", id);
      assert.equal(r.id, id);
      assert.deepEqual(r.inputs, { email: "alice@example.com", active: false });
      assert.equal(r.outputs!.userId, id);
      assert.equal(r.outputs!.adopted, false);
      assert.equal(r.outputs!.initialPassword, undefined, "the server never says the password again");
      await assertImportIsNoChange(USER, "alice", id, r);
    });

    it("deletes by deactivating the user (in the process of a later operation, as `pulumi destroy`)", async () => {
      const active = (await plugin.check(USER, "alice", { email: "alice@example.com" }, inputs)).inputs;
      outputs = await plugin.update(USER, "alice", id, inputs, outputs, active);
      assert.equal(serverUser("alice@example.com")?.enabled, true);
      // In the operation that created it, a delete of the same id is a rename without an alias, and leaves the user.
      await (await configured()).delete(USER, "alice", id, active, outputs);
      assert.equal(serverUser("alice@example.com")?.enabled, false, "deactivated: its seat is free");
    });

    it("answers an import of an id the server does not have with no properties (the engine: does not exist)", async () => {
      const r = await plugin.read(USER, "ghost", "00000000-0000-0000-0000-000000000000");
      assert.deepEqual(r, { id: "", outputs: undefined, inputs: undefined });
    });

    it("keeps a given password a secret in Check's inputs, whether or not it arrived as one", async () => {
      for (const password of ["Given-Pw-1", secret("Given-Pw-1")]) {
        const { inputs: checked } = await plugin.check(USER, "gina", { email: "gina@example.com", password });
        assert.ok(isSecret(checked.password));
      }
    });
  });

  describe("wallaroo:index:Workspace", () => {
    let id: string;
    let inputs: Props;
    let outputs: Props;

    it("creates the workspace", async () => {
      inputs = (await plugin.check(WORKSPACE, "fraud", { name: "fraud-detection" })).inputs;
      emu.resetStats();
      ({ id, outputs } = await plugin.create(WORKSPACE, "fraud", inputs));
      const w = serverWorkspace(emu, "fraud-detection");
      assert.ok(w);
      assert.equal(id, String(w.id));
      assert.equal(outputs.workspaceId, w.id);
      assert.deepEqual(workspaceMutations(emu), { create: 1 });
    });

    it("reads it back, an archive made in the UI showing as drift", async () => {
      emu.archiveWorkspace(Number(id));
      const r = await plugin.read(WORKSPACE, "fraud", id, { outputs, inputs });
      assert.equal(r.outputs!.archived, true);
      assert.deepEqual({ ...r.outputs, archived: false }, outputs);
      emu.archiveWorkspace(Number(id), false);
    });

    it("replaces on a name change (the API cannot rename) and updates adoptExisting without a call", async () => {
      const renamed = (await plugin.check(WORKSPACE, "fraud", { name: "fraud-v2" }, inputs)).inputs;
      const d = await plugin.diff(WORKSPACE, "fraud", id, inputs, outputs, renamed);
      assert.deepEqual(d.replaces, ["name"]);
      assert.deepEqual(d.detailed, { name: { kind: "update-replace", inputDiff: true } });
      const adopting = (
        await plugin.check(WORKSPACE, "fraud", { name: "fraud-detection", adoptExisting: true }, inputs)
      ).inputs;
      emu.resetStats();
      const after = await plugin.update(WORKSPACE, "fraud", id, inputs, outputs, adopting);
      assert.deepEqual(after, outputs);
      assert.deepEqual(workspaceMutations(emu), {});
    });

    it("imports it from its id alone", async () => {
      const r = await plugin.read(WORKSPACE, "fraud", id);
      assert.equal(r.id, id);
      assert.deepEqual(r.inputs, { name: "fraud-detection" });
      assert.equal(r.outputs!.workspaceId, Number(id));
      await assertImportIsNoChange(WORKSPACE, "fraud", id, r);
    });

    it("deletes from the stack only: the workspace stays on the instance (the API cannot delete one)", async () => {
      emu.resetStats();
      await plugin.delete(WORKSPACE, "fraud", id, inputs, outputs);
      assert.ok(serverWorkspace(emu, "fraud-detection"));
      assert.deepEqual(workspaceMutations(emu), {});
    });

    it("refuses an import id that is not a workspace id, saying what it should be", async () => {
      await assert.rejects(plugin.read(WORKSPACE, "x", "fraud-detection"), (e: any) =>
        /is not a workspace id \(a whole number\)/.test(e.details),
      );
    });
  });

  describe("wallaroo:index:WorkspaceMember", () => {
    let ws: number;
    let bobId: string;
    let id: string;
    let inputs: Props;
    let outputs: Props;

    before(async () => {
      bobId = (await plugin.create(USER, "bob", (await plugin.check(USER, "bob", { email: "bob@example.com" })).inputs))
        .id;
      ws = (
        await plugin.create(WORKSPACE, "models", (await plugin.check(WORKSPACE, "models", { name: "models" })).inputs)
      ).outputs.workspaceId as number;
    });

    it("adds the member as collaborator by default", async () => {
      inputs = (await plugin.check(MEMBER, "models-bob", { workspaceId: ws, email: "Bob@Example.com" })).inputs;
      assert.equal(inputs.role, "collaborator");
      ({ id, outputs } = await plugin.create(MEMBER, "models-bob", inputs));
      assert.equal(id, `${ws}/${bobId}`);
      assert.equal(serverWorkspace(emu, "models")!.members["bob@example.com"], "COLLABORATOR");
    });

    it("reads it back", async () => {
      const r = await plugin.read(MEMBER, "models-bob", id, { outputs, inputs });
      assert.deepEqual(r.outputs, outputs);
    });

    it("changes the role in place", async () => {
      const news = (
        await plugin.check(MEMBER, "models-bob", { workspaceId: ws, email: "Bob@Example.com", role: "owner" }, inputs)
      ).inputs;
      const d = await plugin.diff(MEMBER, "models-bob", id, inputs, outputs, news);
      assert.deepEqual(d.detailed, { role: { kind: "update", inputDiff: true } });
      assert.deepEqual(d.replaces, []);
      outputs = await plugin.update(MEMBER, "models-bob", id, inputs, outputs, news);
      inputs = news;
      assert.equal(serverWorkspace(emu, "models")!.members["bob@example.com"], "OWNER");
    });

    it("imports it from `<workspaceId>/<userId>` alone, the member's email asked of the server", async () => {
      const r = await plugin.read(MEMBER, "models-bob", id);
      assert.equal(r.id, id);
      assert.deepEqual(r.inputs, { workspaceId: ws, email: "bob@example.com", role: "owner" });
      assert.deepEqual(r.outputs, {
        workspaceId: ws,
        email: "bob@example.com",
        userId: bobId,
        role: "owner",
        adopted: false,
      });
      await assertImportIsNoChange(MEMBER, "models-bob", id, r);
    });

    it("deletes by removing the user from the workspace (`pulumi destroy`), and then an import finds nothing", async () => {
      await (await configured()).delete(MEMBER, "models-bob", id, inputs, outputs);
      assert.equal(serverWorkspace(emu, "models")!.members["bob@example.com"], undefined);
      assert.deepEqual(serverUser("bob@example.com")?.enabled, true, "the user stays");
      // A later `pulumi import`: another operation, another process.
      assert.equal((await (await configured()).read(MEMBER, "models-bob", id)).id, "");
    });
  });

  describe("a dynamic resource's state taken over under a type alias (moving a stack to the native types)", () => {
    // A wallaroo.User of release 0.1.0 as its state holds it: __provider in its inputs and outputs.
    const fixture = JSON.parse(
      fs.readFileSync(path.join(REPO, "test", "fixtures", "release-0.1.0", "stack-state.json"), "utf8"),
    ).checkpoint.latest.resources.find((r: any) => r.type === "pulumi-nodejs:dynamic/wallaroo:User");
    const dynamicProvider: string = fixture.inputs.__provider;

    it("DiffConfig from the dynamic provider's inputs (the whole stack configuration, namespaced) asks no replacement", async () => {
      // The engine's providerChanged replaces a resource whose provider changes only when the new provider's DiffConfig says so.
      const d = await plugin.diffConfig(
        { "wallaroo:url": emu.url, "wallaroo:username": "admin", "wallaroo:password": secret(ADMIN_PASSWORD) },
        { url: emu.url, username: "admin", password: secret(ADMIN_PASSWORD) },
      );
      assert.deepEqual(d.replaces, []);
    });

    it("diffs the dynamic state against the same native inputs as no change, and a refresh drops __provider", async () => {
      const checked = (await plugin.check(USER, "kim", { email: "kim@example.com" })).inputs;
      const created = await plugin.create(USER, "kim", checked);
      const dynamicInputs = { ...checked, __provider: dynamicProvider };
      const dynamicOutputs = { ...created.outputs, __provider: dynamicProvider };
      const d = await plugin.diff(USER, "kim", created.id, dynamicInputs, dynamicOutputs, checked);
      assert.equal(d.changes, "none");
      const r = await plugin.read(USER, "kim", created.id, { outputs: dynamicOutputs, inputs: checked });
      assert.deepEqual(r.outputs, created.outputs);
    });
  });

  describe("Invoke", () => {
    it("wallaroo:index:lookupUser finds a user by email, case-insensitively, and answers nothing for none", async () => {
      const found = await plugin.invoke("wallaroo:index:lookupUser", { email: "BOB@example.com" });
      assert.deepEqual(found.failures, []);
      assert.equal(found.result.id, serverUser("bob@example.com")!.id);
      assert.equal(found.result.enabled, true);
      assert.deepEqual((await plugin.invoke("wallaroo:index:lookupUser", { email: "nobody@example.com" })).result, {});
      const missing = await plugin.invoke("wallaroo:index:lookupUser", {});
      assert.deepEqual(
        missing.failures.map((f) => f.property),
        ["email"],
      );
    });

    it("wallaroo:index:listUsers lists every user of the instance", async () => {
      const { result } = await plugin.invoke("wallaroo:index:listUsers", {});
      const emails = (result.users as { email?: string; username: string }[]).map((u) => u.email ?? u.username).sort();
      assert.deepEqual(
        emails,
        emu
          .users()
          .map((u) => u.email ?? u.username)
          .sort(),
      );
    });
  });

  it("refuses a type it does not serve, naming the ones it does", async () => {
    await assert.rejects(
      plugin.check("wallaroo:index:Group", "g", {}),
      (e: any) => e.code === 3 && /no resource type 'wallaroo:index:Group'.*wallaroo:index:User/.test(e.details),
    );
  });

  it("reports a user created but not deactivated as an init failure the engine keeps, with its id and outputs", async () => {
    const p = await configured();
    emu.setFaults([{ endpoint: "/v1/api/users/deactivate", status: 500, count: 10 }]);
    try {
      const checked = (await p.check(USER, "hal", { email: "hal@example.com", active: false })).inputs;
      const err: any = await p.create(USER, "hal", checked).then(
        () => assert.fail("the create should fail"),
        (e) => e,
      );
      const onServer = serverUser("hal@example.com")!;
      assert.ok(onServer, "the user was invited");
      assert.equal(err.initFailed?.id, onServer.id);
      assert.equal(err.initFailed.properties.email, "hal@example.com");
      assert.equal("__provider" in err.initFailed.properties, false, "nothing of the dynamic provider");
      assert.deepEqual(err.initFailed.inputs, checked);
      assert.match(err.details, /was invited .* but could not be deactivated/);
    } finally {
      emu.clearFaults();
    }
  });

  it("after Cancel starts nothing new: a create is refused and the server untouched", async () => {
    const p = await configured();
    await p.cancel();
    const checked = (await p.check(USER, "ivy", { email: "ivy@example.com" })).inputs;
    await assert.rejects(
      p.create(USER, "ivy", checked),
      (e: any) => e.code === 1 && /cancelled.*nothing was sent/.test(e.details),
    );
    assert.equal(serverUser("ivy@example.com"), undefined);
  });

  it("puts no credential in any answer, error or log line", async () => {
    const p = await configured({ password: secret("Wrong-Admin-Pw-7") });
    const checked = (await p.check(USER, "jo", { email: "jo@example.com" })).inputs;
    await assert.rejects(p.create(USER, "jo", checked), (e: any) => !e.details.includes("Wrong-Admin-Pw-7"));
    for (const proc of [plugin, p]) {
      const seen = [...proc.answers, proc.stdout, proc.stderr].join("\n");
      for (const credential of [ADMIN_PASSWORD, "Wrong-Admin-Pw-7"])
        assert.ok(!seen.includes(credential), `no ${credential}`);
    }
  });
});
