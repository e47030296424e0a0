/**
 * An up interrupted from outside: the server restarted under it, or the
 * provider host killed. What was done is recorded or recoverable, nothing is
 * duplicated, and the next run converges.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { assertOk, Engine, makeTempDir, ProviderHost } from "../harness";
import { ADMIN_PASSWORD, consumerProject, mutatingCalls, PROJECT, startWorld, World } from "../support/world";
import { API, assertConverged, desiredMany, manyUsers, nameOf, usersInState, waitFor } from "./helpers";

describe("reliability: the Wallaroo server restarts in the middle of an up", function () {
  this.timeout(120_000);
  let dir: string;
  let dataFile: string;
  let emu: RunningEmulator;
  let port: number;
  const engines: Engine[] = [];

  const start = async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise", dataFile, port });
    port = Number(new URL(emu.url).port);
  };
  const engine = (config: Record<string, string> = {}) => {
    const e = new Engine({
      projectDir: dir,
      projectName: PROJECT,
      config: {
        "wallaroo:url": `http://127.0.0.1:${port}`,
        "wallaroo:username": "admin",
        "wallaroo:password": ADMIN_PASSWORD,
        ...config,
      },
      secretConfigKeys: ["wallaroo:password"],
    });
    engines.push(e);
    return e;
  };
  /** Starts an up, waits until `n` invites are in flight at the server (held there by a latency fault), and restarts the server after `downMs`. */
  const upAcrossRestart = async (e: Engine, file: string, n: number, downMs: number) => {
    emu.setFaults([{ endpoint: `${API}/invite`, latencyMs: 1500 }]);
    emu.resetStats();
    const running = e.up(file);
    await waitFor(() => (emu.stats().requests[`${API}/invite`] ?? 0) >= n, `${n} invites in flight`);
    await emu.close(); // in-flight requests lose their connection before the server acts on them
    const restarted = (async () => {
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    })();
    const up = await running;
    await restarted;
    return up;
  };

  before(async () => {
    dir = await consumerProject();
    dataFile = join(makeTempDir("restart"), "wallaroo.json");
    port = 0;
    await start();
  });
  after(async () => {
    await Promise.all(engines.map((e) => e.close()));
    await emu?.close();
  });

  it("a restart shorter than the retry budget is absorbed: the same up finishes, logging in again", async () => {
    const e = engine();
    const file = "restart-short.ts";
    writeFileSync(join(dir, file), manyUsers(6, "short"));
    const up = assertOk(await upAcrossRestart(e, file, 6, 100));
    assert.equal(up.created.length, 6);
    assert.ok(emu.stats().tokensIssued >= 1, "the restarted server forgot the session: the provider logged in again");
    assertConverged(emu, e, desiredMany(6, "short"), (m) => m.startsWith("short"));
  });

  it("a longer outage fails the operations in flight with a clear network error, changes nothing, and the next up converges", async () => {
    // A short retry budget keeps the test fast; the default budget (6 attempts, 60 s) fails the same way, later.
    const e = engine({ "wallaroo:maxRetries": "3", "wallaroo:retryTimeoutSeconds": "1" });
    const file = "restart-long.ts";
    writeFileSync(join(dir, file), manyUsers(6, "long"));
    const before = emu.users().length;
    const up = await upAcrossRestart(e, file, 6, 4000);
    assert.equal(up.ok, false);
    assert.equal(up.failed.length, 6);
    for (const f of up.failed) {
      const email = `long${nameOf(f.urn).slice(1)}@example.com`;
      assert.ok(f.message.includes(`Cannot create Wallaroo user '${email}'`), f.message);
      assert.match(f.message, /Nothing is listening at http:\/\/127\.0\.0\.1:\d+ after \d+ attempts \(ECONNREFUSED\)/);
      assert.match(f.message, /Check wallaroo:url/);
      assert.doesNotMatch(f.message, /\n\s+at /, "no stack frames");
    }
    assert.equal(usersInState(e).length, 0);
    assert.equal(emu.users().length, before, "nothing was created on the server");

    emu.clearFaults();
    assertOk(await e.up(file));
    assertConverged(emu, e, desiredMany(6, "long"), (m) => m.startsWith("long"));
  });
});

describe("reliability: the provider host is killed in the middle of an up", function () {
  this.timeout(120_000);
  let world: World;
  before(async () => {
    world = await startWorld({ edition: "enterprise" });
  });
  after(async () => world?.close());

  it("the next run converges from the saved state; users invited but not recorded get the documented recovery (adoptExisting)", async () => {
    const hosts: ProviderHost[] = [];
    // Four at a time, each invite held 700 ms at the server: kill while the second four are held.
    const first = world.engine({ parallel: 4, onHostStarted: (h) => hosts.push(h) });
    world.program("team.ts", manyUsers(12, "crew"));
    world.emu.setFaults([{ endpoint: `${API}/invite`, latencyMs: 700 }]);
    const running = first.up("team.ts");
    await waitFor(() => (world.emu.stats().requests[`${API}/invite`] ?? 0) >= 8, "the second four invites in flight");
    process.kill(hosts[0].pid, "SIGKILL");
    const killed = await running;
    assert.equal(killed.ok, false);
    assert.equal(usersInState(first).length, 4, "the first four were recorded before the kill");
    // The server still acts on the four invites it held: created, never recorded.
    await waitFor(
      () => world.emu.users().filter((u) => u.email?.startsWith("crew")).length === 8,
      "the held invites to finish",
    );
    world.emu.clearFaults();
    const recorded = new Set(usersInState(first).map((r) => String(r.outputs.email)));
    const orphans = world.emu.users().filter((u) => u.email?.startsWith("crew") && !recorded.has(u.email));
    assert.equal(orphans.length, 4);

    // The next run, from the state file that was saved.
    const second = world.engine({ stateFile: first.stateFile });
    world.emu.resetStats();
    const up = await second.up("team.ts");
    assert.equal(up.ok, false);
    assert.equal(up.same.filter((u) => u.includes("wallaroo:User")).length, 4, "recorded users are left alone");
    assert.equal(up.created.length, 4, "users never invited are created");
    assert.equal(up.failed.length, 4, "users invited but not recorded fail, naming the way out");
    for (const f of up.failed) {
      const email = `crew${nameOf(f.urn).slice(1)}@example.com`;
      const orphan = orphans.find((u) => u.email === email);
      assert.ok(orphan, `${email} is one of the unrecorded users`);
      assert.ok(f.message.includes(`already exists (id ${orphan.id}, created `), f.message);
      assert.match(f.message, /Set adoptExisting: true/);
      assert.match(f.message, /interrupted pulumi up/);
    }
    assert.deepEqual(mutatingCalls(world.emu), { invite: 8 }, "four created, four refused, nothing else touched");
    assert.equal(world.emu.users().filter((u) => u.email?.startsWith("crew")).length, 12, "no duplicate");

    // The documented recovery: adoptExisting: true (Pulumi's import does not work for dynamic resources).
    world.program("team-adopt.ts", manyUsers(12, "crew", { extra: "adoptExisting: true" }));
    world.emu.resetStats();
    const third = assertOk(await second.up("team-adopt.ts"));
    assert.equal(third.created.length, 4);
    assert.deepEqual(mutatingCalls(world.emu), {}, "adopting active users changes nothing on the server");
    for (const o of orphans) assert.equal(second.getResource(`u${o.email!.slice(4, o.email!.indexOf("@"))}`)!.id, o.id);
    assertConverged(world.emu, second, desiredMany(12, "crew"));
  });
});
