import { strict as assert } from "node:assert";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_PASSWORD, api, post, send } from "./helpers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("emulator user API", () => {
  let emu: RunningEmulator;
  let call: ReturnType<typeof api>;

  beforeEach(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    call = api(emu);
  });
  afterEach(() => emu.close());

  describe("POST /v1/api/users/query", () => {
    it("answers every user keyed by Keycloak id for {}, admin included without an email", async () => {
      const invited = await call("invite", { email: "pat@example.com", password: "Pat-Pass-1" });
      const r = await call("query", {});
      assert.equal(r.status, 200);
      assert.equal(r.headers["content-type"], "application/json");
      const users = r.body.users;
      assert.deepEqual(Object.keys(users).length, 2);
      const admin = Object.values(users).find((u: any) => u.username === "admin") as any;
      assert.ok(admin, "admin is listed");
      assert.equal("email" in admin, false, "admin has no email");
      assert.match(admin.id, UUID);
      assert.equal(users[admin.id], admin, "keyed by its own id");
      const pat = users[invited.body.id];
      assert.deepEqual(pat, {
        access: { manageGroupMembership: true, view: true, mapRoles: true, impersonate: false, manage: true },
        createdTimestamp: pat.createdTimestamp,
        disableableCredentialTypes: [],
        email: "pat@example.com",
        emailVerified: false,
        enabled: true,
        id: invited.body.id,
        notBefore: 0,
        requiredActions: [],
        username: "pat@example.com",
      });
      assert.ok(
        Number.isInteger(pat.createdTimestamp) && Math.abs(pat.createdTimestamp - Date.now()) < 60_000,
        "createdTimestamp is ms since epoch",
      );
    });

    it("answers only the users named in user_ids, omitting unknown ids", async () => {
      const a = (await call("invite", { email: "a@example.com" })).body.id;
      await call("invite", { email: "b@example.com" });
      const r = await call("query", { user_ids: [a, "00000000-0000-0000-0000-000000000000"] });
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body.users), [a]);
      assert.equal(r.body.users[a].email, "a@example.com");
    });

    it("answers an empty map for an empty user_ids list", async () => {
      const r = await call("query", { user_ids: [] });
      assert.deepEqual(r.body, { users: {} });
    });

    it("answers 404 naming an unknown id when unknownIdsError is set", async () => {
      await emu.close();
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, unknownIdsError: true });
      call = api(emu);
      const r = await call("query", { user_ids: ["11111111-1111-1111-1111-111111111111"] });
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, { msg: "User not found: 11111111-1111-1111-1111-111111111111", code: 404 });
    });

    it("answers 400 when user_ids is not an array of strings", async () => {
      for (const user_ids of ["abc", [1, 2], { id: "x" }, null]) {
        const r = await call("query", { user_ids });
        assert.equal(r.status, 400, JSON.stringify(user_ids));
        assert.equal(r.body.code, 400);
        assert.match(r.body.msg, /user_ids/);
      }
    });
  });

  describe("POST /v1/api/users/invite", () => {
    it("creates an enabled user with the given password and answers its id and password", async () => {
      const r = await call("invite", { email: "Given@Example.com", password: "Given-Pass-1" });
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body).sort(), ["id", "password"]);
      assert.match(r.body.id, UUID);
      assert.equal(r.body.password, "Given-Pass-1");
      const stored = emu.users().find((u) => u.id === r.body.id);
      assert.equal(stored?.email, "given@example.com", "stored lower-cased, as Keycloak does");
      assert.equal(stored?.username, "given@example.com");
      assert.equal(stored?.enabled, true);
      assert.deepEqual(stored?.requiredActions, []);
    });

    it("generates a temporary password, marked UPDATE_PASSWORD, when none is given", async () => {
      const r = await call("invite", { email: "temp@example.com" });
      assert.equal(r.status, 200);
      assert.equal(typeof r.body.password, "string");
      assert.ok(r.body.password.length >= 12);
      const stored = emu.users().find((u) => u.id === r.body.id);
      assert.deepEqual(stored?.requiredActions, ["UPDATE_PASSWORD"]);
    });

    it("lets the invited user log in with the answered password", async () => {
      const r = await call("invite", { email: "login@example.com" });
      const t = await post(
        emu.url,
        "/auth/realms/master/protocol/openid-connect/token",
        new URLSearchParams({
          client_id: "sdk-client",
          grant_type: "password",
          username: "LOGIN@example.com",
          password: r.body.password,
        }).toString(),
        undefined,
        { "content-type": "application/x-www-form-urlencoded" },
      );
      assert.equal(t.status, 200);
    });

    it("answers 409 for an email that exists, compared case-insensitively, and creates nobody", async () => {
      await call("invite", { email: "dup@example.com" });
      const r = await call("invite", { email: "DUP@Example.COM" });
      assert.equal(r.status, 409);
      assert.deepEqual(r.body, { msg: "User exists with same email: dup@example.com", code: 409 });
      assert.equal(emu.users().filter((u) => u.email === "dup@example.com").length, 1);
    });

    it("answers 400 naming the problem for a missing, mistyped or malformed email", async () => {
      const cases: [unknown, RegExp][] = [
        [{}, /Missing required field: email/],
        [{ email: 42 }, /email must be a string/],
        [{ email: ["a@b.c"] }, /email must be a string/],
        [{ email: "not-an-email" }, /Invalid email/],
        [{ email: "a@b.c", password: 7 }, /password/],
        [{ email: "a@b.c", password: "" }, /password/],
      ];
      for (const [body, msg] of cases) {
        const r = await call("invite", body);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(r.body.code, 400);
        assert.match(r.body.msg, msg);
      }
      assert.equal(emu.users().length, 1, "nothing was created");
    });
  });

  describe("POST /v1/api/users/deactivate and /activate", () => {
    it("disables and re-enables a user by email, answering {}", async () => {
      const { id } = (await call("invite", { email: "flip@example.com" })).body;
      const off = await call("deactivate", { email: "FLIP@example.com" });
      assert.equal(off.status, 200);
      assert.deepEqual(off.body, {});
      assert.equal((await call("query", { user_ids: [id] })).body.users[id].enabled, false);
      const on = await call("activate", { email: "flip@example.com" });
      assert.equal(on.status, 200);
      assert.deepEqual(on.body, {});
      assert.equal((await call("query", { user_ids: [id] })).body.users[id].enabled, true);
    });

    it("is idempotent: activating an active user or deactivating an inactive one answers {}", async () => {
      await call("invite", { email: "same@example.com" });
      assert.deepEqual((await call("activate", { email: "same@example.com" })).body, {});
      await call("deactivate", { email: "same@example.com" });
      const again = await call("deactivate", { email: "same@example.com" });
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, {});
      assert.equal(emu.users().find((u) => u.email === "same@example.com")?.enabled, false);
    });

    it("answers 404 naming an unknown email", async () => {
      for (const op of ["activate", "deactivate"] as const) {
        const r = await call(op, { email: "ghost@example.com" });
        assert.equal(r.status, 404);
        assert.deepEqual(r.body, { msg: "User not found: ghost@example.com", code: 404 });
      }
    });

    it("answers 400 for a missing email", async () => {
      const r = await call("deactivate", { mail: "x@example.com" });
      assert.equal(r.status, 400);
      assert.match(r.body.msg, /email/);
    });
  });

  describe("addUser() (seeding without HTTP)", () => {
    it("adds a Keycloak-shaped user the API then lists, and refuses a duplicate email", async () => {
      const u = emu.addUser({ email: "Seed@Example.com", firstName: "Sea", lastName: "Dee", enabled: false });
      assert.equal(u.email, "seed@example.com");
      const listed = (await call("query", { user_ids: [u.id] })).body.users[u.id];
      assert.deepEqual(listed, u);
      assert.equal(listed.firstName, "Sea");
      assert.equal(listed.enabled, false);
      assert.throws(() => emu.addUser({ email: "SEED@example.com" }), /exists with same email/);
      assert.throws(() => emu.addUser({ firstName: "Nameless" }), /email or a username/);
    });
  });

  describe("bad requests", () => {
    it("answer 4xx with {msg, code} and never take the server down", async () => {
      const token = emu.issueToken();
      const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const cases: [string, string, string | undefined, number, RegExp][] = [
        ["POST", "/v1/api/users/invite", "{not json", 400, /Malformed JSON/],
        ["POST", "/v1/api/users/invite", "[1,2]", 400, /JSON object/],
        ["POST", "/v1/api/users/invite", '"str"', 400, /JSON object/],
        ["POST", "/v1/api/users/invite", "null", 400, /JSON object/],
        ["POST", "/v1/api/users/query", "", 400, /body is required/],
        ["POST", "/v1/api/users/nope", "{}", 404, /No such endpoint/],
        ["POST", "/v1/api/workspaces/nope", "{}", 404, /No such endpoint/],
        ["GET", "/v1/api/users/query", undefined, 405, /not allowed/],
        ["GET", "/auth/realms/master/protocol/openid-connect/token", undefined, 405, /not allowed/],
        ["GET", "/__emulator/nope", undefined, 404, /Unknown control endpoint/],
        ["GET", "/__emulator/constructor", undefined, 404, /Unknown control endpoint/],
      ];
      for (const [method, path, body, status, msg] of cases) {
        const r = await send(emu.url, method as "GET", path, body, auth);
        assert.equal(r.status, status, `${method} ${path} ${body}`);
        assert.equal(r.body.code, status);
        assert.match(r.body.msg, msg);
      }
      const big = await send(
        emu.url,
        "POST",
        "/v1/api/users/invite",
        JSON.stringify({ email: "a@b.c", pad: "x".repeat(1_100_000) }),
        auth,
      );
      assert.equal(big.status, 413);
      const still = await api(emu)("query", {});
      assert.equal(still.status, 200, "the server still answers");
    });

    it("answers 405 with an Allow header for the wrong method", async () => {
      const r = await send(emu.url, "PUT", "/v1/api/users/invite", "{}");
      assert.equal(r.status, 405);
      assert.equal(r.headers.allow, "POST");
    });
  });
});
