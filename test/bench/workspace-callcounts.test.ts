/**
 * API calls of workspaces and members, counted (never timed) through the whole path: program →
 * engine → Pulumi's dynamic-provider host over gRPC → client → emulator. A change that adds a
 * call per member, or breaks the gathering of refresh reads, fails here.
 */
import assert from "node:assert/strict";
import { assertOk, Engine } from "../harness";
import { startWorld, World } from "../support/world";

const W = 3;
const M = 4;
/**
 * A slot for every resource (4 users, 3 workspaces, 12 members), so the members of a workspace are
 * handed over together. With fewer slots (the CLI's default is 4 per core: 8 here), the engine hands
 * members over in waves as slots free up, and each wave has listings of its own: 6 or 12 for the
 * same code, depending on when the users' slots free up (one run in six, measured).
 */
const PARALLEL = 32;

function program(): string {
  const lines = [`import * as wallaroo from "pulumi-wallaroo";`];
  for (let w = 0; w < W; w++) {
    lines.push(`const w${w} = new wallaroo.Workspace("w${w}", { name: "team-${w}" });`);
    for (let m = 0; m < M; m++) {
      lines.push(
        `new wallaroo.WorkspaceMember("w${w}-m${m}", { workspaceId: w${w}.workspaceId, email: u${m}.email, role: ${m === 0 ? `"owner"` : `"collaborator"`} });`,
      );
    }
  }
  const users = Array.from(
    { length: M },
    (_, m) => `const u${m} = new wallaroo.User("u${m}", { email: "u${m}@example.com" });`,
  );
  return [lines[0], ...users, ...lines.slice(1)].join("\n") + "\n";
}

describe(`API calls of workspaces (${W} workspaces × ${M} members)`, function () {
  this.timeout(180_000);
  let world: World;
  let engine: Engine;

  const calls = () => {
    const r = world.emu.stats().requests;
    return Object.fromEntries(
      Object.entries(r)
        .filter(([k, n]) => k.startsWith("/v1/api/workspaces/") && n > 0)
        .map(([k, n]) => [k.slice("/v1/api/workspaces/".length), n]),
    );
  };

  before(async () => {
    world = await startWorld();
    engine = world.engine({ parallel: PARALLEL });
    world.program("index.ts", program());
  });
  after(async () => world?.close());

  it("up: one create per workspace, one add_user per member, a few list_users per workspace", async () => {
    world.emu.resetStats();
    // A listing takes as long as it would over a network: the checks that arrive meanwhile join the next one.
    world.emu.setFaults([{ endpoint: "/v1/api/workspaces/list_users", latencyMs: 30 }]);
    assertOk(await engine.up("index.ts"));
    world.emu.setFaults([]);
    const c = calls();
    assert.equal(c.create, W);
    assert.equal(c.add_user, W * M);
    assert.equal(c.remove_user ?? 0, 0);
    // The members' checks before and after add_user share listings: about two per workspace (one per
    // member and more before they were gathered).
    assert.ok(c.list_users <= 3 * W, `up made ${c.list_users} list_users calls for ${W * M} members`);
  });

  it(`refresh: at most one list_users per workspace and a few list calls, nothing changed`, async () => {
    world.emu.resetStats();
    const refresh = await engine.refresh();
    assert.ok(refresh.ok, JSON.stringify(refresh.failed));
    const c = calls();
    assert.ok((c.list_users ?? 0) <= W, `refresh made ${c.list_users} list_users calls for ${W} workspaces`);
    assert.ok((c.list ?? 0) >= 1 && c.list <= 3, `refresh made ${c.list} list calls`);
    assert.deepEqual(
      Object.keys(c).filter((k) => k !== "list" && k !== "list_users"),
      [],
      JSON.stringify(c),
    );
  });

  it("a second up changes nothing", async () => {
    world.emu.resetStats();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual([up.created, up.updated, up.replaced, up.deleted], [[], [], [], []]);
    const c = calls();
    assert.equal((c.create ?? 0) + (c.add_user ?? 0) + (c.remove_user ?? 0), 0, JSON.stringify(c));
  });

  it("destroy: one remove_user per member, nothing for the workspaces (they stay)", async () => {
    world.emu.resetStats();
    const d = await engine.destroy();
    assert.ok(d.ok, JSON.stringify(d.failed));
    const c = calls();
    assert.equal(c.remove_user, W * M);
    assert.equal((c.create ?? 0) + (c.add_user ?? 0), 0, JSON.stringify(c));
    assert.equal(world.emu.workspaces().length, W);
  });
});
