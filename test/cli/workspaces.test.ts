/**
 * `wallaroo-users list` and `generate` with workspaces: the tables and JSON, what generated code
 * leaves out (personal default workspaces, shared names, members not managed), and the proof that
 * the generated program adopts everything: no mutating call on the first `up`, no change on the
 * second, through the dynamic-provider host.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRoster } from "../../roster";
import { WallarooClient } from "../../sdk";
import { assertOk } from "../harness";
import { REPO_INDEX, typeErrors } from "../support/typecheck";
import { ADMIN_PASSWORD, mutatingCalls, startWorld, World } from "../support/world";
import { workspaceMutations } from "../support/workspaces";
import { cli } from "../support/cli";

describe("wallaroo-users with workspaces", function () {
  this.timeout(180_000);
  let world: World;
  let env: NodeJS.ProcessEnv;
  let ids: Record<string, number>;

  before(async () => {
    // Seed an instance, then add a personal default workspace to its data file (the API refuses such a name).
    const dir = mkdtempSync(join(tmpdir(), "wallaroo-users-ws-"));
    const dataFile = join(dir, "data.json");
    const seed = await startWorld({ dataFile });
    seed.emu.addUser({ email: "alice@example.com" });
    seed.emu.addUser({ email: "bob@example.com" });
    seed.emu.addUser({ email: "carol@example.com", enabled: false });
    seed.emu.addUser({ email: "broken@localhost" });
    const c = new WallarooClient({ url: seed.emu.url, username: "admin", password: ADMIN_PASSWORD, env: {} });
    ids = {};
    try {
      ids.fraud = (await c.createWorkspace("fraud-detection")).id;
      ids.churn = (await c.createWorkspace("churn")).id;
      ids.shared1 = (await c.createWorkspace("shared")).id;
      ids.shared2 = (await c.createWorkspace("shared")).id;
      await c.addWorkspaceMember(ids.fraud, "alice@example.com", "owner");
      await c.addWorkspaceMember(ids.fraud, "bob@example.com", "collaborator");
      await c.addWorkspaceMember(ids.churn, "bob@example.com", "owner");
      await c.addWorkspaceMember(ids.churn, "carol@example.com", "collaborator");
    } finally {
      await c.close();
    }
    await seed.close();
    const data = JSON.parse(readFileSync(dataFile, "utf8")) as {
      users: { id: string; email?: string }[];
      workspaces: ({ id: number; members: unknown[] } & Record<string, unknown>)[];
    };
    const alice = data.users.find((u) => u.email === "alice@example.com")!;
    // The client refuses such an email, so this membership is written into the file too.
    const broken = data.users.find((u) => u.email === "broken@localhost")!;
    data.workspaces.find((w) => w.id === ids.fraud)!.members.push({ user_id: broken.id, user_type: "COLLABORATOR" });
    ids.personal = 99;
    data.workspaces.push({
      id: 99,
      name: "alice@example.com - Default Workspace",
      created_at: new Date().toISOString(),
      created_by: alice.id,
      archived: false,
      members: [{ user_id: alice.id, user_type: "OWNER" }],
    });
    writeFileSync(dataFile, JSON.stringify(data));
    world = await startWorld({ dataFile }, seed.projectDir);
    env = { WALLAROO_URL: world.emu.url, WALLAROO_USER: "admin", WALLAROO_PASSWORD: ADMIN_PASSWORD };
  });
  after(async () => world?.close());

  it("list prints the workspaces with their members after the users, owners first", async () => {
    const r = await cli(["list"], env);
    assert.equal(r.code, 0, r.stderr);
    const [users, workspaces] = r.stdout.split("\n\n");
    assert.match(users, /^EMAIL +ACTIVE +ID +CREATED\n/);
    const rows = workspaces.trimEnd().split("\n");
    assert.match(rows[0], /^WORKSPACE +ID +ARCHIVED +MEMBER +ROLE$/);
    const cells = rows.slice(1).map((l) => l.split(/ {2,}/));
    assert.deepEqual(
      cells.filter((c) => c[0] === "fraud-detection").map((c) => [c[3], c[4]]),
      [
        ["alice@example.com", "owner"],
        ["username admin", "owner"],
        ["bob@example.com", "collaborator"],
        ["broken@localhost", "collaborator"],
      ],
    );
    assert.ok(cells.some((c) => c[0] === "alice@example.com - Default Workspace" && c[1] === "99"));
    assert.equal(cells.filter((c) => c[0] === "shared").length, 2);
    assert.match(r.stderr, /^fetched 5 workspaces \(10 memberships\) from /m);
  });

  it("list --json gives each user the workspaces it belongs to, keeping the array of users", async () => {
    const r = await cli(["list", "--json"], env);
    assert.equal(r.code, 0, r.stderr);
    const users = JSON.parse(r.stdout) as {
      email?: string;
      workspaces: { workspaceId: number; name: string; role: string; archived: boolean }[];
    }[];
    const bob = users.find((u) => u.email === "bob@example.com")!;
    assert.deepEqual(bob.workspaces, [
      { workspaceId: ids.churn, name: "churn", role: "owner", archived: false },
      { workspaceId: ids.fraud, name: "fraud-detection", role: "collaborator", archived: false },
    ]);
    assert.deepEqual(
      users.find((u) => u.email === "carol@example.com")!.workspaces.map((w) => w.name),
      ["churn"],
    );
  });

  it("list still shows the users, with a warning, when the workspaces cannot be listed", async () => {
    world.emu.setFaults([{ endpoint: "/v1/api/workspaces/list", status: 500 }]);
    try {
      const r = await cli(["list", "-q"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^EMAIL +ACTIVE/);
      assert.doesNotMatch(r.stdout, /WORKSPACE/);
      assert.match(r.stderr, /^wallaroo-users: warning: the workspaces could not be listed, so they are left out: /m);
      const g = await cli(["generate", "-q"], env);
      assert.equal(g.code, 0, g.stderr);
      assert.match(g.stdout, /^\/\/ No workspaces: they could not be listed/m);
      assert.doesNotMatch(g.stdout, /new wallaroo\.Workspace\(/);
    } finally {
      world.emu.clearFaults();
    }
  });

  describe("generate --format ts", () => {
    let program: string;
    before(async () => {
      const r = await cli(["generate"], env);
      assert.equal(r.code, 0, r.stderr);
      program = r.stdout;
      assert.match(r.stderr, /generated 3 users, 2 left out \(listed in a comment\), 2 workspaces with 4 memberships/);
    });

    it("adopts each workspace with a valid, unique name and takes over its members' memberships", () => {
      assert.match(
        program,
        /^const workspace_fraud_detection = new wallaroo\.Workspace\("workspace-fraud-detection", \{ name: "fraud-detection", adoptExisting: true \}\);$/m,
      );
      assert.match(
        program,
        /^new wallaroo\.WorkspaceMember\("fraud-detection\.alice-example-com", \{ workspaceId: workspace_fraud_detection\.workspaceId, email: alice_example_com\.email, role: "owner" \}\);$/m,
      );
      assert.equal(program.match(/new wallaroo\.Workspace\(/g)?.length, 2);
      assert.equal(program.match(/new wallaroo\.WorkspaceMember\(/g)?.length, 4);
    });

    it("leaves out personal default workspaces, shared names and members not managed, saying why", () => {
      assert.match(program, /^\/\/ Left out: 1 personal default workspace \("<email> - Default Workspace"\)/m);
      assert.match(program, /^\/\/ {3}- "alice@example\.com - Default Workspace" \(id 99\)$/m);
      assert.match(program, new RegExp(`^// {3}- "shared" \\(id ${ids.shared1}\\): 2 workspaces share its name$`, "m"));
      assert.match(program, /^\/\/ {3}- broken@localhost in "fraud-detection" \(collaborator\)$/m);
      assert.match(program, /^\/\/ {3}- username admin in "churn" \(owner\)$/m);
      assert.doesNotMatch(program, /^new wallaroo\.Workspace\("workspace-shared"/m);
    });

    it("type-checks against pulumi-wallaroo with strict TypeScript", () => {
      const file = join(mkdtempSync(join(tmpdir(), "ws-ts-")), "index.ts");
      writeFileSync(file, program);
      assert.deepEqual(typeErrors(file, { "pulumi-wallaroo": [REPO_INDEX] }), []);
    });

    it("adopts everything through the dynamic-provider host: no mutating call on the first up, no change on the second", async () => {
      const engine = world.engine();
      world.program("generated.ts", program);
      world.emu.resetStats();
      const up = assertOk(await engine.up("generated.ts"));
      assert.equal(up.created.length, 3 + 2 + 4);
      assert.deepEqual(mutatingCalls(world.emu), {});
      assert.deepEqual(workspaceMutations(world.emu), {});
      assert.equal(engine.getResource("workspace-churn")!.id, String(ids.churn));
      world.emu.resetStats();
      const again = assertOk(await engine.up("generated.ts"));
      assert.deepEqual([again.created, again.updated, again.replaced, again.deleted], [[], [], [], []]);
      assert.deepEqual(workspaceMutations(world.emu), {});
    });
  });

  it("generate --format roster writes each user's workspaces and roles, which parse back", async () => {
    const r = await cli(["generate", "--format", "roster", "-q"], env);
    assert.equal(r.code, 0, r.stderr);
    const entries = parseRoster(r.stdout);
    assert.deepEqual(entries, [
      { email: "alice@example.com", active: true, workspaces: { "fraud-detection": "owner" } },
      { email: "bob@example.com", active: true, workspaces: { churn: "owner", "fraud-detection": "collaborator" } },
      { email: "carol@example.com", active: false, workspaces: { churn: "collaborator" } },
    ]);
    assert.match(r.stdout, /^# {3}- "alice@example\.com - Default Workspace" \(id 99\)$/m);
  });
});
