import { strict as assert } from "node:assert";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_PASSWORD, post, send } from "./helpers";

const QUERY = "/v1/api/users/query";
const json = { "content-type": "application/json" };

describe("emulator control endpoints (/__emulator/)", () => {
  let emu: RunningEmulator;
  beforeEach(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
  });
  afterEach(() => emu.close());

  it("POST /__emulator/tokens mints a working access token without auth", async () => {
    const r = await send(emu.url, "POST", "/__emulator/tokens");
    assert.equal(r.status, 200);
    assert.equal(typeof r.body.access_token, "string");
    assert.equal((await post(emu.url, QUERY, {}, r.body.access_token)).status, 200);
  });

  it("POST /__emulator/faults replaces the rules (with a seed), DELETE clears them", async () => {
    const token = emu.issueToken();
    const set = await send(
      emu.url,
      "POST",
      "/__emulator/faults",
      JSON.stringify({ rules: [{ endpoint: QUERY, status: 500, count: 1 }], seed: 3 }),
      json,
    );
    assert.equal(set.status, 200);
    assert.deepEqual(set.body.rules, [{ endpoint: QUERY, status: 500, count: 1 }]);
    assert.equal((await post(emu.url, QUERY, {}, token)).status, 500);
    assert.equal((await post(emu.url, QUERY, {}, token)).status, 200);
    await send(
      emu.url,
      "POST",
      "/__emulator/faults",
      JSON.stringify({ rules: [{ endpoint: QUERY, status: 500 }] }),
      json,
    );
    assert.equal((await post(emu.url, QUERY, {}, token)).status, 500);
    const del = await send(emu.url, "DELETE", "/__emulator/faults");
    assert.equal(del.status, 200);
    assert.equal((await post(emu.url, QUERY, {}, token)).status, 200);
  });

  it("answers 400 to an invalid fault rule and keeps the old rules", async () => {
    emu.setFaults([{ endpoint: QUERY, status: 418 }]);
    const r = await send(
      emu.url,
      "POST",
      "/__emulator/faults",
      JSON.stringify({ rules: [{ endpoint: QUERY, failureRate: "often" }] }),
      json,
    );
    assert.equal(r.status, 400);
    assert.match(r.body.msg, /failureRate/);
    assert.equal((await post(emu.url, QUERY, {}, emu.issueToken())).status, 418);
  });

  it("is never subject to faults, so a test can always clear them", async () => {
    emu.setFaults([{ status: 503 }]);
    assert.equal((await send(emu.url, "DELETE", "/__emulator/faults")).status, 200);
    assert.equal((await post(emu.url, QUERY, {}, emu.issueToken())).status, 200);
  });

  it("GET /__emulator/stats reports API requests only, and DELETE resets them", async () => {
    emu.resetStats();
    await post(emu.url, QUERY, {}, emu.issueToken());
    await post(emu.url, QUERY, {});
    const r = await send(emu.url, "GET", "/__emulator/stats");
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.requests, { [QUERY]: 2 });
    assert.deepEqual(r.body.byStatus, { "200": 1, "401": 1 });
    assert.equal(r.body.total, 2);
    assert.equal(r.body.tokensIssued, 1);
    await send(emu.url, "DELETE", "/__emulator/stats");
    assert.equal(emu.stats().total, 0);
  });

  it("GET /__emulator/users lists the stored records", async () => {
    emu.addUser({ email: "seed@example.com", firstName: "Sea", lastName: "Ed" });
    const r = await send(emu.url, "GET", "/__emulator/users");
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.users, emu.users());
    assert.equal(r.body.users[1].firstName, "Sea");
    assert.ok(!JSON.stringify(r.body).includes("passwordHash"), "hashes are not exposed");
  });

  it("POST /__emulator/licence changes the licence at run time", async () => {
    const token = emu.issueToken();
    await send(
      emu.url,
      "POST",
      "/__emulator/licence",
      JSON.stringify({ edition: "community", maxActiveUsers: 1 }),
      json,
    );
    assert.equal((await post(emu.url, "/v1/api/users/invite", { email: "one@example.com" }, token)).status, 200);
    assert.equal((await post(emu.url, "/v1/api/users/invite", { email: "two@example.com" }, token)).status, 403);
    const r = await send(emu.url, "POST", "/__emulator/licence", JSON.stringify({ edition: "enterprise" }), json);
    assert.deepEqual(r.body, { edition: "enterprise", maxActiveUsers: null, activeUsers: 1 });
    assert.equal((await post(emu.url, "/v1/api/users/invite", { email: "two@example.com" }, token)).status, 200);
    const bad = await send(emu.url, "POST", "/__emulator/licence", JSON.stringify({ edition: "gold" }), json);
    assert.equal(bad.status, 400);
  });

  it("does not exist when control is off", async () => {
    await emu.close();
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, control: false });
    const r = await send(emu.url, "POST", "/__emulator/tokens");
    assert.equal(r.status, 404);
    assert.equal(emu.stats().requests["/__emulator/tokens"], 1, "an ordinary unknown path then");
  });
});
