/**
 * API efficiency, checked by counting (never timing): a small stack through the
 * whole path the benchmark measures (program → engine → Pulumi's dynamic-provider
 * host over gRPC → client → emulator). A change that adds a call per resource, a
 * token request per operation, or breaks the coalescing of reads fails here.
 * Times are measured by `npm run bench`, not asserted; see docs/benchmarks.md.
 */
import assert from "node:assert/strict";
import { HarnessPhase, inProcess, runHarnessPhases } from "../../bench/phases";
import { expectedCalls } from "../../bench/programs";
import { ADMIN_PASSWORD, startWorld, World } from "../support/world";

const USERS = 20;
const PARALLEL = 8;

describe("API calls per operation (bench/phases, small run)", function () {
  this.timeout(120_000);
  let world: World;
  let phases: HarnessPhase[];
  const want = expectedCalls(USERS);

  before(async () => {
    world = await startWorld({ edition: "enterprise" });
    const emu = world.emu;
    phases = await runHarnessPhases({
      emu: inProcess(emu),
      projectDir: world.projectDir,
      users: USERS,
      parallel: PARALLEL,
      adminPassword: ADMIN_PASSWORD,
    });
  });
  after(async () => world?.close());

  const phase = (name: string) => phases.find((p) => p.phase === name)!;

  it("up: one invite per user, one deactivate per inactive user, reads coalesced", () => {
    const c = phase("up").calls;
    assert.equal(c.invite, USERS);
    assert.equal(c.deactivate, want.up.deactivate);
    assert.equal(c.activate ?? 0, 0);
    // The read that fills the server-assigned outputs is coalesced across concurrent creates.
    assert.ok((c.query ?? 0) <= USERS / 2, `up made ${c.query} /users/query calls for ${USERS} creates`);
  });

  it("refresh: reads coalesced into few /users/query calls, nothing changed", () => {
    const c = phase("refresh").calls;
    // The engine keeps PARALLEL reads outstanding; the host gathers them into one query per batch.
    const bound = 2 * Math.ceil(USERS / PARALLEL);
    assert.ok(
      c.query >= 1 && c.query <= bound,
      `refresh of ${USERS} users at --parallel ${PARALLEL} made ${c.query} query calls (at most ${bound})`,
    );
    assert.deepEqual(
      Object.keys(c).filter((k) => !["query", "token"].includes(k)),
      [],
      JSON.stringify(c),
    );
  });

  // Update and delete resolve each user by its id before acting (the API acts by email, and an email can
  // change hands): one coalesced /users/query per batch of concurrent operations, as refresh makes.
  const readBound = 2 * Math.ceil(USERS / PARALLEL);

  it("update: one deactivate per user turned inactive, reads coalesced, nothing else", () => {
    const { query, ...c } = phase("update").calls;
    assert.ok(
      (query ?? 0) >= 1 && (query ?? 0) <= readBound,
      `update made ${query} query calls (at most ${readBound})`,
    );
    assert.deepEqual({ ...c, token: undefined }, { deactivate: want.update.deactivate, token: undefined });
  });

  it("destroy: one deactivate per user still active, reads coalesced", () => {
    const { query, ...c } = phase("destroy").calls;
    assert.ok(
      (query ?? 0) >= 1 && (query ?? 0) <= readBound,
      `destroy made ${query} query calls (at most ${readBound})`,
    );
    assert.deepEqual({ ...c, token: undefined }, { deactivate: want.destroy.deactivate, token: undefined });
  });

  it("one login per operation (each starts one provider host), never a token per resource", () => {
    for (const p of phases) {
      assert.equal(p.calls.token, 1, `${p.phase}: ${p.calls.token} token requests`);
      assert.equal(p.tokensIssued, 1, `${p.phase}: ${p.tokensIssued} tokens minted`);
    }
  });
});

describe("API calls per operation on Enterprise (bench/phases, small run)", function () {
  this.timeout(120_000);
  let world: World;
  let phases: HarnessPhase[];
  const want = expectedCalls(USERS, "enterprise");
  /** The calls that change users, without the reads and the login. */
  const writes = (p: HarnessPhase) =>
    Object.fromEntries(Object.entries(p.calls).filter(([k]) => !["query", "token"].includes(k)));

  before(async () => {
    world = await startWorld({ edition: "enterprise" });
    phases = await runHarnessPhases({
      emu: inProcess(world.emu),
      projectDir: world.projectDir,
      users: USERS,
      parallel: PARALLEL,
      adminPassword: ADMIN_PASSWORD,
      edition: "enterprise",
    });
  });
  after(async () => world?.close());

  const phase = (name: string) => phases.find((p) => p.phase === name)!;

  it("up: one Keycloak POST per user, inactive ones created disabled: no invite, no deactivate", () => {
    assert.deepEqual(writes(phase("up")), { "kc:POST users": want.up["kc:POST users"] });
    assert.equal(want.up["kc:POST users"], USERS);
  });

  it("update: one PUT by id per user turned inactive", () => {
    assert.deepEqual(writes(phase("update")), { "kc:PUT users/{id}": want.update["kc:PUT users/{id}"] });
  });

  it("destroy: one PUT by id per user, and refresh changes nothing", () => {
    assert.deepEqual(writes(phase("destroy")), { "kc:PUT users/{id}": USERS });
    assert.deepEqual(writes(phase("refresh")), {});
  });
});
