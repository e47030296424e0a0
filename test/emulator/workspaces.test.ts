import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EmulatorOptions, RunningEmulator, startEmulator } from "../../emulator";
import { parseCli } from "../../emulator/cli";
import { ADMIN_PASSWORD, login, post, send, tempDir } from "./helpers";

const WS = "/v1/api/workspaces/";
type Op = "list" | "create" | "add_user" | "list_users" | "remove_user";

describe("emulator workspace API", () => {
  let emu: RunningEmulator;
  let token: string;
  const call = (op: Op, body: unknown, t = token) => post(emu.url, WS + op, body, t);

  async function start(opts: EmulatorOptions = {}): Promise<void> {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise", ...opts });
    token = emu.issueToken();
  }
  afterEach(() => emu?.close());

  describe("with the default rules", () => {
    beforeEach(() => start());

    it("create answers an integer workspace_id and makes the caller its first OWNER", async () => {
      const r = await call("create", { workspace_name: "team-a" });
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body), ["workspace_id"]);
      assert.ok(Number.isInteger(r.body.workspace_id));
      const adminId = emu.users().find((u) => u.username === "admin")!.id;
      const members = await call("list_users", { workspace_id: r.body.workspace_id });
      assert.equal(members.status, 200);
      assert.deepEqual(members.body, { users: [{ user_id: adminId, user_type: "OWNER" }] });
    });

    it("list answers the documented fields", async () => {
      const id = (await call("create", { workspace_name: "team-a" })).body.workspace_id;
      const r = await call("list", {});
      assert.equal(r.status, 200);
      const adminId = emu.users().find((u) => u.username === "admin")!.id;
      assert.equal(r.body.workspaces.length, 1);
      const w = r.body.workspaces[0];
      assert.deepEqual(w, {
        id,
        name: "team-a",
        created_at: w.created_at,
        created_by: adminId,
        archived: false,
        models: [],
        pipelines: [],
      });
      assert.equal(new Date(w.created_at).toISOString(), w.created_at, "created_at is ISO text");
    });

    it("allows duplicate names, with distinct ids", async () => {
      const a = (await call("create", { workspace_name: "same" })).body.workspace_id;
      const b = (await call("create", { workspace_name: "same" })).body.workspace_id;
      assert.notEqual(a, b);
      const names = (await call("list", {})).body.workspaces.map((w: any) => w.name);
      assert.deepEqual(names, ["same", "same"]);
    });

    for (const bad of ["1abc", "with space", "dot.ted", "under_score", "-dash", "", "x".repeat(64), "é"]) {
      it(`refuses the name ${JSON.stringify(bad.length > 20 ? `${bad.slice(0, 8)}…(${bad.length})` : bad)} with 400 naming the rule`, async () => {
        const r = await call("create", { workspace_name: bad });
        assert.equal(r.status, 400);
        assert.equal(r.body.code, 400);
        assert.match(r.body.msg, /Invalid workspace name/);
        assert.match(r.body.msg, bad.length > 63 ? /limit is 63/ : bad === "" ? /empty/ : /\^\[a-zA-Z\]/);
      });
    }

    it("accepts a 63-character name and a one-letter name", async () => {
      assert.equal((await call("create", { workspace_name: "a".repeat(63) })).status, 200);
      assert.equal((await call("create", { workspace_name: "b" })).status, 200);
    });

    it("refuses a missing or non-string workspace_name", async () => {
      assert.match((await call("create", {})).body.msg, /Missing required field: workspace_name/);
      assert.equal((await call("create", { workspace_name: 5 })).status, 400);
    });

    it("add_user adds an existing user by email (default COLLABORATOR) or by user_id with a role", async () => {
      const pat = emu.addUser({ email: "pat@example.com" });
      const kim = emu.addUser({ email: "kim@example.com" });
      const id = (await call("create", { workspace_name: "w" })).body.workspace_id;
      const r = await call("add_user", { workspace_id: id, email: "PAT@example.com" });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, {});
      assert.equal((await call("add_user", { workspace_id: id, user_id: kim.id, user_type: "OWNER" })).status, 200);
      const users = (await call("list_users", { workspace_id: id })).body.users;
      assert.deepEqual(users.slice(1), [
        { user_id: pat.id, user_type: "COLLABORATOR" },
        { user_id: kim.id, user_type: "OWNER" },
      ]);
    });

    it("add_user on a member sets the new role (and the same role is a no-op)", async () => {
      const pat = emu.addUser({ email: "pat@example.com" });
      const id = (await call("create", { workspace_name: "w" })).body.workspace_id;
      await call("add_user", { workspace_id: id, email: "pat@example.com" });
      assert.equal(
        (await call("add_user", { workspace_id: id, email: "pat@example.com", user_type: "OWNER" })).status,
        200,
      );
      assert.equal(
        (await call("add_user", { workspace_id: id, email: "pat@example.com", user_type: "OWNER" })).status,
        200,
      );
      const users = (await call("list_users", { workspace_id: id })).body.users;
      assert.deepEqual(users[1], { user_id: pat.id, user_type: "OWNER" });
      assert.equal(users.length, 2);
    });

    it("add_user refuses an unknown user, an unknown workspace and a bad user_type with 400", async () => {
      emu.addUser({ email: "pat@example.com" });
      const id = (await call("create", { workspace_name: "w" })).body.workspace_id;
      const noUser = await call("add_user", { workspace_id: id, email: "ghost@example.com" });
      assert.deepEqual(noUser.body, { msg: "User not found: ghost@example.com", code: 400 });
      const noWs = await call("add_user", { workspace_id: 999, email: "pat@example.com" });
      assert.deepEqual(noWs.body, { msg: "Workspace not found: 999", code: 400 });
      const role = await call("add_user", { workspace_id: id, email: "pat@example.com", user_type: "ADMIN" });
      assert.equal(role.status, 400);
      assert.match(role.body.msg, /OWNER or COLLABORATOR/);
      assert.equal((await call("add_user", { workspace_id: id })).status, 400);
    });

    it("workspace ids must be integers", async () => {
      for (const workspace_id of ["1", 1.5, null, undefined]) {
        const r = await call("list_users", { workspace_id });
        assert.equal(r.status, 400, JSON.stringify(workspace_id));
        assert.match(r.body.msg, /workspace_id/);
      }
    });

    it("list_users of an unknown workspace answers 400 naming it", async () => {
      const r = await call("list_users", { workspace_id: 42 });
      assert.deepEqual(r.body, { msg: "Workspace not found: 42", code: 400 });
    });

    it("remove_user answers affected_rows: 1 for a member, 0 for a non-member", async () => {
      const pat = emu.addUser({ email: "pat@example.com" });
      const id = (await call("create", { workspace_name: "w" })).body.workspace_id;
      await call("add_user", { workspace_id: id, email: "pat@example.com" });
      assert.deepEqual((await call("remove_user", { workspace_id: id, email: "pat@example.com" })).body, {
        affected_rows: 1,
      });
      assert.deepEqual((await call("remove_user", { workspace_id: id, user_id: pat.id })).body, { affected_rows: 0 });
      assert.equal((await call("remove_user", { workspace_id: id, email: "ghost@example.com" })).status, 400);
      assert.equal((await call("remove_user", { workspace_id: 77, email: "pat@example.com" })).status, 400);
    });

    it("list shows a user only their workspaces (admin sees all) and filters by user_id / user_ids", async () => {
      emu.addUser({ email: "pat@example.com", password: "Pat-Pass-1" });
      const patId = emu.users().find((u) => u.email === "pat@example.com")!.id;
      const patToken = await login(emu.url, "pat@example.com", "Pat-Pass-1");
      const mine = (await call("create", { workspace_name: "pats" }, patToken)).body.workspace_id;
      const admins = (await call("create", { workspace_name: "admins" })).body.workspace_id;
      assert.deepEqual(
        (await call("list", {}, patToken)).body.workspaces.map((w: any) => w.id),
        [mine],
      );
      assert.equal((await call("list", {}, patToken)).body.workspaces[0].created_by, patId);
      assert.deepEqual(
        (await call("list", {})).body.workspaces.map((w: any) => w.id),
        [mine, admins],
      );
      assert.deepEqual(
        (await call("list", { user_id: patId })).body.workspaces.map((w: any) => w.id),
        [mine],
      );
      assert.deepEqual(
        (await call("list", { user_ids: [patId] })).body.workspaces.map((w: any) => w.id),
        [mine],
      );
      assert.equal((await call("list", { user_ids: "x" })).status, 400);
    });

    it("requires a bearer token and POST, like the user endpoints", async () => {
      const r = await post(emu.url, WS + "list", {});
      assert.equal(r.status, 401);
      assert.equal(r.headers["www-authenticate"], "Bearer");
      assert.equal((await post(emu.url, WS + "list", {}, "not-a-token")).status, 401);
      assert.equal((await send(emu.url, "GET", WS + "list")).status, 405);
      assert.equal((await call("nope" as Op, {})).status, 404);
      assert.equal((await call("list", "not json")).status, 400);
    });

    it("counts requests per endpoint and injects faults per endpoint", async () => {
      emu.resetStats();
      emu.setFaults([{ endpoint: WS + "list", status: 500, count: 1 }]);
      assert.equal((await call("list", {})).status, 500);
      assert.equal((await call("list", {})).status, 200);
      assert.equal((await call("create", { workspace_name: "w" })).status, 200);
      const s = emu.stats();
      assert.equal(s.requests[WS + "list"], 2);
      assert.equal(s.requests[WS + "create"], 1);
    });

    it("performThenDrop on create performs it and drops the answer", async () => {
      emu.setFaults([{ endpoint: WS + "create", performThenDrop: true, count: 1 }]);
      await assert.rejects(call("create", { workspace_name: "lost" }));
      assert.deepEqual(
        emu.workspaces().map((w) => w.name),
        ["lost"],
      );
      assert.equal(emu.stats().byStatus.dropped, 1);
    });

    it("archives a workspace and removes a member out of band, programmatically", async () => {
      const pat = emu.addUser({ email: "pat@example.com" });
      const id = (await call("create", { workspace_name: "w" })).body.workspace_id;
      await call("add_user", { workspace_id: id, email: "pat@example.com" });
      emu.archiveWorkspace(id);
      assert.equal((await call("list", {})).body.workspaces[0].archived, true);
      assert.equal(emu.removeWorkspaceMember(id, "pat@example.com"), 1);
      assert.equal(emu.removeWorkspaceMember(id, pat.id), 0);
      assert.equal((await call("list_users", { workspace_id: id })).body.users.length, 1);
      assert.throws(() => emu.archiveWorkspace(99), /no workspace 99/);
    });

    it("archives a workspace and removes a member out of band, over the control endpoints", async () => {
      const pat = emu.addUser({ email: "pat@example.com" });
      const id = (await call("create", { workspace_name: "w" })).body.workspace_id;
      await call("add_user", { workspace_id: id, user_id: pat.id });
      const json = { "content-type": "application/json" };
      emu.resetStats();
      const a = await send(
        emu.url,
        "POST",
        "/__emulator/workspaces/archive",
        JSON.stringify({ workspace_id: id }),
        json,
      );
      assert.equal(a.status, 200);
      assert.equal(a.body.archived, true);
      const rm = await send(
        emu.url,
        "POST",
        "/__emulator/workspaces/remove-member",
        JSON.stringify({ workspace_id: id, email: "pat@example.com" }),
        json,
      );
      assert.deepEqual(rm.body, { affected_rows: 1 });
      const all = await send(emu.url, "GET", "/__emulator/workspaces");
      assert.equal(all.body.workspaces[0].members.length, 1);
      assert.equal(emu.stats().total, 0, "control requests are not counted");
      const missing = await send(emu.url, "POST", "/__emulator/workspaces/archive", '{"workspace_id":9}', json);
      assert.equal(missing.status, 400);
    });
  });

  it("uniqueWorkspaceNames: create answers 400 for a name already taken", async () => {
    await start({ uniqueWorkspaceNames: true });
    const id = (await call("create", { workspace_name: "once" })).body.workspace_id;
    const r = await call("create", { workspace_name: "once" });
    assert.deepEqual(r.body, { msg: `A workspace named "once" already exists (id ${id})`, code: 400 });
    assert.equal((await call("create", { workspace_name: "Once" })).status, 200, "names compare exactly");
  });

  it("refuseExistingWorkspaceMember: add_user on a member answers 400 'already a member', whatever the role", async () => {
    await start({ refuseExistingWorkspaceMember: true });
    emu.addUser({ email: "pat@example.com" });
    const id = (await call("create", { workspace_name: "w" })).body.workspace_id;
    assert.equal((await call("add_user", { workspace_id: id, email: "pat@example.com" })).status, 200);
    for (const user_type of ["COLLABORATOR", "OWNER"]) {
      const r = await call("add_user", { workspace_id: id, email: "pat@example.com", user_type });
      assert.equal(r.status, 400);
      assert.match(r.body.msg, /pat@example\.com is already a member of workspace \d+ \(as COLLABORATOR\)/);
    }
  });

  it("the CLI flags set both rules", () => {
    const o = parseCli(["--unique-workspace-names", "--refuse-existing-workspace-member"], {});
    assert.ok(o !== "help" && o !== "version");
    assert.equal(o.uniqueWorkspaceNames, true);
    assert.equal(o.refuseExistingWorkspaceMember, true);
    const d = parseCli([], {});
    assert.ok(d !== "help" && d !== "version");
    assert.equal(d.uniqueWorkspaceNames, false);
    assert.equal(d.refuseExistingWorkspaceMember, false);
  });

  describe("persistence", () => {
    it("keeps workspaces, memberships, archived flags and the next id across restarts", async () => {
      const dataFile = join(tempDir(), "wallaroo.json");
      await start({ dataFile });
      const pat = emu.addUser({ email: "pat@example.com" });
      const a = (await call("create", { workspace_name: "a" })).body.workspace_id;
      await call("add_user", { workspace_id: a, email: "pat@example.com", user_type: "OWNER" });
      emu.archiveWorkspace(a);
      const before = emu.workspaces();
      await emu.close();
      await start({ dataFile });
      assert.deepEqual(emu.workspaces(), before);
      assert.equal(before[0].members[1].user_id, pat.id);
      const b = (await call("create", { workspace_name: "b" })).body.workspace_id;
      assert.equal(b, a + 1);
    });

    it("loads a data file written before workspaces existed, with none", async () => {
      const dataFile = join(tempDir(), "wallaroo.json");
      await start({ dataFile });
      await emu.close();
      const old = JSON.parse(readFileSync(dataFile, "utf8"));
      delete old.workspaces;
      writeFileSync(dataFile, JSON.stringify(old));
      await start({ dataFile });
      assert.deepEqual(emu.workspaces(), []);
      assert.deepEqual((await call("list", {})).body, { workspaces: [] });
    });

    it("refuses to start on a corrupt workspaces field, naming it", async () => {
      const dataFile = join(tempDir(), "wallaroo.json");
      await start({ dataFile });
      await emu.close();
      const data = JSON.parse(readFileSync(dataFile, "utf8"));
      data.workspaces = [{ id: "1", name: "x", created_at: "", created_by: "", archived: false, members: [] }];
      writeFileSync(dataFile, JSON.stringify(data));
      await assert.rejects(startEmulator({ dataFile }), /workspaces\[0\]: "id" is not a positive integer/);
      data.workspaces = [
        {
          id: 1,
          name: "x",
          created_at: "",
          created_by: "",
          archived: false,
          members: [{ user_id: "nobody", user_type: "OWNER" }],
        },
      ];
      writeFileSync(dataFile, JSON.stringify(data));
      await assert.rejects(startEmulator({ dataFile }), /unknown user nobody/);
      emu = undefined as unknown as RunningEmulator;
    });
  });
});
