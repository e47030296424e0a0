/**
 * The client's promise under misconfiguration and bad servers (issue #11): "this user does not
 * exist" comes only from a well-formed 200 of the API; everything else is an error naming the
 * endpoint and what came back. An invite's lost answer is recovered only after an attempt whose
 * outcome was unknown. Every token the client has held stays out of its messages.
 */
import assert from "node:assert/strict";
import { RunningEmulator, startEmulator } from "../../emulator";
import {
  AlreadyExistsError,
  InvalidResponseError,
  LicenceLimitError,
  PermissionError,
  ServerError,
  BadRequestError,
  UnexpectedResponseError,
  WallarooClient,
  WallarooError,
} from "../../sdk";
import { resolveOptions } from "../../sdk/options";
import { adminClients, rejection } from "../support/clients";
import { RawServer, reply, startRawServer } from "../support/rawServer";

const ADMIN_PASSWORD = "s3cret-admin-pw";
const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 200, maxElapsedMs: 5_000 };
const QUERY = "/v1/api/users/query";
const DEACTIVATE = "/v1/api/users/deactivate";
const INVITE = "/v1/api/users/invite";

describe("WallarooClient never concludes 'gone' from an error", function () {
  let emu: RunningEmulator;
  let raw: RawServer | undefined;
  const { client, closeAll } = adminClients(() => emu.url, ADMIN_PASSWORD, { retry: FAST_RETRY });
  let aliceId: string;

  beforeEach(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    aliceId = emu.addUser({ email: "alice@example.com" }).id;
  });
  afterEach(async () => {
    await closeAll();
    await raw?.close();
    raw = undefined;
    await emu.close();
  });

  /** getUser and setUserActiveById both fail, and the server still holds alice, active. */
  async function assertNothingConcluded(c: WallarooClient, expect: (e: WallarooError) => void): Promise<void> {
    expect(await rejection(c.getUser(aliceId)));
    expect(await rejection(c.setUserActiveById(aliceId, false)));
    assert.equal(emu.users().find((u) => u.id === aliceId)?.enabled, true, "alice is untouched");
  }

  it("a wrong path prefix in the URL (404 'No such endpoint') is an error, not an unknown user", async () => {
    const c = client({ url: `${emu.url}/typo`, authUrl: emu.url });
    await assertNothingConcluded(c, (e) => {
      assert.ok(e instanceof UnexpectedResponseError, e.message);
      assert.equal(e.status, 404);
      assert.equal(e.endpoint, `POST ${QUERY}`);
      assert.match(e.message, /\/typo\/v1\/api\/users\/query answered 404/);
      assert.match(e.message, /No such endpoint/, "says what the server said");
      assert.match(
        e.message,
        /check that the url option \(WALLAROO_URL\) is the Wallaroo API endpoint/,
        "says what to check",
      );
    });
  });

  it("an HTML 404 page for everything is an error that says a web page answered", async () => {
    raw = await startRawServer((_req, res) =>
      reply(
        res,
        404,
        "<!DOCTYPE html><html><head><title>Page not found</title></head><body>nope</body></html>",
        "text/html",
      ),
    );
    const c = client({ url: raw.url, authUrl: emu.url });
    await assertNothingConcluded(c, (e) => {
      assert.ok(e instanceof UnexpectedResponseError);
      assert.match(e.message, /HTML page: Page not found/);
      assert.match(e.message, /not the Wallaroo API/);
      assert.doesNotMatch(e.message, /<html/i, "the page itself is not pasted");
    });
  });

  it("a proxy's 400 with a JSON body of its own is a rejected request, not an unknown user", async () => {
    const body = JSON.stringify({ error: "blocked by WAF rule 942100", requestId: "r-1" });
    emu.setFaults([{ endpoint: QUERY, status: 400, body }]);
    await assertNothingConcluded(client(), (e) => {
      assert.ok(e instanceof BadRequestError);
      assert.match(e.message, /blocked by WAF rule 942100/);
    });
  });

  it("a 500 'Unknown error' is a server failure, not an unknown user", async () => {
    emu.setFaults([{ endpoint: QUERY, status: 500, body: JSON.stringify({ msg: "Unknown error" }) }]);
    await assertNothingConcluded(client(), (e) => {
      assert.ok(e instanceof ServerError);
      assert.match(e.message, /Unknown error/);
    });
  });

  it("a 200 whose body is not the documented shape is an invalid answer, not an empty one", async () => {
    emu.setFaults([{ endpoint: QUERY, status: 200, body: JSON.stringify({ result: "ok" }) }]);
    await assertNothingConcluded(client(), (e) => {
      assert.ok(e instanceof InvalidResponseError);
      assert.equal(e.field, "users");
    });
  });

  it("a redirect to another host is not followed (the token would go with it) and says so", async () => {
    raw = await startRawServer((_req, res) => reply(res, 200, { users: {} }));
    emu.setFaults([{ endpoint: QUERY, status: 307, location: `${raw.url}/v1/api/users/query?session=abc` }]);
    await assertNothingConcluded(client(), (e) => {
      assert.ok(e instanceof UnexpectedResponseError);
      assert.match(e.message, new RegExp(`redirect to ${raw!.url}/v1/api/users/query`));
      assert.doesNotMatch(e.message, /session=abc/, "the target's query is not echoed");
    });
    assert.equal(raw.requests.length, 0, "nothing was sent to the other host");
  });

  it("a 403 on query or deactivate is a permission error, not the licence", async () => {
    emu.setFaults([{ endpoint: QUERY, status: 403, count: 1 }]);
    const e1 = await rejection(client().getUser(aliceId));
    assert.ok(e1 instanceof PermissionError, e1.message);
    assert.match(e1.message, /manage users/);
    emu.setFaults([{ endpoint: DEACTIVATE, status: 403 }]);
    const e2 = await rejection(client().deactivateUser("alice@example.com"));
    assert.ok(e2 instanceof PermissionError);
    assert.doesNotMatch(e2.message, /licence/);
  });

  it("a 403 on invite is still the licence limit", async () => {
    emu.setFaults([{ endpoint: INVITE, status: 403 }]);
    assert.ok((await rejection(client().inviteUser({ email: "x@example.com" }))) instanceof LicenceLimitError);
  });

  it("a well-formed 200 that maps the id to null means the user is gone", async () => {
    emu.setFaults([{ endpoint: QUERY, status: 200, body: JSON.stringify({ users: { [aliceId]: null } }) }]);
    const c = client();
    assert.equal(await c.getUser(aliceId), null);
    assert.equal(await c.setUserActiveById(aliceId, false), null);
    assert.equal(emu.stats().requests[DEACTIVATE] ?? 0, 0, "nothing to deactivate");
  });

  it("a user removed on the server is gone after a well-formed answer", async () => {
    emu.removeUser(aliceId);
    assert.equal(await client().getUser(aliceId), null);
  });
});

describe("WallarooClient acts on the user it names, by id", function () {
  let emu: RunningEmulator;
  let c: WallarooClient;
  beforeEach(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    c = new WallarooClient({ url: emu.url, username: "admin", password: ADMIN_PASSWORD, env: {} });
  });
  afterEach(async () => {
    await c.close();
    await emu.close();
  });

  it("deactivates by the email the server holds for the id now, not an old one that passed to someone else", async () => {
    const alice = emu.addUser({ email: "alice@example.com" });
    emu.changeEmail(alice.id, "alice.new@example.com");
    const newcomer = emu.addUser({ email: "alice@example.com" });
    const now = await c.setUserActiveById(alice.id, false);
    assert.equal(now?.email, "alice.new@example.com");
    const users = new Map(emu.users().map((u) => [u.id, u.enabled]));
    assert.equal(users.get(alice.id), false, "the named user is deactivated");
    assert.equal(users.get(newcomer.id), true, "the new holder of the old email is untouched");
  });

  it("makes no call for a user already in the wanted state", async () => {
    const bob = emu.addUser({ email: "bob@example.com", enabled: false });
    emu.resetStats();
    assert.equal((await c.setUserActiveById(bob.id, false))?.enabled, false);
    assert.equal(emu.stats().requests[DEACTIVATE] ?? 0, 0);
  });
});

describe("WallarooClient.inviteUser recovers a lost answer only when the outcome was unknown", function () {
  let emu: RunningEmulator;
  const clients: WallarooClient[] = [];
  beforeEach(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await emu.close();
  });
  function client(): WallarooClient {
    const c = new WallarooClient({
      url: emu.url,
      username: "admin",
      password: ADMIN_PASSWORD,
      retry: FAST_RETRY,
      env: {},
    });
    clients.push(c);
    return c;
  }

  for (const [what, rule] of [
    ["401 (token renewal)", { endpoint: INVITE, status: 401, count: 1 }],
    ["429 (rate limited)", { endpoint: INVITE, status: 429, count: 1 }],
    ["503 (unavailable)", { endpoint: INVITE, status: 503, count: 1 }],
  ] as const) {
    it(`does not take over someone else's new user after a first attempt answered ${what}`, async () => {
      const c = client();
      await c.listUsers(); // logged in before the race
      // Someone else invites the same email just before us; our first attempt is refused without being performed.
      const theirs = emu.addUser({ email: "race@example.com" });
      emu.setFaults([rule]);
      const e = await rejection(c.inviteUser({ email: "race@example.com" }));
      assert.ok(e instanceof AlreadyExistsError, e.message);
      assert.equal(e.existingUserId, theirs.id);
    });
  }

  it("returns its own invite after an attempt performed whose answer was lost", async () => {
    const c = client();
    emu.setFaults([{ endpoint: INVITE, performThenDrop: true, count: 1 }]);
    const r = await c.inviteUser({ email: "lost@example.com" });
    assert.equal(r.recovered, true);
    assert.equal(r.id, emu.users().find((u) => u.email === "lost@example.com")?.id);
  });

  it("returns its own invite after a gateway's 502 that had forwarded it", async () => {
    const c = client();
    // The first attempt is performed and its answer replaced by a gateway error; the retry meets "exists".
    emu.setFaults([{ endpoint: INVITE, performThenStatus: true, status: 502, count: 1 }]);
    const r = await c.inviteUser({ email: "gw@example.com" });
    assert.equal(r.recovered, true);
  });
});

describe("WallarooClient keeps every token it has held out of its messages", function () {
  it("redacts a superseded token that a server echoes after the client renewed its session", async () => {
    const emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    let first: string | undefined;
    // The API answers the first request 401 (the client renews its token), then 400 echoing both tokens.
    const raw = await startRawServer((req, res) => {
      const auth = req.headers.authorization ?? "";
      if (!first) {
        first = auth;
        return reply(res, 401, { msg: "expired" });
      }
      reply(res, 400, { msg: `bad request; earlier ${first}, now ${auth}` });
    });
    const c = new WallarooClient({
      url: raw.url,
      authUrl: emu.url,
      username: "admin",
      password: ADMIN_PASSWORD,
      env: {},
    });
    try {
      const e = await rejection(c.listUsers());
      const old = first!.replace(/^Bearer /, "");
      assert.ok(old.length > 20);
      assert.ok(!e.message.includes(old), "the superseded token is redacted");
      assert.ok(!e.message.includes(old.slice(0, 40)), "not even a prefix of it is left");
      assert.match(e.message, /earlier Bearer \[redacted\], now Bearer \[redacted\]/);
    } finally {
      await c.close();
      await raw.close();
      await emu.close();
    }
  });
});

describe("WallarooClient retry budget", function () {
  it("never sleeps past maxElapsedMs", async () => {
    const raw = await startRawServer((_req, res) => reply(res, 503, { msg: "busy" }));
    const attempts: number[] = [];
    const c = new WallarooClient({
      url: raw.url,
      token: "static-token-123",
      env: {},
      retry: { maxAttempts: 100, baseDelayMs: 100, maxDelayMs: 900, maxElapsedMs: 1000 },
      onRequest: () => attempts.push(Date.now()),
    });
    const started = Date.now();
    try {
      const e = await rejection(c.listUsers());
      assert.ok(e instanceof ServerError);
      // Every attempt starts inside the budget; the last one is not followed by a sleep past it.
      assert.ok(
        attempts.every((t) => t - started <= 1000),
        `attempts at ${attempts.map((t) => t - started).join(", ")} ms`,
      );
      assert.ok(Date.now() - started < 1000 + 250, `gave up after ${Date.now() - started} ms`);
    } finally {
      await c.close();
      await raw.close();
    }
  });
});

describe("resolveOptions", function () {
  it("lets explicit credentials win as a whole over the environment's", () => {
    const o = resolveOptions({
      url: "http://127.0.0.1:1",
      username: "ci-bot",
      password: "pw-from-stack",
      env: { WALLAROO_TOKEN: "token-from-env" },
    });
    assert.deepEqual(o.credentials, { kind: "password", username: "ci-bot", password: "pw-from-stack" });
  });

  it("does not mix an explicit username with a password from the environment", () => {
    assert.throws(
      () => resolveOptions({ url: "http://127.0.0.1:1", username: "ci-bot", env: { WALLAROO_PASSWORD: "env-pw" } }),
      /No password is configured for Wallaroo user 'ci-bot'.*environment's WALLAROO_\* credentials are not used/,
    );
  });

  it("does not send an explicit URL's stack to the environment's Keycloak", () => {
    const o = resolveOptions({
      url: "https://wallaroo.example.com",
      token: "t0ken",
      env: { WALLAROO_AUTH_URL: "https://other.example.com" },
    });
    assert.equal(o.authUrl.href, "https://wallaroo.example.com/");
  });

  it("warns for Keycloak too when TLS verification is off and only authUrl is https", () => {
    const warnings: string[] = [];
    resolveOptions({
      url: "http://wallaroo.internal",
      authUrl: "https://keycloak.example.com",
      token: "t0ken",
      insecureSkipTlsVerify: true,
      env: {},
      onWarning: (m) => warnings.push(m),
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /Keycloak \(https:\/\/keycloak\.example\.com\)/);
  });
});
