import { strict as assert } from "node:assert";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_PASSWORD, api, post, TOKEN_PATH, tokenRequest } from "./helpers";

const INVITE = "/v1/api/users/invite";
const QUERY = "/v1/api/users/query";

describe("emulator fault injection", () => {
  let emu: RunningEmulator;
  let call: ReturnType<typeof api>;

  beforeEach(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise" });
    call = api(emu);
  });
  afterEach(() => emu.close());

  it("answers the rule's status for the next `count` matching requests, then handles normally", async () => {
    emu.setFaults([{ endpoint: QUERY, status: 500, count: 2 }]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call("query", {})).status);
    assert.deepEqual(statuses, [500, 500, 200]);
    assert.equal((await call("invite", { email: "other@example.com" })).status, 200, "other endpoints are untouched");
  });

  it("answers {msg, code} for an injected status and does not perform the operation", async () => {
    emu.setFaults([{ endpoint: INVITE, status: 503, count: 1 }]);
    const r = await call("invite", { email: "never@example.com" });
    assert.equal(r.status, 503);
    assert.equal(r.body.code, 503);
    assert.match(r.body.msg, /Injected fault/);
    assert.ok(!emu.users().some((u) => u.email === "never@example.com"));
  });

  it("defaults to 503 when only count is given", async () => {
    emu.setFaults([{ endpoint: QUERY, count: 1 }]);
    assert.equal((await call("query", {})).status, 503);
    assert.equal((await call("query", {})).status, 200);
  });

  it("adds Retry-After to a 429", async () => {
    emu.setFaults([{ endpoint: QUERY, status: 429, retryAfterSeconds: 7, count: 1 }]);
    const r = await call("query", {});
    assert.equal(r.status, 429);
    assert.equal(r.headers["retry-after"], "7");
  });

  it("fails a repeatable fraction of requests for failureRate with a seed", async () => {
    async function run(): Promise<number[]> {
      emu.setFaults([{ endpoint: QUERY, failureRate: 0.5 }], 42);
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await call("query", {})).status);
      return out;
    }
    const first = await run();
    const second = await run();
    assert.deepEqual(second, first, "same seed, same sequence");
    const failed = first.filter((s) => s === 503).length;
    assert.ok(failed > 5 && failed < 35, `about half fail, saw ${failed}/40`);
    assert.ok(first.every((s) => s === 503 || s === 200));
    emu.setFaults([{ endpoint: QUERY, failureRate: 0.5 }], 7);
    const other: number[] = [];
    for (let i = 0; i < 40; i++) other.push((await call("query", {})).status);
    assert.notDeepEqual(other, first, "another seed, another sequence");
  });

  it("delays by latencyMs and then handles the request", async () => {
    emu.setFaults([{ endpoint: QUERY, latencyMs: 300, count: 1 }]);
    const t0 = Date.now();
    const r = await call("query", {});
    assert.ok(Date.now() - t0 >= 290, "delayed");
    assert.equal(r.status, 200, "latency alone is not a failure");
    const t1 = Date.now();
    await call("query", {});
    assert.ok(Date.now() - t1 < 250, "the rule expired");
  });

  it("drops the connection without an answer and without performing the operation", async () => {
    emu.setFaults([{ endpoint: INVITE, dropConnection: true, count: 1 }]);
    await assert.rejects(call("invite", { email: "dropped@example.com" }), (e: Error & { code?: string }) => {
      assert.match(`${e.code} ${e.message}`, /ECONNRESET|UND_ERR_SOCKET|other side closed|socket hang up/i);
      return true;
    });
    assert.ok(!emu.users().some((u) => u.email === "dropped@example.com"));
    assert.equal(emu.stats().byStatus.dropped, 1);
    assert.equal((await call("invite", { email: "dropped@example.com" })).status, 200, "next request is handled");
  });

  it("performThenDrop: the invite happens but the client sees a socket error", async () => {
    emu.setFaults([{ endpoint: INVITE, performThenDrop: true, count: 1 }]);
    await assert.rejects(call("invite", { email: "lost@example.com" }));
    const matching = emu.users().filter((u) => u.email === "lost@example.com");
    assert.equal(matching.length, 1, "the user was created");
    const retry = await call("invite", { email: "lost@example.com" });
    assert.equal(retry.status, 409, "a retry finds the email taken");
  });

  it("'*' (or no endpoint) matches every endpoint, the token endpoint included", async () => {
    emu.setFaults([
      { status: 502, count: 1 },
      { endpoint: "*", status: 504, count: 1 },
    ]);
    const t = await tokenRequest(emu.url, {
      client_id: "sdk-client",
      grant_type: "password",
      username: "admin",
      password: ADMIN_PASSWORD,
    });
    assert.equal(t.status, 502);
    assert.equal(
      (await post(emu.url, "/v1/api/users/activate", { email: "x@example.com" }, emu.issueToken())).status,
      504,
    );
    assert.equal((await call("query", {})).status, 200);
  });

  it("applies rules in order, first match wins", async () => {
    emu.setFaults([
      { endpoint: QUERY, status: 429, count: 1 },
      { endpoint: QUERY, status: 500, count: 1 },
    ]);
    assert.equal((await call("query", {})).status, 429);
    assert.equal((await call("query", {})).status, 500);
    assert.equal((await call("query", {})).status, 200);
  });

  it("clearFaults() removes every rule", async () => {
    emu.setFaults([{ endpoint: QUERY, status: 500 }]);
    assert.equal((await call("query", {})).status, 500);
    emu.clearFaults();
    assert.equal((await call("query", {})).status, 200);
  });

  it("accepts initial faults from the options", async () => {
    await emu.close();
    emu = await startEmulator({
      adminPassword: ADMIN_PASSWORD,
      faults: [{ endpoint: TOKEN_PATH, status: 503, count: 1 }],
    });
    const t = await tokenRequest(emu.url, {
      client_id: "sdk-client",
      grant_type: "password",
      username: "admin",
      password: ADMIN_PASSWORD,
    });
    assert.equal(t.status, 503);
  });

  it("refuses an invalid rule with a message naming the problem", () => {
    assert.throws(() => emu.setFaults([{ endpoint: QUERY, staus: 500 } as never]), /unknown field "staus"/);
    assert.throws(() => emu.setFaults([{ failureRate: 2 }]), /failureRate/);
    assert.throws(() => emu.setFaults([{ endpoint: QUERY }]), /does nothing/);
    assert.throws(() => emu.setFaults([{ status: 503, dropConnection: true }]), /no status/);
  });

  it("counts faulted requests in stats by path and status", async () => {
    emu.resetStats();
    emu.setFaults([{ endpoint: QUERY, status: 503, count: 2 }]);
    for (let i = 0; i < 3; i++) await call("query", {});
    const s = emu.stats();
    assert.equal(s.requests[QUERY], 3);
    assert.equal(s.byStatus["503"], 2);
    assert.equal(s.byStatus["200"], 1);
    assert.equal(s.total, 3);
    assert.ok(s.requestsPerSecond > 0);
  });
});
