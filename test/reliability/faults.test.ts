/**
 * `pulumi up`, refresh and destroy through Pulumi's dynamic-provider host
 * against an emulator that fails calls: the flaky-network guarantees.
 */
import assert from "node:assert/strict";
import type { FaultRule } from "../../emulator";
import { assertOk, Engine } from "../harness";
import { mutatingCalls, roster, startWorld, World } from "../support/world";
import { API, assertConverged, desiredMany, manyUsers, nameOf, program, TYPE, usersInState } from "./helpers";

/** 20% of calls answer 503, 5% of connections drop, 5% answer 429 with Retry-After, and some invites and deactivations are performed but their answer is lost. */
const FLAKY: FaultRule[] = [
  { endpoint: `${API}/invite`, performThenDrop: true, failureRate: 0.03 },
  { endpoint: `${API}/deactivate`, performThenDrop: true, failureRate: 0.03 },
  { status: 503, failureRate: 0.2 },
  { dropConnection: true, failureRate: 0.05 },
  { status: 429, retryAfterSeconds: 1, failureRate: 0.05 },
];

describe("reliability: a flaky network, 100 users, tokens expiring every 2 s", function () {
  this.timeout(180_000);
  const N = 100;
  const desired = desiredMany(N, "user", true);
  let world: World;
  let engine: Engine;

  before(async () => {
    world = await startWorld({ edition: "enterprise", tokenTtlSeconds: 2, refreshTtlSeconds: 5, faultSeed: 11 });
    // Ten retries: with 28% of attempts failing, six attempts in a row fail about once in 2,000 calls; see docs/reliability.md.
    engine = world.engine({ config: { "wallaroo:maxRetries": "10" } });
    world.program("many.ts", manyUsers(N, "user", { someInactive: true }));
  });
  after(async () => world?.close());

  it("up creates exactly the desired users: no failure, no duplicate, none missing", async () => {
    world.emu.setFaults(FLAKY, 11);
    world.emu.resetStats();
    const up = assertOk(await engine.up("many.ts"));
    assert.equal(up.created.filter((u) => u.includes(TYPE)).length, N);
    assertConverged(world.emu, engine, desired);
    const s = world.emu.stats();
    // The faults did fire: the run survived them rather than missed them.
    assert.ok((s.byStatus["503"] ?? 0) >= 20, `503s: ${JSON.stringify(s.byStatus)}`);
    assert.ok((s.byStatus["429"] ?? 0) >= 3, `429s: ${JSON.stringify(s.byStatus)}`);
    assert.ok((s.byStatus.dropped ?? 0) >= 5, `drops: ${JSON.stringify(s.byStatus)}`);
    assert.ok(s.tokensIssued >= 2, `tokens issued: ${s.tokensIssued} (they expire every 2 s)`);
  });

  it("refresh finishes and finds no drift", async () => {
    const refresh = await engine.refresh();
    assert.ok(refresh.ok, JSON.stringify(refresh.failed));
    assert.equal(refresh.removed.length, 0);
    assertConverged(world.emu, engine, desired);
  });

  it("destroy deactivates every user and empties the state", async () => {
    world.emu.resetStats();
    const d = await engine.destroy();
    assert.ok(d.ok, JSON.stringify(d.failed.slice(0, 3)));
    assert.equal(usersInState(engine).length, 0);
    const r = roster(world.emu);
    assert.equal(Object.keys(r).length, N, "no user was created by destroy");
    assert.deepEqual(
      Object.entries(r).filter(([, active]) => active),
      [],
      "every user is inactive",
    );
    world.emu.clearFaults();
  });
});

describe("reliability: answers lost after the server acted", function () {
  this.timeout(120_000);
  let world: World;
  before(async () => {
    world = await startWorld({ edition: "enterprise" });
  });
  after(async () => world?.close());

  it("an invite performed by the server whose answer is lost: no error and no second user", async () => {
    const engine = world.engine();
    world.program(
      "lost.ts",
      program(
        `new wallaroo.User("lost", { email: "lost@example.com" });\nnew wallaroo.User("kept", { email: "kept@example.com", password: "Kept-Pw-123" });`,
      ),
    );
    world.emu.setFaults([{ endpoint: `${API}/invite`, performThenDrop: true, count: 2 }]);
    world.emu.resetStats();
    const up = assertOk(await engine.up("lost.ts"));
    assert.equal(world.emu.stats().byStatus.dropped, 2, "both first answers were lost");
    assert.equal(world.emu.stats().requests[`${API}/invite`], 4, "each invite was sent again");
    assert.deepEqual(up.failed, []);
    assertConverged(world.emu, engine, { "lost@example.com": true, "kept@example.com": true });
  });

  it("an invite performed whose answer is lost on every attempt: found by email, no error, no second user", async () => {
    const engine = world.engine({ config: { "wallaroo:maxRetries": "2" } });
    world.program("lost2.ts", program(`new wallaroo.User("gone", { email: "gone@example.com" });`));
    world.emu.setFaults([
      { endpoint: `${API}/invite`, performThenDrop: true, count: 1 },
      { endpoint: `${API}/invite`, dropConnection: true },
    ]);
    try {
      assertOk(await engine.up("lost2.ts"));
    } finally {
      world.emu.clearFaults();
    }
    assert.equal(world.emu.users().filter((u) => u.email === "gone@example.com").length, 1);
    assert.equal(engine.getResource("gone")!.id, world.emu.users().find((u) => u.email === "gone@example.com")!.id);
  });

  it("a create that invited but could not deactivate is kept in the state as failed, and the next up finishes it without a second invite", async () => {
    const engine = world.engine();
    world.program("half.ts", program(`new wallaroo.User("half", { email: "half@example.com", active: false });`));
    world.emu.setFaults([{ endpoint: `${API}/deactivate`, status: 500, count: 1 }]);
    world.emu.resetStats();
    const up = await engine.up("half.ts");
    assert.equal(up.ok, false);
    assert.match(up.failed[0].message, /was invited \(id [0-9a-f-]+\) but could not be deactivated/);
    assert.match(up.failed[0].message, /Run pulumi up again/);
    const server = world.emu.users().find((u) => u.email === "half@example.com")!;
    assert.equal(server.enabled, true, "half-applied on the server");
    const kept = engine.getResource("half");
    assert.ok(kept, "the engine keeps the created resource, as Pulumi does with ErrorResourceInitFailed");
    assert.equal(kept.id, server.id);
    assert.ok(kept.initErrors?.length, "marked as failed to initialize");

    world.emu.resetStats();
    const again = assertOk(await engine.up("half.ts"));
    assert.deepEqual(again.updated.map(nameOf), ["half"]);
    assert.deepEqual(mutatingCalls(world.emu), { deactivate: 1 }, "no second invite");
    const after = world.emu.users().filter((u) => u.email === "half@example.com");
    assert.equal(after.length, 1);
    assert.equal(after[0].enabled, false, "finished: deactivated");
    assert.equal(engine.getResource("half")!.id, after[0].id);
    assert.equal(engine.getResource("half")!.initErrors, undefined, "no longer marked as failed");
    assert.equal(engine.getProperty("half", "outputs", "active").value, false);
  });
});

describe("reliability: the licence fills up in the middle of an up", function () {
  this.timeout(120_000);
  let world: World;
  before(async () => {
    world = await startWorld({ edition: "community", maxActiveUsers: 4 });
  });
  after(async () => world?.close());

  it("creates the users that fit, fails the rest naming each, and a second run after raising the limit finishes", async () => {
    const engine = world.engine();
    world.emu.addUser({ email: "someone.else@example.com", enabled: true }); // one seat already taken outside the stack
    world.program("team.ts", manyUsers(7, "member"));
    const up = await engine.up("team.ts");
    assert.equal(up.ok, false);
    assert.equal(usersInState(engine).length, 3, "the three that fit are created and recorded");
    assert.equal(up.failed.length, 4);
    for (const f of up.failed) {
      const email = `member${nameOf(f.urn).slice(1)}@example.com`;
      assert.match(f.message, /licence's active-user limit is reached/);
      assert.ok(f.message.includes(`'${email}'`), `${f.message} names ${email}`);
      assert.equal(roster(world.emu)[email], undefined, `${email} was not created`);
    }

    world.emu.setEdition("community", 10);
    world.emu.resetStats();
    const again = assertOk(await engine.up("team.ts"));
    assert.equal(again.created.length, 4);
    assert.deepEqual(mutatingCalls(world.emu), { invite: 4 });
    const { "someone.else@example.com": other, ...mine } = roster(world.emu);
    assert.equal(other, true);
    assert.deepEqual(mine, desiredMany(7, "member"));
  });
});
