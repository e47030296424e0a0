/**
 * The bench's workspace phases (bench/workspaces.ts), checked by counting (never timing) at a small
 * size: the harness's phases make exactly the writes the bench's own checks expect, and the
 * sequential baseline and the floor make one request per resource and step, as docs/benchmarks.md says.
 */
import assert from "node:assert/strict";
import type { WorkspaceShape } from "../../bench/args";
import { inProcess } from "../../bench/phases";
import type { PhaseSet } from "../../bench/report";
import { inviteMembers } from "../../bench/workspaceCalls";
import { runWorkspacePhases, workspaceChecks } from "../../bench/workspaces";
import { ADMIN_PASSWORD, startWorld, World } from "../support/world";

const SHAPE: WorkspaceShape = { workspaces: 2, members: 3 };
const W = SHAPE.workspaces;
const MEMBERS = W * SHAPE.members;

describe(`bench workspace phases (${W} workspaces × ${SHAPE.members} members)`, function () {
  this.timeout(180_000);
  let world: World;
  let set: PhaseSet;

  before(async () => {
    world = await startWorld({ edition: "enterprise" });
    const emu = inProcess(world.emu);
    const domain = "wsbench.example.com";
    await inviteMembers({ emu, parallel: 4, adminPassword: ADMIN_PASSWORD, shape: SHAPE, domain });
    set = await runWorkspacePhases({
      emu,
      projectDir: world.projectDir,
      parallel: 8,
      adminPassword: ADMIN_PASSWORD,
      shape: SHAPE,
      domain,
      tag: "t",
      sequential: true,
    });
  });
  after(async () => world?.close());

  const calls = (phases: PhaseSet["harness" | "floor"], name: string) => phases.find((p) => p.phase === name)!.calls;

  it("the harness: 1 create per workspace, 1 add_user per member and per role change, 1 remove_user per member, 1 login per operation", () => {
    assert.deepEqual(workspaceChecks(SHAPE, [set]), []);
    assert.equal(calls(set.harness, "up")["ws:create"], W);
    assert.equal(calls(set.harness, "up")["ws:add_user"], MEMBERS);
    assert.equal(calls(set.harness, "update")["ws:add_user"], W);
    assert.equal(calls(set.harness, "destroy")["ws:remove_user"], MEMBERS);
    // The host configures the Workspace and the WorkspaceMember providers separately: one client serves both.
    for (const p of set.harness) assert.equal(p.calls.token, 1, `${p.phase}: ${p.calls.token} token requests`);
  });

  it("the harness's refresh: no writes, at most one list_users per workspace", () => {
    const c = calls(set.harness, "refresh");
    assert.ok((c["ws:list_users"] ?? 0) <= W, JSON.stringify(c));
    assert.deepEqual(
      Object.keys(c).filter((k) => !["ws:list", "ws:list_users", "query", "token"].includes(k)),
      [],
      JSON.stringify(c),
    );
  });

  it("the sequential baseline: one login, then one request per resource and step", () => {
    const seq = set.sequential!;
    assert.deepEqual(calls(seq, "up"), { token: 1, "ws:create": W, "ws:add_user": MEMBERS });
    assert.deepEqual(calls(seq, "refresh"), { "ws:list": W, "ws:list_users": MEMBERS });
    assert.deepEqual(calls(seq, "update"), { "ws:add_user": W });
    assert.deepEqual(calls(seq, "destroy"), { "ws:remove_user": MEMBERS });
  });

  it("the floor makes the sequential baseline's calls", () => {
    for (const p of set.floor) assert.deepEqual(p.calls, calls(set.sequential!, p.phase), p.phase);
  });

  it("the members end where the edit left them, then are removed: only the admin owns each workspace", () => {
    const ours = world.emu.workspaces().filter((w) => w.name.startsWith("t-h-"));
    assert.equal(ours.length, W);
    for (const w of ours)
      assert.deepEqual(
        w.members.map((m) => m.user_type),
        ["OWNER"],
      );
  });
});
