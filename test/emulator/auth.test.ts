import { strict as assert } from "node:assert";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_PASSWORD, login, post, send, sleep, TOKEN_PATH, tokenRequest } from "./helpers";

describe("emulator authentication", () => {
  let emu: RunningEmulator;
  afterEach(() => emu.close());

  describe(`POST ${TOKEN_PATH}`, () => {
    beforeEach(async () => {
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, tokenTtlSeconds: 120, refreshTtlSeconds: 600 });
    });

    it("issues a Keycloak token pair for admin's password grant", async () => {
      const r = await tokenRequest(emu.url, {
        client_id: "sdk-client",
        grant_type: "password",
        username: "admin",
        password: ADMIN_PASSWORD,
      });
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body).sort(), [
        "access_token",
        "expires_in",
        "not-before-policy",
        "refresh_expires_in",
        "refresh_token",
        "scope",
        "session_state",
        "token_type",
      ]);
      assert.equal(r.body.token_type, "Bearer");
      assert.equal(r.body.expires_in, 120);
      assert.equal(r.body.refresh_expires_in, 600);
      assert.equal(r.body["not-before-policy"], 0);
      assert.equal(r.body.scope, "profile email");
      assert.notEqual(r.body.access_token, r.body.refresh_token);
      const q = await post(emu.url, "/v1/api/users/query", {}, r.body.access_token);
      assert.equal(q.status, 200, "the access token opens the API");
    });

    it("accepts an invited user's email as username, case-insensitively", async () => {
      emu.addUser({ email: "kim@example.com", password: "Kim-Pass-1" });
      const r = await tokenRequest(emu.url, {
        client_id: "sdk-client",
        grant_type: "password",
        username: "KIM@example.com",
        password: "Kim-Pass-1",
      });
      assert.equal(r.status, 200);
    });

    it("answers 401 invalid_grant for a wrong password, an unknown user or a disabled user", async () => {
      emu.addUser({ email: "off@example.com", password: "Off-Pass-1", enabled: false });
      for (const [username, password] of [
        ["admin", "wrong"],
        ["nobody", "x"],
        ["off@example.com", "Off-Pass-1"],
        ["admin", ""],
      ]) {
        const r = await tokenRequest(emu.url, { client_id: "sdk-client", grant_type: "password", username, password });
        assert.equal(r.status, 401, username);
        assert.deepEqual(r.body, { error: "invalid_grant", error_description: "Invalid user credentials" });
      }
    });

    it("answers 401 unauthorized_client for another client id or none", async () => {
      const forms: Record<string, string>[] = [{ client_id: "other" }, {}];
      for (const form of forms) {
        const r = await tokenRequest(emu.url, {
          ...form,
          grant_type: "password",
          username: "admin",
          password: ADMIN_PASSWORD,
        });
        assert.equal(r.status, 401);
        assert.equal(r.body.error, "unauthorized_client");
      }
    });

    it("answers 400 for a missing or unsupported grant type, and for a JSON body", async () => {
      const missing = await tokenRequest(emu.url, { client_id: "sdk-client" });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error, "invalid_request");
      const other = await tokenRequest(emu.url, { client_id: "sdk-client", grant_type: "client_credentials" });
      assert.equal(other.status, 400);
      assert.equal(other.body.error, "unsupported_grant_type");
      const asJson = await post(emu.url, TOKEN_PATH, { client_id: "sdk-client", grant_type: "password" });
      assert.equal(asJson.status, 400);
      assert.equal(asJson.body.error, "invalid_request");
    });

    it("exchanges a refresh token for a new working pair in the same session", async () => {
      const first = await tokenRequest(emu.url, {
        client_id: "sdk-client",
        grant_type: "password",
        username: "admin",
        password: ADMIN_PASSWORD,
      });
      const r = await tokenRequest(emu.url, {
        client_id: "sdk-client",
        grant_type: "refresh_token",
        refresh_token: first.body.refresh_token,
      });
      assert.equal(r.status, 200);
      assert.notEqual(r.body.access_token, first.body.access_token);
      assert.equal(r.body.session_state, first.body.session_state);
      assert.equal((await post(emu.url, "/v1/api/users/query", {}, r.body.access_token)).status, 200);
    });

    it("answers 400 invalid_grant 'Token is not active' for an unknown refresh token", async () => {
      const r = await tokenRequest(emu.url, {
        client_id: "sdk-client",
        grant_type: "refresh_token",
        refresh_token: "made-up",
      });
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, { error: "invalid_grant", error_description: "Token is not active" });
    });

    it("counts issued tokens in stats", async () => {
      emu.resetStats();
      await login(emu.url);
      emu.issueToken();
      assert.equal(emu.stats().tokensIssued, 2);
    });
  });

  describe("bearer tokens on the user API", () => {
    it("answers 401 with WWW-Authenticate: Bearer without a token, with a bad one, or with another scheme", async () => {
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
      const cases: Record<string, string>[] = [
        {},
        { authorization: "Bearer not-a-token" },
        { authorization: `Basic ${Buffer.from("admin:x").toString("base64")}` },
      ];
      for (const headers of cases) {
        const r = await send(emu.url, "POST", "/v1/api/users/query", "{}", {
          "content-type": "application/json",
          ...headers,
        });
        assert.equal(r.status, 401, JSON.stringify(headers));
        assert.equal(r.headers["www-authenticate"], "Bearer");
        assert.equal(r.body.code, 401);
        assert.equal(typeof r.body.msg, "string");
      }
      assert.equal((await post(emu.url, "/v1/api/users/invite", { email: "x@example.com" })).status, 401);
      assert.equal(emu.users().length, 1, "an unauthenticated invite creates nobody");
    });

    it("answers 401 once the access token has expired, and the refresh token still works", async () => {
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, tokenTtlSeconds: 1, refreshTtlSeconds: 30 });
      const t = await tokenRequest(emu.url, {
        client_id: "sdk-client",
        grant_type: "password",
        username: "admin",
        password: ADMIN_PASSWORD,
      });
      assert.equal((await post(emu.url, "/v1/api/users/query", {}, t.body.access_token)).status, 200);
      await sleep(1100);
      const expired = await post(emu.url, "/v1/api/users/query", {}, t.body.access_token);
      assert.equal(expired.status, 401);
      assert.match(expired.body.msg, /expired/);
      const r = await tokenRequest(emu.url, {
        client_id: "sdk-client",
        grant_type: "refresh_token",
        refresh_token: t.body.refresh_token,
      });
      assert.equal(r.status, 200);
    });

    it("refuses an expired refresh token with 400 invalid_grant", async () => {
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, tokenTtlSeconds: 1, refreshTtlSeconds: 1 });
      const t = await tokenRequest(emu.url, {
        client_id: "sdk-client",
        grant_type: "password",
        username: "admin",
        password: ADMIN_PASSWORD,
      });
      await sleep(1100);
      const r = await tokenRequest(emu.url, {
        client_id: "sdk-client",
        grant_type: "refresh_token",
        refresh_token: t.body.refresh_token,
      });
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, { error: "invalid_grant", error_description: "Token is not active" });
    });

    it("accepts static tokens, which never expire, and tokens from issueToken()", async () => {
      emu = await startEmulator({
        adminPassword: ADMIN_PASSWORD,
        tokenTtlSeconds: 1,
        staticTokens: ["static-token-1"],
      });
      assert.equal((await post(emu.url, "/v1/api/users/query", {}, "static-token-1")).status, 200);
      assert.equal((await post(emu.url, "/v1/api/users/query", {}, emu.issueToken())).status, 200);
      await sleep(1100);
      assert.equal((await post(emu.url, "/v1/api/users/query", {}, "static-token-1")).status, 200);
    });

    it("refuses a revoked token, and every token of its session, while others stay valid", async () => {
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
      const revoked = emu.issueToken();
      const other = emu.issueToken();
      assert.equal(emu.revokeToken(revoked), true);
      const r = await post(emu.url, "/v1/api/users/query", {}, revoked);
      assert.equal(r.status, 401);
      assert.equal((await post(emu.url, "/v1/api/users/query", {}, other)).status, 200);
      assert.equal(emu.revokeToken(revoked), false);
    });

    it("forgets tokens on restart", async () => {
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
      const token = await login(emu.url);
      await emu.close();
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
      assert.equal((await post(emu.url, "/v1/api/users/query", {}, token)).status, 401);
    });

    it("never writes a token or password to the request log", async () => {
      const lines: string[] = [];
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, log: (l) => lines.push(l) });
      const token = await login(emu.url);
      await post(emu.url, "/v1/api/users/invite", { email: "logged@example.com", password: "Secret-Pass-9" }, token);
      const all = lines.join("\n");
      assert.match(all, /POST \/v1\/api\/users\/invite 200/);
      for (const secret of [token, ADMIN_PASSWORD, "Secret-Pass-9"])
        assert.ok(!all.includes(secret), "a secret reached the log");
    });
  });
});
