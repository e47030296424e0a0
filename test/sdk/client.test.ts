import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { RunningEmulator, startEmulator } from "../../emulator";
import {
  AlreadyExistsError,
  AuthenticationError,
  ConfigurationError,
  InvalidResponseError,
  LicenceLimitError,
  NetworkError,
  UnexpectedResponseError,
  ServerError,
  WallarooClient,
  WallarooError,
  STACK_SETTING_NAMES,
} from "../../sdk";
import { adminClients, allTextOf, rejection } from "../support/clients";
import { reply, startRawServer } from "../support/rawServer";

const ADMIN_PASSWORD = "s3cret-admin-pw";
const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 2000, maxElapsedMs: 20_000 };

describe("WallarooClient", function () {
  let emu: RunningEmulator;
  const { client, track, closeAll } = adminClients(() => emu.url, ADMIN_PASSWORD, { retry: FAST_RETRY });

  beforeEach(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
  });
  afterEach(async () => {
    await closeAll();
    await emu.close();
  });

  describe("configuration", () => {
    it("names the url option and WALLAROO_URL when no URL is set (a bare client speaks of its own options)", () => {
      const e = rejectSync(() => new WallarooClient({ env: {}, token: "t" }));
      assert.ok(e instanceof ConfigurationError);
      assert.equal(e.setting, "wallaroo:url");
      assert.match(e.message, /Pass the url option/);
      assert.match(e.message, /WALLAROO_URL/);
      assert.doesNotMatch(e.message, /pulumi|wallaroo:url/);
    });

    it("speaks the vocabulary it is given: stack keys for the provider", () => {
      const e = rejectSync(() => new WallarooClient({ env: {}, token: "t", settingNames: STACK_SETTING_NAMES }));
      assert.match((e as Error).message, /pulumi config set wallaroo:url/);
    });

    it("suggests the scheme for a URL without one", () => {
      const e = rejectSync(() => new WallarooClient({ env: {}, url: "wallaroo.example.com", token: "t" }));
      assert.ok(e instanceof ConfigurationError);
      assert.match(e.message, /https:\/\/wallaroo\.example\.com/);
    });

    it("asks for credentials when none are set", () => {
      const e = rejectSync(() => new WallarooClient({ env: {}, url: "http://127.0.0.1:1" }));
      assert.ok(e instanceof ConfigurationError);
      assert.match(e.message, /the token option \(WALLAROO_TOKEN\)/);
      assert.match(e.message, /WALLAROO_USER/);
    });

    it("reads WALLAROO_URL, WALLAROO_USER and WALLAROO_PASSWORD from the environment", async () => {
      const c = new WallarooClient({
        env: { WALLAROO_URL: emu.url, WALLAROO_USER: "admin", WALLAROO_PASSWORD: ADMIN_PASSWORD },
      });
      track(c);
      assert.ok((await c.listUsers()).some((u) => u.username === "admin"));
    });

    it("reads the JSON file named by WALLAROO_SDK_CREDENTIALS", async () => {
      const dir = mkdtempSync(join(tmpdir(), "wl-cred-"));
      const file = join(dir, "creds.json");
      writeFileSync(file, JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }));
      const c = new WallarooClient({ env: { WALLAROO_URL: emu.url, WALLAROO_SDK_CREDENTIALS: file } });
      track(c);
      assert.equal(c.tokenStats.login, 0);
      await c.listUsers();
      assert.equal(c.tokenStats.login, 1);
    });

    it("refuses a credentials file without a password, naming the field", () => {
      const dir = mkdtempSync(join(tmpdir(), "wl-cred-"));
      const file = join(dir, "creds.json");
      writeFileSync(file, JSON.stringify({ username: "admin" }));
      const e = rejectSync(
        () => new WallarooClient({ env: { WALLAROO_URL: "http://127.0.0.1:1", WALLAROO_SDK_CREDENTIALS: file } }),
      );
      assert.ok(e instanceof ConfigurationError);
      assert.match(e.message, /'password'/);
    });

    it("keeps secrets out of inspect() of the client", () => {
      const c = client();
      assert.doesNotMatch(inspect(c, { depth: 8, showHidden: true }), new RegExp(ADMIN_PASSWORD));
    });
  });

  describe("listUsers", () => {
    it("returns every user, including the admin user that has no email", async () => {
      const c = client();
      await c.inviteUser({ email: "ann@example.com" });
      const users = await c.listUsers();
      const admin = users.find((u) => u.username === "admin");
      assert.ok(admin, "admin is listed");
      assert.equal(admin.email, undefined);
      assert.equal(admin.enabled, true);
      const ann = users.find((u) => u.email === "ann@example.com");
      assert.ok(ann);
      assert.equal(typeof ann.createdTimestamp, "number");
      assert.equal(ann.username, "ann@example.com");
    });
  });

  describe("getUsers", () => {
    it("returns the users with the given ids and leaves unknown ids out", async () => {
      const c = client();
      const a = await c.inviteUser({ email: "a@example.com" });
      const b = await c.inviteUser({ email: "b@example.com" });
      const users = await c.getUsers([a.id, "00000000-0000-0000-0000-000000000000", b.id]);
      assert.deepEqual(users.map((u) => u.email).sort(), ["a@example.com", "b@example.com"]);
    });

    it("concludes nothing when the server answers an error instead of omitting unknown ids", async () => {
      // The reference documents unknown ids as absent from (or null in) a 200; a 404 is not that answer.
      await emu.close();
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, unknownIdsError: true });
      const c = client();
      const a = await c.inviteUser({ email: "a@example.com" });
      const e = await rejection(c.getUsers(["11111111-1111-1111-1111-111111111111", a.id]));
      assert.ok(e instanceof UnexpectedResponseError);
      assert.equal(e.status, 404);
      assert.equal(e.endpoint, "POST /v1/api/users/query");
      assert.match(e.message, /Nothing was concluded about any user/);
    });

    it("returns nothing for no ids without calling the server", async () => {
      const c = client();
      emu.resetStats();
      assert.deepEqual(await c.getUsers([]), []);
      assert.equal(emu.stats().requests["/v1/api/users/query"] ?? 0, 0);
    });
  });

  describe("getUser", () => {
    it("coalesces concurrent lookups into few /users/query calls", async () => {
      await emu.close();
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise" });
      const c2 = client({ batchWindowMs: 5 });
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) ids.push((await c2.inviteUser({ email: `u${i}@example.com` })).id);
      emu.resetStats();
      const users = await Promise.all(ids.map((id) => c2.getUser(id)));
      assert.deepEqual(
        users.map((u) => u?.id),
        ids,
      );
      const queries = emu.stats().requests["/v1/api/users/query"];
      assert.ok(queries <= 2, `expected at most 2 query calls for 60 concurrent reads, saw ${queries}`);
    });

    it("answers null for an id that does not exist", async () => {
      assert.equal(await client().getUser("00000000-0000-0000-0000-000000000000"), null);
    });
  });

  describe("getUserByEmail", () => {
    it("matches emails case-insensitively", async () => {
      const c = client();
      const { id } = await c.inviteUser({ email: "Mixed.Case@Example.com" });
      const u = await c.getUserByEmail("MIXED.case@example.COM");
      assert.equal(u?.id, id);
      assert.equal(u?.email, "mixed.case@example.com");
    });

    it("answers null for an unknown email", async () => {
      assert.equal(await client().getUserByEmail("nobody@example.com"), null);
    });

    it("lists anew for every lookup that does not allow a recent listing", async () => {
      const c = client();
      await c.inviteUser({ email: "a@example.com" });
      emu.resetStats();
      await c.getUserByEmail("a@example.com");
      await c.getUserByEmail("a@example.com");
      assert.equal(emu.stats().requests["/v1/api/users/query"], 2);
    });

    it("with maxAgeMs, answers an email found in a recent listing without a request", async () => {
      const c = client();
      const a = await c.inviteUser({ email: "a@example.com" });
      const b = await c.inviteUser({ email: "b@example.com" });
      emu.resetStats();
      assert.equal((await c.getUserByEmail("a@example.com", { maxAgeMs: 60_000 }))?.id, a.id);
      assert.equal((await c.getUserByEmail("B@Example.com", { maxAgeMs: 60_000 }))?.id, b.id);
      assert.equal(emu.stats().requests["/v1/api/users/query"], 1);
    });

    it("with maxAgeMs, still asks the server for an email the recent listing lacks (a user invited since)", async () => {
      const c = client();
      await c.inviteUser({ email: "a@example.com" });
      await c.getUserByEmail("a@example.com", { maxAgeMs: 60_000 });
      const later = await c.inviteUser({ email: "later@example.com" });
      emu.resetStats();
      assert.equal((await c.getUserByEmail("later@example.com", { maxAgeMs: 60_000 }))?.id, later.id);
      assert.equal(await c.getUserByEmail("nobody@example.com", { maxAgeMs: 60_000 }), null);
      assert.equal(emu.stats().requests["/v1/api/users/query"], 2);
    });

    it("with maxAgeMs, lists anew once the listing is older than that", async () => {
      const c = client();
      await c.inviteUser({ email: "a@example.com" });
      await c.getUserByEmail("a@example.com", { maxAgeMs: 30 });
      await new Promise((r) => setTimeout(r, 60));
      emu.resetStats();
      await c.getUserByEmail("a@example.com", { maxAgeMs: 30 });
      assert.equal(emu.stats().requests["/v1/api/users/query"], 1);
    });

    it("with maxAgeMs, never answers from a listing that failed", async () => {
      const c = client();
      await c.inviteUser({ email: "a@example.com" });
      emu.setFaults([{ endpoint: "/v1/api/users/query", status: 500, count: 1 }]);
      await assert.rejects(c.getUserByEmail("a@example.com", { maxAgeMs: 60_000 }), ServerError);
      emu.resetStats();
      assert.ok(await c.getUserByEmail("a@example.com", { maxAgeMs: 60_000 }));
      assert.equal(emu.stats().requests["/v1/api/users/query"], 1);
    });
  });

  describe("inviteUser", () => {
    it("invites with the given password and returns the new id", async () => {
      const c = client();
      const r = await c.inviteUser({ email: "pat@example.com", password: "Given-Pass-1" });
      assert.equal(r.password, "Given-Pass-1");
      const stored = emu.users().find((u) => u.id === r.id);
      assert.equal(stored?.email, "pat@example.com");
      assert.equal(stored?.enabled, true);
    });

    it("returns the temporary password the server generates when none is given", async () => {
      const r = await client().inviteUser({ email: "tmp@example.com" });
      assert.ok(r.password.length >= 8, "a generated password is returned");
      assert.ok(emu.users().some((u) => u.id === r.id));
    });

    it("fails with AlreadyExistsError naming the existing user's id", async () => {
      const c = client();
      const first = await c.inviteUser({ email: "dup@example.com" });
      const e = await rejection(c.inviteUser({ email: "DUP@example.com" }));
      assert.ok(e instanceof AlreadyExistsError);
      assert.equal(e.existingUserId, first.id);
      assert.equal(e.endpoint, "POST /v1/api/users/invite");
      assert.match(e.message, new RegExp(first.id));
      // A bare client speaks of users, not of Pulumi resource options (the provider adds those).
      assert.doesNotMatch(e.message, /adoptExisting/);
    });

    it("fails with LicenceLimitError when the community licence is full", async () => {
      const c = client();
      for (let i = 0; i < 5; i++) await c.inviteUser({ email: `seat${i}@example.com` });
      const e = await rejection(c.inviteUser({ email: "sixth@example.com" }));
      assert.ok(e instanceof LicenceLimitError);
      assert.equal(e.status, 403);
      assert.match(e.message, /sixth@example\.com/);
      assert.match(e.message, /Deactivate/);
      assert.equal(emu.users().filter((u) => u.email === "sixth@example.com").length, 0);
    });

    it("returns the user when the answer was lost and the retry finds the email taken", async () => {
      const c = client();
      emu.setFaults([{ endpoint: "/v1/api/users/invite", performThenDrop: true, count: 1 }]);
      const r = await c.inviteUser({ email: "lost@example.com", password: "Lost-Pass-1" });
      const matching = emu.users().filter((u) => u.email === "lost@example.com");
      assert.equal(matching.length, 1, "exactly one user exists");
      assert.equal(r.id, matching[0].id);
      assert.equal(r.recovered, true);
    });
  });

  describe("activateUser and deactivateUser", () => {
    it("deactivates and re-activates a user by email", async () => {
      const c = client();
      const { id } = await c.inviteUser({ email: "flip@example.com" });
      await c.deactivateUser("FLIP@example.com");
      assert.equal(emu.users().find((u) => u.id === id)?.enabled, false);
      assert.equal((await c.getUser(id))?.enabled, false);
      await c.activateUser("flip@example.com");
      assert.equal(emu.users().find((u) => u.id === id)?.enabled, true);
    });

    it("fails without concluding anything when the server answers 404 for an unknown email", async () => {
      const e = await rejection(client().deactivateUser("ghost@example.com"));
      assert.ok(e instanceof UnexpectedResponseError);
      assert.equal(e.status, 404);
      assert.match(e.message, /ghost@example\.com/);
    });

    it("fails with LicenceLimitError when activating past the licence", async () => {
      const c = client();
      await c.inviteUser({ email: "spare@example.com" });
      await c.deactivateUser("spare@example.com");
      for (let i = 0; i < 5; i++) await c.inviteUser({ email: `seat${i}@example.com` });
      const e = await rejection(c.activateUser("spare@example.com"));
      assert.ok(e instanceof LicenceLimitError);
      assert.equal(emu.users().find((u) => u.email === "spare@example.com")?.enabled, false);
    });
  });

  describe("authentication", () => {
    it("uses a static bearer token", async () => {
      const token = emu.issueToken();
      const c = new WallarooClient({ env: { WALLAROO_URL: emu.url, WALLAROO_TOKEN: token } });
      track(c);
      assert.ok((await c.listUsers()).length >= 1);
      assert.equal(c.tokenStats.login, 0);
    });

    it("fails with AuthenticationError, without the token in any text, when the static token is refused", async () => {
      const token = "not-a-valid-token-0123456789";
      const c = client({ token });
      const e = await rejection(c.listUsers());
      assert.ok(e instanceof AuthenticationError);
      assert.equal(e.status, 401);
      assert.match(e.message, /WALLAROO_TOKEN/);
      assert.doesNotMatch(allTextOf(e), new RegExp(token));
    });

    it("logs in once for many calls", async () => {
      const c = client();
      await Promise.all(Array.from({ length: 20 }, () => c.listUsers()));
      assert.deepEqual(c.tokenStats, { login: 1, refresh: 0 });
    });

    it("refreshes an expiring token with the refresh token", async () => {
      await emu.close();
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, tokenTtlSeconds: 1 });
      const c = client();
      await c.listUsers();
      await new Promise((r) => setTimeout(r, 1100));
      await c.listUsers();
      assert.equal(c.tokenStats.login, 1);
      assert.ok(c.tokenStats.refresh >= 1, "the session was refreshed, not logged in again");
    });

    it("logs in again when the refresh token has expired too", async () => {
      await emu.close();
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, tokenTtlSeconds: 1, refreshTtlSeconds: 1 });
      const c = client();
      await c.listUsers();
      await new Promise((r) => setTimeout(r, 1200));
      await c.listUsers();
      assert.equal(c.tokenStats.login, 2);
    });

    it("re-authenticates once and retries when the server forgets the session (401)", async () => {
      const dir = mkdtempSync(join(tmpdir(), "wl-auth-"));
      const dataFile = join(dir, "data.json");
      await emu.close();
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, dataFile });
      const c = client();
      await c.listUsers();
      const { url } = emu;
      await emu.close();
      // Tokens are not persisted: the restarted server refuses the old one.
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, dataFile, port: Number(new URL(url).port) });
      assert.ok((await c.listUsers()).length >= 1);
      assert.ok(c.tokenStats.login + c.tokenStats.refresh >= 2);
    });

    it("fails with AuthenticationError naming the user, not the password, on a wrong password", async () => {
      const wrong = "wrong-password-xyz";
      const e = await rejection(client({ password: wrong }).listUsers());
      assert.ok(e instanceof AuthenticationError);
      assert.match(e.message, /'admin'/);
      assert.doesNotMatch(allTextOf(e), new RegExp(wrong));
      assert.doesNotMatch(allTextOf(e), new RegExp(ADMIN_PASSWORD));
    });
  });

  describe("retries", () => {
    it("retries 503 answers and succeeds", async () => {
      const c = client();
      await c.listUsers();
      emu.resetStats();
      emu.setFaults([{ endpoint: "/v1/api/users/query", status: 503, count: 2 }]);
      assert.ok((await c.listUsers()).length >= 1);
      assert.equal(emu.stats().requests["/v1/api/users/query"], 3);
    });

    it("waits for Retry-After on 429 and succeeds", async () => {
      const c = client();
      await c.listUsers();
      emu.setFaults([{ endpoint: "/v1/api/users/query", status: 429, retryAfterSeconds: 1, count: 1 }]);
      const waited: number[] = [];
      const t0 = Date.now();
      await c.listUsers();
      waited.push(Date.now() - t0);
      // Full jitter alone would wait at most 10 ms here; 1 s means Retry-After was honoured.
      assert.ok(waited[0] >= 900, `waited ${waited[0]} ms`);
    });

    it("retries dropped connections and succeeds", async () => {
      const c = client();
      await c.listUsers();
      emu.setFaults([{ endpoint: "/v1/api/users/query", dropConnection: true, count: 2 }]);
      assert.ok((await c.listUsers()).length >= 1);
    });

    it("gives up with ServerError after the attempts are spent, saying how many", async () => {
      const c = client({ retry: { ...FAST_RETRY, maxAttempts: 3 } });
      await c.listUsers();
      emu.resetStats();
      emu.setFaults([{ endpoint: "/v1/api/users/query", status: 503 }]);
      const e = await rejection(c.listUsers());
      assert.ok(e instanceof ServerError);
      assert.equal(e.status, 503);
      assert.match(e.message, /after 3 attempts/);
      assert.equal(emu.stats().requests["/v1/api/users/query"], 3);
    });

    it("gives up at once, saying the server is rate-limiting, when Retry-After is longer than the policy allows", async () => {
      const c = client();
      await c.listUsers();
      emu.resetStats();
      emu.setFaults([{ endpoint: "/v1/api/users/query", status: 429, retryAfterSeconds: 600 }]);
      const e = await rejection(c.listUsers());
      assert.ok(e instanceof ServerError);
      assert.equal(e.status, 429);
      assert.match(e.message, /limiting the request rate/);
      assert.equal(emu.stats().requests["/v1/api/users/query"], 1);
    });

    it("does not retry a 500", async () => {
      const c = client();
      await c.listUsers();
      emu.resetStats();
      emu.setFaults([{ endpoint: "/v1/api/users/query", status: 500, count: 1 }]);
      assert.ok((await rejection(c.listUsers())) instanceof ServerError);
      assert.equal(emu.stats().requests["/v1/api/users/query"], 1);
    });
  });

  describe("errors", () => {
    it("fails with NetworkError naming the address when nothing listens", async () => {
      const dead = await startRawServer(() => undefined);
      const url = dead.url;
      await dead.close();
      const e = await rejection(
        new WallarooClient({ env: {}, url, token: "tok-abcdef", retry: { ...FAST_RETRY, maxAttempts: 2 } }).listUsers(),
      );
      assert.ok(e instanceof NetworkError);
      assert.equal(e.networkCode, "ECONNREFUSED");
      assert.match(e.message, new RegExp(url.replace(/\./g, "\\.")));
    });

    it("fails with InvalidResponseError when the server answers HTML", async () => {
      const raw = await startRawServer((_req, res) =>
        reply(res, 200, "<html><body>Sign in</body></html>", "text/html"),
      );
      try {
        const e = await rejection(new WallarooClient({ env: {}, url: raw.url, token: "tok-abcdef" }).listUsers());
        assert.ok(e instanceof InvalidResponseError);
        assert.match(e.message, /not JSON/);
        assert.match(e.message, /Sign in/);
      } finally {
        await raw.close();
      }
    });

    it("fails with InvalidResponseError naming the field when a user has the wrong shape", async () => {
      const raw = await startRawServer((_req, res) =>
        reply(res, 200, {
          users: { "u-1": { id: "u-1", username: "x@example.com", enabled: "yes", createdTimestamp: 1 } },
        }),
      );
      try {
        const e = await rejection(new WallarooClient({ env: {}, url: raw.url, token: "tok-abcdef" }).listUsers());
        assert.ok(e instanceof InvalidResponseError);
        assert.equal(e.field, "users.u-1.enabled");
        assert.match(e.message, /users\.u-1\.enabled/);
      } finally {
        await raw.close();
      }
    });

    it("tolerates Keycloak fields it does not use", async () => {
      const raw = await startRawServer((_req, res) =>
        reply(res, 200, {
          users: {
            "u-1": {
              id: "u-1",
              username: "x@example.com",
              email: "x@example.com",
              enabled: true,
              createdTimestamp: 1,
              totp: false,
              federatedIdentities: [],
              attributes: { a: ["b"] },
            },
          },
        }),
      );
      try {
        const users = await new WallarooClient({ env: {}, url: raw.url, token: "tok-abcdef" }).listUsers();
        assert.equal(users[0].email, "x@example.com");
      } finally {
        await raw.close();
      }
    });

    it("removes passwords a server echoes back from the error message", async () => {
      const password = "Echoed-Pass-123";
      const raw = await startRawServer((_req, res, body) => reply(res, 400, { msg: `bad request: ${body}` }));
      try {
        const e = await rejection(
          new WallarooClient({ env: {}, url: raw.url, token: "tok-abcdef" }).inviteUser({
            email: "e@example.com",
            password,
          }),
        );
        assert.ok(e instanceof WallarooError);
        assert.match(e.message, /\[redacted\]/);
        assert.doesNotMatch(allTextOf(e), new RegExp(password));
      } finally {
        await raw.close();
      }
    });
  });
});

function rejectSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail("expected an error");
}
