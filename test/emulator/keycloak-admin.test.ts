/**
 * The emulator's Keycloak admin user endpoints (Enterprise), over real HTTP: what each answers,
 * on the same store, faults and stats as the MLOps API.
 */
import { strict as assert } from "node:assert";
import { RunningEmulator, startEmulator } from "../../emulator";
import { validateFaultRule } from "../../emulator/faults";
import { ADMIN_PASSWORD, api, createdId, keycloak, KEYCLOAK_USERS, login, post, send } from "./helpers";

const json = { "content-type": "application/json" };

describe("emulator: Keycloak admin user endpoints (Enterprise)", () => {
  let emu: RunningEmulator;
  let kc: ReturnType<typeof keycloak>;

  beforeEach(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise" });
    kc = keycloak(emu);
  });
  afterEach(() => emu.close());

  const stored = (id: string) => emu.users().find((u) => u.id === id);
  const activeUsers = async () => (await send(emu.url, "GET", "/__emulator/licence")).body.activeUsers as number;

  let accounts = 0;
  /** Seeds an account with a password and these `master-realm` roles, and logs it in. */
  async function accountWith(roles: string[]): Promise<ReturnType<typeof keycloak>> {
    const username = `operator-${++accounts}`;
    emu.addUser({ username, password: "Operator-Pw-1", roles });
    return keycloak(emu, await login(emu.url, username, "Operator-Pw-1"));
  }

  describe("POST /users", () => {
    it("answers 201 with an empty body and Location <base>/users/<id>, storing username and email lower-cased", async () => {
      const r = await kc("POST", "", { username: "Ann@Example.COM", email: "Ann@Example.COM", enabled: true });
      assert.equal(r.status, 201);
      assert.equal(r.text, "");
      assert.equal(r.headers["content-type"], undefined, "no body, no content type");
      const id = createdId(r);
      assert.equal(r.headers.location, `${emu.url}${KEYCLOAK_USERS}/${id}`);
      const u = stored(id);
      assert.equal(u?.username, "ann@example.com");
      assert.equal(u?.email, "ann@example.com");
      assert.equal(u?.enabled, true);
    });

    it("creates the user disabled unless `enabled` is given, and a disabled user takes no seat", async () => {
      const before = await activeUsers();
      const quiet = createdId(await kc("POST", "", { username: "quiet@example.com", email: "quiet@example.com" }));
      const off = createdId(
        await kc("POST", "", { username: "off@example.com", email: "off@example.com", enabled: false }),
      );
      assert.equal(stored(quiet)?.enabled, false);
      assert.equal(stored(off)?.enabled, false);
      assert.equal(await activeUsers(), before);
      createdId(await kc("POST", "", { username: "on@example.com", email: "on@example.com", enabled: true }));
      assert.equal(await activeUsers(), before + 1);
    });

    it("keeps firstName and lastName", async () => {
      const id = createdId(
        await kc("POST", "", { username: "n@example.com", email: "n@example.com", firstName: "Ann", lastName: "Lee" }),
      );
      assert.equal(stored(id)?.firstName, "Ann");
      assert.equal(stored(id)?.lastName, "Lee");
    });

    it("marks a temporary password UPDATE_PASSWORD, and the password logs in", async () => {
      const id = createdId(
        await kc("POST", "", {
          username: "t@example.com",
          email: "t@example.com",
          enabled: true,
          credentials: [{ type: "password", value: "Temp-Pass-1", temporary: true }],
        }),
      );
      assert.deepEqual(stored(id)?.requiredActions, ["UPDATE_PASSWORD"]);
      assert.ok(await login(emu.url, "t@example.com", "Temp-Pass-1"));
    });

    it("sets no required action for a password that is not temporary, and keeps those asked for", async () => {
      const plain = createdId(
        await kc("POST", "", {
          username: "p@example.com",
          enabled: true,
          credentials: [{ type: "password", value: "Plain-Pass-1", temporary: false }],
        }),
      );
      assert.deepEqual(stored(plain)?.requiredActions, []);
      const asked = createdId(
        await kc("POST", "", {
          username: "v@example.com",
          requiredActions: ["VERIFY_EMAIL", "UPDATE_PASSWORD"],
          credentials: [{ type: "password", value: "Temp-Pass-2", temporary: true }],
        }),
      );
      assert.deepEqual(stored(asked)?.requiredActions, ["VERIFY_EMAIL", "UPDATE_PASSWORD"], "no duplicate");
    });

    it("answers 409 for a taken username before it looks at the email, then for a taken email", async () => {
      createdId(await kc("POST", "", { username: "a@example.com", email: "a@example.com" }));
      createdId(await kc("POST", "", { username: "b@example.com", email: "b@example.com" }));
      const both = await kc("POST", "", { username: "A@example.com", email: "b@example.com" });
      assert.equal(both.status, 409);
      assert.deepEqual(both.body, { errorMessage: "User exists with same username" });
      const email = await kc("POST", "", { username: "c@example.com", email: "B@EXAMPLE.com" });
      assert.equal(email.status, 409);
      assert.deepEqual(email.body, { errorMessage: "User exists with same email" });
      assert.equal(emu.users().length, 3, "admin, a and b only");
    });

    it("answers 400 with errorMessage for a missing username or a malformed email, and 400 for a body that is not JSON", async () => {
      const noName = await kc("POST", "", { email: "x@example.com" });
      assert.equal(noName.status, 400);
      assert.deepEqual(noName.body, { errorMessage: "User name is missing" });
      const badEmail = await kc("POST", "", { username: "x", email: "not an email" });
      assert.equal(badEmail.status, 400);
      assert.equal(badEmail.body.errorMessage, "invalidEmailMessage");
      assert.equal(badEmail.body.field, "email");
      const notJson = await kc("POST", "", "{nope");
      assert.equal(notJson.status, 400);
      assert.equal(typeof notJson.body.error, "string");
      const emptyPassword = await kc("POST", "", { username: "y", credentials: [{ type: "password", value: "" }] });
      assert.equal(emptyPassword.status, 400);
      assert.equal(emu.users().length, 1, "nothing was created");
    });

    it("answers 403 to an account without manage-users, and creates nothing", async () => {
      const viewer = await accountWith(["view-users", "query-users"]);
      const r = await viewer("POST", "", { username: "z@example.com", email: "z@example.com" });
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, { error: "HTTP 403 Forbidden" });
      assert.ok(!emu.users().some((u) => u.email === "z@example.com"));
      assert.equal((await viewer("GET", "?max=5")).status, 200, "the same account may read");
    });

    it("answers 401 without a live token", async () => {
      const r = await send(emu.url, "POST", KEYCLOAK_USERS, JSON.stringify({ username: "q" }), json);
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { error: "HTTP 401 Unauthorized" });
      assert.match(String(r.headers["www-authenticate"]), /^Bearer/);
    });
  });

  describe("GET /users/{id}", () => {
    it("answers the UserRepresentation, and 404 {error: 'User not found'} for an unknown id", async () => {
      const id = createdId(await kc("POST", "", { username: "g@example.com", email: "g@example.com", enabled: true }));
      const r = await kc("GET", `/${id}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.id, id);
      assert.equal(r.body.email, "g@example.com");
      assert.equal(typeof r.body.createdTimestamp, "number");
      const gone = await kc("GET", "/00000000-0000-0000-0000-000000000000");
      assert.equal(gone.status, 404);
      assert.deepEqual(gone.body, { error: "User not found" });
    });

    it("answers 403, not 404, for an unknown id to an account that may not query users (no id phishing)", async () => {
      const nobody = await accountWith([]);
      assert.equal((await nobody("GET", "/00000000-0000-0000-0000-000000000000")).status, 403);
      assert.equal((await nobody("GET", `/${emu.users()[0]!.id}`)).status, 403);
    });

    it("shows a federated user's federationLink", async () => {
      const seeded = await send(
        emu.url,
        "POST",
        "/__emulator/users",
        JSON.stringify({ email: "ldap@example.com", federationLink: "ldap-provider-1" }),
        json,
      );
      assert.equal(seeded.status, 200);
      const r = await kc("GET", `/${seeded.body.user.id}`);
      assert.equal(r.body.federationLink, "ldap-provider-1");
      const q = await api(emu)("query", { user_ids: [seeded.body.user.id] });
      assert.equal(q.body.users[seeded.body.user.id].federationLink, "ldap-provider-1", "the MLOps API shows it too");
    });
  });

  describe("GET /users and /users/count", () => {
    beforeEach(() => {
      emu.addUser({ email: "ann.lee@example.com", firstName: "Ann", lastName: "Lee" });
      emu.addUser({ email: "bob@example.com", firstName: "Bob", enabled: false });
      emu.addUser({ email: "annette@other.org" });
    });
    const emails = (r: { body: { email?: string }[] }) => r.body.map((u) => u.email);

    it("answers a JSON array in username order", async () => {
      const r = await kc("GET");
      assert.equal(r.status, 200);
      assert.ok(Array.isArray(r.body));
      assert.deepEqual(
        r.body.map((u: { username: string }) => u.username),
        ["admin", "ann.lee@example.com", "annette@other.org", "bob@example.com"],
      );
    });

    it("matches email and username exactly with exact=true, as a substring without it, case-insensitively", async () => {
      assert.deepEqual(emails(await kc("GET", "?email=ANN.LEE@example.com&exact=true")), ["ann.lee@example.com"]);
      assert.deepEqual(emails(await kc("GET", "?email=ann.lee@example&exact=true")), []);
      assert.deepEqual(emails(await kc("GET", "?email=ANN")), ["ann.lee@example.com", "annette@other.org"]);
      assert.deepEqual(emails(await kc("GET", "?username=bob@example.com&exact=true")), ["bob@example.com"]);
      assert.deepEqual(emails(await kc("GET", "?email=example.com&firstName=bob")), ["bob@example.com"], "AND");
      assert.deepEqual(emails(await kc("GET", "?email=example.com&enabled=false")), ["bob@example.com"]);
    });

    it("searches username, email and names: a prefix by default, * as a wildcard, quotes for exact", async () => {
      assert.deepEqual(emails(await kc("GET", "?search=ann")), ["ann.lee@example.com", "annette@other.org"]);
      assert.deepEqual(emails(await kc("GET", "?search=lee")), ["ann.lee@example.com"], "the last name's prefix");
      assert.deepEqual(emails(await kc("GET", "?search=other")), [], "not a prefix of anything");
      assert.deepEqual(emails(await kc("GET", "?search=*other*")), ["annette@other.org"]);
      assert.deepEqual(emails(await kc("GET", `?search=${encodeURIComponent('"bob"')}`)), ["bob@example.com"]);
      assert.deepEqual(emails(await kc("GET", `?search=${encodeURIComponent('"bo"')}`)), []);
      assert.deepEqual(
        emails(await kc("GET", "?search=ann&email=bob")),
        emails(await kc("GET", "?search=ann")),
        "search wins",
      );
    });

    it("answers at most 100 without max, and pages with first and max (max=-1: no limit)", async () => {
      for (let i = 0; i < 120; i++) emu.addUser({ email: `u${String(i).padStart(3, "0")}@bulk.example.com` });
      assert.equal((await kc("GET")).body.length, 100);
      const page = await kc("GET", "?search=u&first=10&max=5");
      assert.deepEqual(
        emails(page),
        [10, 11, 12, 13, 14].map((i) => `u0${i}@bulk.example.com`),
      );
      assert.equal((await kc("GET", "?max=-1")).body.length, 124);
      assert.equal((await kc("GET", "?first=120&max=100")).body.length, 4);
      assert.equal((await kc("GET", "?max=ten")).status, 400);
      const count = await kc("GET", "/count");
      assert.equal(count.status, 200);
      assert.equal(count.body, 124, "a bare number, not paged");
    });

    it("counts with the same filters, substring ones (Keycloak's count takes no exact)", async () => {
      assert.equal((await kc("GET", "/count?email=ann")).body, 2);
      assert.equal((await kc("GET", "/count?search=*example.com")).body, 2);
      assert.equal((await kc("GET", "/count?enabled=true")).body, 3);
    });

    it("shows no one to an account that may query but not view users", async () => {
      const querier = await accountWith(["query-users"]);
      assert.deepEqual((await querier("GET")).body, []);
      assert.equal((await querier("GET", "/count")).body, 0);
      const nobody = await accountWith([]);
      assert.equal((await nobody("GET")).status, 403);
      assert.equal((await nobody("GET", "/count")).status, 403);
    });
  });

  describe("PUT /users/{id}", () => {
    let id: string;
    beforeEach(async () => {
      id = createdId(
        await kc("POST", "", { username: "e@example.com", email: "e@example.com", enabled: true, firstName: "Eve" }),
      );
    });

    it("changes what the partial representation names and nothing else: 204, no body", async () => {
      const r = await kc("PUT", `/${id}`, { enabled: false, lastName: "Ng" });
      assert.equal(r.status, 204);
      assert.equal(r.text, "");
      const u = stored(id);
      assert.equal(u?.enabled, false);
      assert.equal(u?.firstName, "Eve", "untouched");
      assert.equal(u?.lastName, "Ng");
      assert.equal(u?.email, "e@example.com");
      assert.equal((await kc("PUT", `/${id}`, { firstName: "" })).status, 204);
      assert.equal(stored(id)?.firstName, undefined, "an empty name clears it");
    });

    it("frees a seat when it disables and takes one when it enables", async () => {
      const before = await activeUsers();
      await kc("PUT", `/${id}`, { enabled: false });
      assert.equal(await activeUsers(), before - 1);
      await kc("PUT", `/${id}`, { enabled: true });
      assert.equal(await activeUsers(), before);
    });

    it("answers 409 when the new email is taken, 404 for an unknown id, 403 without manage-users", async () => {
      createdId(await kc("POST", "", { username: "f@example.com", email: "f@example.com" }));
      const taken = await kc("PUT", `/${id}`, { email: "F@example.com" });
      assert.equal(taken.status, 409);
      assert.deepEqual(taken.body, { errorMessage: "User exists with same email" });
      assert.equal(stored(id)?.email, "e@example.com");
      const unknown = await kc("PUT", "/00000000-0000-0000-0000-000000000000", { enabled: false });
      assert.equal(unknown.status, 404);
      assert.deepEqual(unknown.body, { error: "User not found" });
      const viewer = await accountWith(["view-users"]);
      assert.equal((await viewer("PUT", `/${id}`, { enabled: false })).status, 403);
      assert.equal(stored(id)?.enabled, true);
    });
  });

  describe("PUT /users/{id}/reset-password", () => {
    it("sets the password (204); temporary adds UPDATE_PASSWORD, a permanent one removes it", async () => {
      const id = createdId(await kc("POST", "", { username: "r@example.com", enabled: true }));
      const temp = await kc("PUT", `/${id}/reset-password`, { type: "password", value: "Reset-Pw-1", temporary: true });
      assert.equal(temp.status, 204);
      assert.deepEqual(stored(id)?.requiredActions, ["UPDATE_PASSWORD"]);
      assert.ok(await login(emu.url, "r@example.com", "Reset-Pw-1"));
      await kc("PUT", `/${id}/reset-password`, { type: "password", value: "Reset-Pw-2", temporary: false });
      assert.deepEqual(stored(id)?.requiredActions, []);
      assert.ok(await login(emu.url, "r@example.com", "Reset-Pw-2"));
      const none = await kc("PUT", `/${id}/reset-password`, { type: "password" });
      assert.equal(none.status, 400);
      assert.deepEqual(none.body, { error: "No password provided" });
    });
  });

  describe("one store with the MLOps API", () => {
    it("lists a user created here in /v1/api/users/query, and answers here for a user invited there", async () => {
      const id = createdId(await kc("POST", "", { username: "k@example.com", email: "k@example.com", enabled: true }));
      const call = api(emu);
      assert.equal((await call("query", { user_ids: [id] })).body.users[id].email, "k@example.com");
      const invited = (await call("invite", { email: "inv@example.com" })).body.id as string;
      const r = await kc("GET", `/${invited}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.requiredActions, ["UPDATE_PASSWORD"], "the invite's generated password is temporary");
    });
  });

  describe("faults, stats and tokens", () => {
    it("performThenDrop on POST /users creates the user and drops the answer", async () => {
      emu.setFaults([{ endpoint: KEYCLOAK_USERS, method: "POST", performThenDrop: true, count: 1 }]);
      await assert.rejects(kc("POST", "", { username: "lost@example.com", email: "lost@example.com" }));
      assert.ok(
        emu.users().some((u) => u.email === "lost@example.com"),
        "performed",
      );
      const again = await kc("POST", "", { username: "lost@example.com", email: "lost@example.com" });
      assert.equal(again.status, 409, "a retry meets the user it created");
    });

    it("a 502 after performing: the user exists, the answer is the gateway's", async () => {
      emu.setFaults([{ endpoint: KEYCLOAK_USERS, method: "POST", performThenStatus: true, status: 502, count: 1 }]);
      const r = await kc("POST", "", { username: "gw@example.com", email: "gw@example.com" });
      assert.equal(r.status, 502);
      assert.ok(emu.users().some((u) => u.email === "gw@example.com"));
    });

    it("matches by method and by a user path's template: a GET rule leaves the PUT alone", async () => {
      const id = createdId(await kc("POST", "", { username: "m@example.com", enabled: true }));
      emu.setFaults([
        {
          endpoint: `${KEYCLOAK_USERS}/{id}`,
          method: "GET",
          status: 404,
          body: "<html>nope</html>",
          contentType: "text/html",
        },
      ]);
      assert.equal((await kc("PUT", `/${id}`, { enabled: false })).status, 204);
      const r = await kc("GET", `/${id}`);
      assert.equal(r.status, 404);
      assert.equal(r.text, "<html>nope</html>");
      assert.equal((await kc("GET")).status, 200, "the listing is another endpoint");
    });

    it("refuses a rule for a method the endpoint does not serve, or for a user's own path instead of its template", () => {
      assert.throws(
        () => validateFaultRule({ endpoint: `${KEYCLOAK_USERS}/count`, method: "POST", status: 500 }),
        /serves no "POST" \(it serves GET\)/,
      );
      assert.throws(
        () => validateFaultRule({ endpoint: `${KEYCLOAK_USERS}/abc`, status: 500 }),
        /by its template, "\/auth\/admin\/realms\/master\/users\/\{id\}"/,
      );
      assert.equal(validateFaultRule({ endpoint: KEYCLOAK_USERS, method: "post", status: 500 }).method, "POST");
    });

    it("counts calls per method and endpoint, a user's own paths under their template", async () => {
      emu.resetStats();
      const id = createdId(await kc("POST", "", { username: "s@example.com", enabled: true }));
      await kc("PUT", `/${id}`, { enabled: false });
      await kc("GET", `/${id}`);
      await kc("GET", "?email=s@example.com&exact=true");
      const s = emu.stats();
      assert.deepEqual(s.calls, {
        [`POST ${KEYCLOAK_USERS}`]: 1,
        [`PUT ${KEYCLOAK_USERS}/{id}`]: 1,
        [`GET ${KEYCLOAK_USERS}/{id}`]: 1,
        [`GET ${KEYCLOAK_USERS}`]: 1,
      });
      assert.equal(s.requests[`${KEYCLOAK_USERS}/{id}`], 2);
      assert.equal(s.requests["/v1/api/users/invite"], undefined);
    });

    it("issues tokens carrying resource_access['master-realm'].roles: admin's are the seeds'", async () => {
      const token = await login(emu.url, "admin", ADMIN_PASSWORD);
      const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
      assert.deepEqual(claims.resource_access["master-realm"].roles, [
        "manage-users",
        "view-users",
        "query-groups",
        "query-users",
      ]);
    });
  });

  describe("seeding through the control endpoint", () => {
    it("POST /__emulator/users seeds an account with roles, and names a misspelt field", async () => {
      const ok = await send(
        emu.url,
        "POST",
        "/__emulator/users",
        JSON.stringify({ username: "ops", password: "Ops-Pw-1", roles: ["view-users"] }),
        json,
      );
      assert.equal(ok.status, 200);
      const ops = keycloak(emu, await login(emu.url, "ops", "Ops-Pw-1"));
      assert.equal((await ops("GET")).status, 200);
      assert.equal((await ops("POST", "", { username: "nope" })).status, 403);
      const typo = await send(emu.url, "POST", "/__emulator/users", JSON.stringify({ emial: "x@example.com" }), json);
      assert.equal(typo.status, 400);
      assert.match(typo.body.msg, /unknown field "emial" \(did you mean "email"\?\)/);
      const dup = await send(emu.url, "POST", "/__emulator/users", JSON.stringify({ username: "ops" }), json);
      assert.equal(dup.status, 409);
    });
  });
});

describe("emulator on Community: no Keycloak admin endpoints", () => {
  let emu: RunningEmulator;
  beforeEach(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
  });
  afterEach(() => emu.close());

  it("answers 404 'No such endpoint' for them, and serves them once the edition becomes enterprise", async () => {
    const kc = keycloak(emu);
    const r = await kc("POST", "", { username: "c@example.com" });
    assert.equal(r.status, 404);
    assert.match(r.body.msg, /No such endpoint: POST \/auth\/admin\/realms\/master\/users/);
    assert.equal(emu.users().length, 1, "nothing created");
    emu.setEdition("enterprise");
    assert.equal((await kc("POST", "", { username: "c@example.com" })).status, 201);
  });

  it("keeps /v1/api/users/invite answering on both editions", async () => {
    const token = emu.issueToken();
    assert.equal((await post(emu.url, "/v1/api/users/invite", { email: "one@example.com" }, token)).status, 200);
    emu.setEdition("enterprise");
    assert.equal((await post(emu.url, "/v1/api/users/invite", { email: "two@example.com" }, token)).status, 200);
  });
});
