/**
 * wallaroo-active-user-limit counts seats exactly (issue #15): the transient seat of a user invited
 * inactive (the peak), and, with `"unmanagedActiveUsers": "live"`, the instance's own users,
 * counted once per analysis through the pack's gRPC analyzer against the emulator.
 */
import assert from "node:assert/strict";
import type { PolicyResource } from "@pulumi/policy";
import { activeUserLimitConfigSchema } from "../../policy/config";
import { activeUserLimitPolicy } from "../../policy/policies";
import { runStackPolicy, userResource } from "./harness";
import type { RunningEmulator } from "../../emulator";
import { assertOk, type Engine } from "../harness";
import { roster, startWorld, type World } from "../support/world";
import { type AnalyzerResourceInput, PolicyPackProcess, userRegistration } from "./analyzerClient";

const ADMIN_PASSWORD = "Admin-Secret-Pw-42";
const LIMIT_POLICY = "wallaroo-active-user-limit";

function newUsers(count: number, props: Record<string, unknown> = {}, prefix = "user"): PolicyResource[] {
  return Array.from({ length: count }, (_, i) =>
    userResource(`${prefix}${i + 1}`, { email: `${prefix}${i + 1}@example.com`, ...props }),
  );
}

describe("wallaroo-active-user-limit: the peak of an update", function () {
  it("counts a user this stack newly invites inactive: it is invited active, then deactivated", async () => {
    const resources = [...newUsers(5), userResource("late", { email: "late@example.com", active: false })];
    const { violations } = await runStackPolicy(activeUserLimitPolicy, resources);
    assert.equal(violations.length, 1);
    const m = violations[0]!.message;
    assert.match(
      m,
      /^6 licence seats are needed during this update, but the community licence allows 5: 5 stay active/,
    );
    assert.match(m, /1 user holds a seat only while it runs.*: late@example\.com\./);
    assert.match(
      m,
      /Create it in an earlier pulumi up while a seat is free, or deactivate someone first in a separate pulumi up/,
    );
  });

  it("says each count in the singular when it is one", async () => {
    const { violations } = await runStackPolicy(
      activeUserLimitPolicy,
      [userResource("late", { email: "late@example.com", active: false })],
      { maxActiveUsers: 0 },
    );
    assert.match(
      violations[0]!.message,
      /^1 licence seat is needed during this update, but the configured limit \(maxActiveUsers\) allows 0: 0 stay active \(0 in this stack \+ 0 unmanaged\) and 1 user holds a seat only while it runs, .*Create it in an earlier pulumi up/,
    );
    const one = await runStackPolicy(activeUserLimitPolicy, newUsers(2), {
      maxActiveUsers: 0,
      unmanagedActiveUsers: 0,
    });
    assert.match(one.violations[0]!.message, /^2 active Wallaroo users requested in this stack/);
    const peak = await runStackPolicy(
      activeUserLimitPolicy,
      [...newUsers(1), userResource("late", { email: "late@example.com", active: false })],
      { maxActiveUsers: 1 },
    );
    assert.match(peak.violations[0]!.message, /^2 licence seats are needed .*: 1 stays active \(1 in this stack/);
  });

  it("needs no seat for an inactive user that already exists (its planned state carries the server's id)", async () => {
    const resources = [
      ...newUsers(5),
      userResource("old", { email: "old@example.com", active: false, userId: "id-1" }),
    ];
    assert.deepEqual((await runStackPolicy(activeUserLimitPolicy, resources)).violations, []);
  });

  it("adds the unmanaged users to the peak as to the final count", async () => {
    const resources = [...newUsers(3), userResource("late", { email: "late@example.com", active: false })];
    assert.deepEqual(
      (await runStackPolicy(activeUserLimitPolicy, resources, { unmanagedActiveUsers: 1 })).violations,
      [],
    );
    const { violations } = await runStackPolicy(activeUserLimitPolicy, resources, { unmanagedActiveUsers: 2 });
    assert.match(violations[0]!.message, /^6 licence seats .* 5 stay active \(3 in this stack \+ 2 unmanaged\)/);
  });
});

/** What the engine sends at preview for users about to be created: their checked inputs. */
function planned(users: { name: string; email: string; active?: boolean; userId?: string }[]): AnalyzerResourceInput[] {
  return users.map(({ name, ...props }) => userRegistration(name, props));
}

describe('wallaroo-active-user-limit with "unmanagedActiveUsers": "live", over gRPC against the emulator', function () {
  this.timeout(120_000);
  let world: World;
  let emu: RunningEmulator;
  let pack: PolicyPackProcess;
  const live = { [LIMIT_POLICY]: { properties: { unmanagedActiveUsers: "live" } } };

  before(async () => {
    world = await startWorld({ edition: "community" });
    emu = world.emu;
    for (const e of ["out1", "out2", "out3"]) emu.addUser({ email: `${e}@example.com` });
    emu.addUser({ email: "gone@example.com", enabled: false });
    pack = await PolicyPackProcess.start(undefined, undefined, undefined, {
      ...process.env,
      WALLAROO_URL: emu.url,
      WALLAROO_USER: "admin",
      WALLAROO_PASSWORD: ADMIN_PASSWORD,
      WALLAROO_TOKEN: "",
    });
    await pack.configure(live);
  });
  after(async () => {
    await pack?.stop();
    await world?.close();
  });

  async function limitMessages(resources: AnalyzerResourceInput[]): Promise<string[]> {
    const result = await pack.analyzeStack(resources);
    return result.diagnostics.filter((d) => d.policyName === LIMIT_POLICY).map((d) => d.message);
  }

  it("counts the active users outside the stack, with one /users/query and one login per analysis", async () => {
    emu.resetStats();
    const messages = await limitMessages(
      planned([
        { name: "a", email: "a@example.com" },
        { name: "b", email: "b@example.com" },
        { name: "c", email: "c@example.com" },
      ]),
    );
    assert.equal(messages.length, 1);
    assert.match(
      messages[0]!,
      /6 active Wallaroo users requested \(3 in this stack \+ 3 active outside it, counted live\)/,
    );
    assert.match(
      messages[0]!,
      /live count: 3 active users outside this stack; 0 of its users exist, 3 will be invited/,
    );
    assert.equal(emu.stats().requests["/v1/api/users/query"], 1);
    assert.ok(emu.stats().tokensIssued <= 1);
  });

  it("says '1 of its users exists' when one does", async () => {
    const messages = await limitMessages(
      planned([
        { name: "o1", email: "out1@example.com" },
        { name: "a", email: "a@example.com" },
        { name: "b", email: "b@example.com" },
        { name: "c", email: "c@example.com" },
      ]),
    );
    assert.match(
      messages[0]!,
      /live count: 2 active users outside this stack; 1 of its users exists, 3 will be invited/,
    );
  });

  it("takes the edition from WALLAROO_EDITION when its config leaves edition unset; the config wins", async () => {
    // The schema has no default for edition: the Pulumi CLI fills defaults in, and "unset" would read "community".
    assert.equal((activeUserLimitConfigSchema.properties.edition as { default?: unknown }).default, undefined);
    const enterprise = await PolicyPackProcess.start(undefined, undefined, undefined, {
      ...process.env,
      WALLAROO_URL: emu.url,
      WALLAROO_USER: "admin",
      WALLAROO_PASSWORD: ADMIN_PASSWORD,
      WALLAROO_TOKEN: "",
      WALLAROO_EDITION: "enterprise",
    });
    const six = planned(["a", "b", "c", "d", "e", "f"].map((n) => ({ name: n, email: `${n}@example.com` })));
    const verdicts = async (config: Record<string, unknown>) => {
      await enterprise.configure({ [LIMIT_POLICY]: { properties: config } });
      return (await enterprise.analyzeStack(six)).diagnostics.filter((d) => d.policyName === LIMIT_POLICY);
    };
    try {
      assert.deepEqual(await verdicts({ unmanagedActiveUsers: "live" }), [], "enterprise, from WALLAROO_EDITION");
      const community = await verdicts({ unmanagedActiveUsers: "live", edition: "community" });
      assert.match(community[0]!.message, /but the community licence allows 5/);
      // With a number, nothing is read from the environment: the pack checks offline.
      const offline = await verdicts({ unmanagedActiveUsers: 0 });
      assert.match(
        offline[0]!.message,
        /6 active Wallaroo users requested in this stack, but the community licence allows 5/,
      );
    } finally {
      await enterprise.stop();
    }
  });

  it("counts the stack's users that already exist as its own, by email case-insensitively and by id", async () => {
    const out1 = emu.users().find((u) => u.email === "out1@example.com")!;
    const messages = await limitMessages(
      planned([
        { name: "o1", email: "whatever@example.com", userId: out1.id }, // by id, though the email differs
        { name: "o2", email: "OUT2@Example.com" },
        { name: "o3", email: "out3@example.com" },
        { name: "n1", email: "n1@example.com" },
        { name: "n2", email: "n2@example.com" },
      ]),
    );
    assert.deepEqual(messages, [], "3 existing + 2 new = 5 active, nothing outside");
  });

  it("stops a new inactive user on a full instance: its invite needs a seat for a moment", async () => {
    const stack = [
      { name: "o1", email: "out1@example.com" },
      { name: "o2", email: "out2@example.com" },
      { name: "o3", email: "out3@example.com" },
      { name: "n1", email: "n1@example.com" },
      { name: "n2", email: "n2@example.com" },
    ];
    const messages = await limitMessages(
      planned([...stack, { name: "late", email: "late@example.com", active: false }]),
    );
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /6 licence seats are needed during this update.*: late@example\.com\./);
    // An inactive user that exists already (gone@example.com) needs no seat.
    assert.deepEqual(
      await limitMessages(planned([...stack, { name: "g", email: "gone@example.com", active: false }])),
      [],
    );
  });

  it("is a violation, not a silent pass, when the instance cannot be reached, and says what to do", async () => {
    const dead = await PolicyPackProcess.start(undefined, undefined, undefined, {
      ...process.env,
      WALLAROO_URL: "http://127.0.0.1:1",
      WALLAROO_TOKEN: "t0ken-never-printed",
    });
    try {
      await dead.configure(live);
      const started = Date.now();
      const result = await dead.analyzeStack(planned([{ name: "a", email: "a@example.com" }]));
      const d = result.diagnostics.find((x) => x.policyName === LIMIT_POLICY);
      assert.equal(d?.enforcementLevel, "mandatory");
      assert.match(d!.message, /Could not count the live seats: Nothing is listening at http:\/\/127\.0\.0\.1:1/);
      assert.match(d!.message, /set the WALLAROO_\* variables .* or set unmanagedActiveUsers to a number/);
      assert.doesNotMatch(d!.message, /t0ken-never-printed/);
      assert.ok(Date.now() - started < 30_000, "bounded");
    } finally {
      await dead.stop();
    }
  });

  it("is a violation naming the refused login, without the password, on wrong credentials", async () => {
    const wrong = await PolicyPackProcess.start(undefined, undefined, undefined, {
      ...process.env,
      WALLAROO_URL: emu.url,
      WALLAROO_USER: "admin",
      WALLAROO_PASSWORD: "Wrong-Password-77",
      WALLAROO_TOKEN: "",
    });
    try {
      await wrong.configure(live);
      const result = await wrong.analyzeStack(planned([{ name: "a", email: "a@example.com" }]));
      const d = result.diagnostics.find((x) => x.policyName === LIMIT_POLICY);
      assert.match(d!.message, /Could not count the live seats: Keycloak refused the login of 'admin'/);
      assert.doesNotMatch(d!.message, /Wrong-Password-77/);
      assert.doesNotMatch(wrong.stderr, /Wrong-Password-77/);
    } finally {
      await wrong.stop();
    }
  });
});

describe("the licence check against a real up on a Community instance with 4 active users outside the stack", function () {
  this.timeout(180_000);
  let world: World;
  let engine: Engine;
  let pack: PolicyPackProcess;

  before(async () => {
    world = await startWorld({ edition: "community" });
    for (let i = 1; i <= 4; i++) world.emu.addUser({ email: `outside${i}@example.com` });
    engine = world.engine();
    pack = await PolicyPackProcess.start(undefined, undefined, undefined, {
      ...process.env,
      WALLAROO_URL: world.emu.url,
      WALLAROO_USER: "admin",
      WALLAROO_PASSWORD: ADMIN_PASSWORD,
      WALLAROO_TOKEN: "",
    });
  });
  after(async () => {
    await pack?.stop();
    await world?.close();
  });

  const verdict = async (
    config: Record<string, unknown>,
    users: { name: string; email: string; active?: boolean }[],
  ) => {
    await pack.configure({ [LIMIT_POLICY]: { properties: config } });
    const result = await pack.analyzeStack(planned(users));
    return result.diagnostics.filter((d) => d.policyName === LIMIT_POLICY && d.enforcementLevel === "mandatory");
  };
  const program = (users: { name: string; email: string; active?: boolean }[]) =>
    `import * as wallaroo from "pulumi-wallaroo";\n` +
    users
      .map(
        (u) =>
          `new wallaroo.User(${JSON.stringify(u.name)}, { email: ${JSON.stringify(u.email)}, active: ${u.active !== false} });`,
      )
      .join("\n") +
    "\n";

  it("stops two new active users at preview in live mode, and with the right number; a wrong number lets up fail", async () => {
    const two = [
      { name: "ann", email: "ann@example.com" },
      { name: "ben", email: "ben@example.com" },
    ];
    assert.equal((await verdict({ unmanagedActiveUsers: "live" }, two)).length, 1);
    assert.equal((await verdict({ unmanagedActiveUsers: 4 }, two)).length, 1);
    // A number that is wrong passes the preview...
    assert.deepEqual(await verdict({ unmanagedActiveUsers: 0 }, two), []);
    // ...and the up then fails at the server, which is what the preview should have said.
    world.program("index.ts", program(two));
    const up = await engine.up("index.ts");
    assert.equal(up.ok, false);
    assert.match(up.failed[0]!.message, /licence's active-user limit is reached/);
    assert.equal(Object.values(roster(world.emu)).filter(Boolean).length, 5);
    assertOk(await engine.destroy());
  });

  it("a preview that passes also passes up; one that needs a transient seat is stopped, and up would fail", async () => {
    // One seat is free. One new active user fits; one new active plus one new inactive needs two at the peak.
    const fits = [{ name: "ann", email: "ann2@example.com" }];
    assert.deepEqual(await verdict({ unmanagedActiveUsers: "live" }, fits), []);
    world.program("index.ts", program(fits));
    assertOk(await engine.up("index.ts"));
    assertOk(await engine.destroy());

    const peak = [
      { name: "cat", email: "cat@example.com" },
      { name: "late", email: "late@example.com", active: false },
    ];
    const stopped = await verdict({ unmanagedActiveUsers: "live" }, peak);
    assert.equal(stopped.length, 1);
    assert.match(stopped[0]!.message, /licence seats are needed during this update/);
    // Proof that the preview was right: without the policy, up fails on one of the two invites.
    world.program("index.ts", program(peak));
    const up = await engine.up("index.ts");
    assert.equal(up.ok, false);
    assert.match(up.failed.map((f) => f.message).join("\n"), /licence's active-user limit is reached/);
  });
});
