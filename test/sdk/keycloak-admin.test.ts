/**
 * The client's Keycloak admin calls (Wallaroo Enterprise), against the emulator over loopback: the id
 * from Location only, a lost answer recovered only after an unknown outcome, "gone" only from
 * Keycloak's exact 404, errors that name the endpoint, the user and the role, and never a password.
 */
import assert from "node:assert/strict";
import { RunningEmulator, startEmulator } from "../../emulator";
import {
  AlreadyExistsError,
  BadRequestError,
  InvalidResponseError,
  NetworkError,
  PermissionError,
  ServerError,
  UnexpectedResponseError,
  WallarooClient,
  WallarooError,
} from "../../sdk";
import { adminClients, allTextOf, rejection } from "../support/clients";
import { RawServer, reply, startRawServer } from "../support/rawServer";

const ADMIN_PASSWORD = "s3cret-admin-pw";
const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 200, maxElapsedMs: 5_000 };
const USERS = "/auth/admin/realms/master/users";
const USER = `${USERS}/{id}`;
const PASSWORD = "Initial-Pass-9876";
const HTML_404 = "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>nginx</body></html>";

describe("WallarooClient's Keycloak admin calls (Enterprise)", function () {
  let emu: RunningEmulator;
  let raw: RawServer | undefined;
  const { client, closeAll } = adminClients(() => emu.url, ADMIN_PASSWORD, {
    retry: FAST_RETRY,
    edition: "enterprise",
  });

  beforeEach(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise" });
  });
  afterEach(async () => {
    await closeAll();
    await raw?.close();
    raw = undefined;
    await emu.close();
  });

  const stored = (email: string) => emu.users().filter((u) => u.email === email);
  const calls = () => emu.stats().calls;
  const newUser = (email: string, more: Partial<Parameters<WallarooClient["createKeycloakUser"]>[0]> = {}) => ({
    email,
    enabled: true,
    password: PASSWORD,
    temporary: false,
    ...more,
  });

  /** A client logged in as an account seeded with these `master-realm` roles. */
  function clientWithRoles(roles: string[]): WallarooClient {
    emu.addUser({ username: "operator", password: "Operator-Pw-1", roles });
    return client({ username: "operator", password: "Operator-Pw-1" });
  }

  describe("createKeycloakUser", () => {
    it("creates an enabled user, username and email the email lower-cased, and returns the id of the Location", async () => {
      const c = client();
      const r = await c.createKeycloakUser(newUser("Ann@Example.com"));
      const [ann] = stored("ann@example.com");
      assert.equal(r.id, ann?.id);
      assert.equal(r.recovered, undefined);
      assert.equal(ann?.username, "ann@example.com");
      assert.equal(ann?.enabled, true);
      assert.deepEqual(ann?.requiredActions, []);
      assert.equal(calls()[`POST ${USERS}`], 1);
      assert.equal(emu.stats().requests["/v1/api/users/invite"], undefined, "never the invite");
    });

    it("creates a disabled user disabled, taking no seat", async () => {
      const before = (await client().listUsers()).filter((u) => u.enabled).length;
      const r = await client().createKeycloakUser(newUser("off@example.com", { enabled: false }));
      assert.equal(emu.users().find((u) => u.id === r.id)?.enabled, false);
      assert.equal((await client().listUsers()).filter((u) => u.enabled).length, before);
      assert.equal(emu.stats().requests["/v1/api/users/deactivate"], undefined, "no deactivate");
    });

    it("sets firstName and lastName when given", async () => {
      const r = await client().createKeycloakUser(newUser("n@example.com", { firstName: "Ann", lastName: "Lee" }));
      const u = await client().getKeycloakUser(r.id);
      assert.equal(u?.firstName, "Ann");
      assert.equal(u?.lastName, "Lee");
    });

    it("makes a temporary password one the user must change (UPDATE_PASSWORD), and the password logs in", async () => {
      const r = await client().createKeycloakUser(newUser("t@example.com", { temporary: true }));
      assert.deepEqual((await client().getKeycloakUser(r.id))?.requiredActions, ["UPDATE_PASSWORD"]);
      const asUser = client({ username: "t@example.com", password: PASSWORD });
      assert.ok(Array.isArray(await asUser.listUsers()), "the password was set");
    });

    it("fails with AlreadyExistsError naming the existing user's id when the email is taken", async () => {
      const theirs = emu.addUser({ email: "taken@example.com" });
      const e = await rejection(client().createKeycloakUser(newUser("TAKEN@example.com")));
      assert.ok(e instanceof AlreadyExistsError, e.message);
      assert.equal(e.existingUserId, theirs.id);
      assert.equal(e.email, "taken@example.com");
      assert.equal(e.status, 409);
      assert.equal(e.endpoint, `POST ${USERS}`);
      assert.match(e.message, /User exists with same username/, "what Keycloak said");
      assert.match(e.message, /Manage the existing user/);
      assert.equal(stored("taken@example.com").length, 1);
    });

    for (const [what, rule] of [
      ["401 (token renewal)", { endpoint: USERS, method: "POST", status: 401, count: 1 }],
      ["429 (rate limited)", { endpoint: USERS, method: "POST", status: 429, count: 1 }],
      ["503 (unavailable)", { endpoint: USERS, method: "POST", status: 503, count: 1 }],
    ] as const) {
      it(`does not take over someone else's new user after a first attempt answered ${what}`, async () => {
        const c = client();
        await c.listUsers(); // logged in before the race
        const theirs = emu.addUser({ email: "race@example.com" });
        emu.setFaults([rule]);
        const e = await rejection(c.createKeycloakUser(newUser("race@example.com")));
        assert.ok(e instanceof AlreadyExistsError, e.message);
        assert.equal(e.existingUserId, theirs.id);
      });
    }

    it("returns its own user, recovered, after an attempt performed whose answer was dropped: one user, not two", async () => {
      emu.setFaults([{ endpoint: USERS, method: "POST", performThenDrop: true, count: 1 }]);
      const r = await client().createKeycloakUser(newUser("lost@example.com"));
      assert.equal(r.recovered, true);
      assert.equal(r.id, stored("lost@example.com")[0]?.id);
      assert.equal(stored("lost@example.com").length, 1);
      assert.equal(calls()[`POST ${USERS}`], 2, "the retry met the user the first attempt made");
    });

    it("returns its own user, recovered, after a gateway's 502 that had forwarded it", async () => {
      emu.setFaults([{ endpoint: USERS, method: "POST", performThenStatus: true, status: 502, count: 1 }]);
      const r = await client().createKeycloakUser(newUser("gw@example.com", { enabled: false }));
      assert.equal(r.recovered, true);
      assert.equal(r.id, stored("gw@example.com")[0]?.id);
    });

    it("returns its own user, recovered, when every answer was a gateway's 502 after forwarding", async () => {
      emu.setFaults([{ endpoint: USERS, method: "POST", performThenStatus: true, status: 502 }]);
      const r = await client({ retry: { ...FAST_RETRY, maxAttempts: 2 } }).createKeycloakUser(
        newUser("all@example.com"),
      );
      assert.equal(r.recovered, true);
      assert.equal(stored("all@example.com").length, 1);
    });

    it("after a lost answer, does not take a user in another state than asked for (someone else's)", async () => {
      const theirs = emu.addUser({ email: "other@example.com", enabled: false });
      emu.setFaults([{ endpoint: USERS, method: "POST", performThenDrop: true, count: 1 }]);
      const e = await rejection(client().createKeycloakUser(newUser("other@example.com", { enabled: true })));
      assert.ok(e instanceof AlreadyExistsError, e.message);
      assert.equal(e.existingUserId, theirs.id);
    });

    it("fails with a network error naming the user and the endpoint when no attempt is answered and no user was made", async () => {
      emu.setFaults([{ endpoint: USERS, method: "POST", dropConnection: true }]);
      const e = await rejection(
        client({ retry: { ...FAST_RETRY, maxAttempts: 2 } }).createKeycloakUser(newUser("d@example.com")),
      );
      assert.ok(e instanceof NetworkError, e.message);
      assert.match(e.message, /^Cannot create Keycloak user 'd@example\.com': the connection/);
      assert.match(e.message, new RegExp(`POST ${USERS}`));
      assert.equal(stored("d@example.com").length, 0);
    });

    it("is a permission error naming the manage-users role of the master-realm client when the account lacks it, never the licence", async () => {
      const e = await rejection(clientWithRoles(["view-users"]).createKeycloakUser(newUser("p@example.com")));
      assert.ok(e instanceof PermissionError, e.message);
      assert.equal(e.code, "WALLAROO_PERMISSION");
      assert.equal(e.status, 403);
      assert.match(e.message, /^Cannot create Keycloak user 'p@example\.com'/);
      assert.match(e.message, new RegExp(`POST ${USERS}`));
      assert.match(e.message, /HTTP 403 Forbidden/, "what Keycloak said");
      assert.match(e.message, /The account 'operator' needs the manage-users role of the master-realm client/);
      assert.doesNotMatch(e.message, /licen[cs]e/i);
      assert.equal(stored("p@example.com").length, 0);
    });

    it("is a bad request carrying Keycloak's errorMessage for a 400", async () => {
      emu.setFaults([
        {
          endpoint: USERS,
          method: "POST",
          status: 400,
          body: JSON.stringify({ errorMessage: "Password policy not met" }),
        },
      ]);
      const e = await rejection(client().createKeycloakUser(newUser("b@example.com")));
      assert.ok(e instanceof BadRequestError, e.message);
      assert.match(e.message, /Cannot create Keycloak user 'b@example\.com'.*server said "Password policy not met"/);
      assert.match(e.message, /password policy/);
    });

    it("is a server error for a 500, naming the user and the endpoint", async () => {
      emu.setFaults([
        { endpoint: USERS, method: "POST", status: 500, body: JSON.stringify({ error: "unknown_error" }) },
      ]);
      const e = await rejection(client().createKeycloakUser(newUser("s@example.com")));
      assert.ok(e instanceof ServerError, e.message);
      assert.match(e.message, /^Cannot create Keycloak user 's@example\.com': Keycloak's admin API failed/);
      assert.match(e.message, /unknown_error/);
      assert.equal(e.endpoint, `POST ${USERS}`);
    });

    it("on an instance that does not serve Keycloak's admin API (a 404 page), says to check authUrl and the edition", async () => {
      emu.setEdition("community");
      const e = await rejection(client().createKeycloakUser(newUser("c@example.com")));
      assert.ok(e instanceof UnexpectedResponseError, e.message);
      assert.match(e.message, /Keycloak's address/);
      assert.match(e.message, /Wallaroo Enterprise \(the edition option\)/);
      assert.match(e.message, /Nothing was concluded/);
    });

    it("tells a refused login as it is to every call waiting for it, not once per call", async () => {
      const c = client({ password: "wrong-password" });
      const errors = await Promise.all(
        ["x1@example.com", "x2@example.com", "x3@example.com"].map((e) => rejection(c.createKeycloakUser(newUser(e)))),
      );
      for (const e of errors) {
        assert.equal(e.code, "WALLAROO_AUTHENTICATION");
        assert.match(e.message, /^Keycloak refused the login of 'admin'/);
      }
      assert.equal(c.tokenStats.login, 1, "one login shared by the three");
    });

    it("refuses an invalid email before sending anything", async () => {
      const e = await rejection(client().createKeycloakUser(newUser("not-an-email")));
      assert.ok(e instanceof BadRequestError);
      assert.match(e.message, /the email has no '@'/);
      assert.equal(calls()[`POST ${USERS}`], undefined);
    });

    describe("the id comes only from the Location header", () => {
      async function answering(status: number, headers: Record<string, string>): Promise<WallarooClient> {
        raw = await startRawServer((_req, res) => {
          res.writeHead(status, headers);
          res.end();
        });
        return client({ url: raw.url, token: "static-token-123", username: undefined, password: undefined });
      }

      it("takes a relative Location under the base it called", async () => {
        const c = await answering(201, { location: `${USERS}/abc-123` });
        assert.deepEqual(await c.createKeycloakUser(newUser("rel@example.com")), { id: "abc-123" });
      });

      for (const [what, location] of [
        ["missing", undefined],
        ["on another host", "http://keycloak.elsewhere.example/auth/admin/realms/master/users/abc"],
        ["in another realm", "/auth/admin/realms/other/users/abc"],
        ["below a user", `${USERS}/abc/extra`],
        ["with a query", `${USERS}/abc?x=1`],
        ["the base itself", `${USERS}/`],
      ] as const) {
        it(`is an invalid answer naming the endpoint when the Location is ${what}`, async () => {
          const c = await answering(201, location === undefined ? {} : { location });
          const e = await rejection(c.createKeycloakUser(newUser("loc@example.com")));
          assert.ok(e instanceof InvalidResponseError, e.message);
          assert.equal(e.endpoint, `POST ${USERS}`);
          assert.equal(e.field, "Location");
          assert.match(e.message, /loc@example\.com/);
          assert.match(e.message, /adopt it rather than creating it again/);
        });
      }

      it("is an invalid answer when the Location is missing from the emulator's 201 (a fault)", async () => {
        emu.setFaults([{ endpoint: USERS, method: "POST", status: 201, body: "" }]);
        const e = await rejection(client().createKeycloakUser(newUser("nl@example.com")));
        assert.ok(e instanceof InvalidResponseError, e.message);
        assert.match(e.message, /without a Location header/);
      });
    });
  });

  describe("updateKeycloakUser", () => {
    let id: string;
    beforeEach(async () => {
      id = (await client().createKeycloakUser(newUser("u@example.com", { firstName: "Una" }))).id;
      emu.resetStats();
    });

    it("changes enabled and names in place, by id and with no email lookup", async () => {
      assert.equal(await client().updateKeycloakUser(id, { enabled: false, lastName: "Ng" }), "updated");
      const u = emu.users().find((x) => x.id === id);
      assert.equal(u?.enabled, false);
      assert.equal(u?.firstName, "Una", "what the patch does not name stays");
      assert.equal(u?.lastName, "Ng");
      const c = calls();
      assert.deepEqual(
        Object.keys(c).filter((k) => !k.includes("openid-connect")),
        [`PUT ${USER}`],
        "one PUT, no lookup, no MLOps call",
      );
    });

    it("is 'gone' when Keycloak's own read then answers 404 {error: 'User not found'}", async () => {
      emu.removeUser(id);
      assert.equal(await client().updateKeycloakUser(id, { enabled: false }), "gone");
      assert.equal(calls()[`GET ${USER}`], 1, "confirmed by a read");
    });

    it("is 'gone' for the newer 404 that adds error_description", async () => {
      emu.setFaults([
        { endpoint: USER, method: "PUT", status: 404, body: JSON.stringify({ error: "User not found" }) },
        {
          endpoint: USER,
          method: "GET",
          status: 404,
          body: JSON.stringify({
            error: "User not found",
            error_description: "For more on this error consult the server log.",
          }),
        },
      ]);
      assert.equal(await client().updateKeycloakUser(id, { enabled: false }), "gone");
    });

    for (const [what, body, contentType] of [
      ["an HTML page", HTML_404, "text/html"],
      ["another JSON body", JSON.stringify({ error: "Not Found" }), "application/json"],
      [
        "Keycloak's words with more beside them",
        JSON.stringify({ error: "User not found", path: "/x" }),
        "application/json",
      ],
      ["an empty body", "", "application/json"],
    ] as const) {
      it(`concludes nothing from a 404 that is ${what}`, async () => {
        emu.setFaults([
          { endpoint: USER, method: "PUT", status: 404, body, contentType },
          { endpoint: USER, method: "GET", status: 404, body, contentType },
        ]);
        const e = await rejection(client().updateKeycloakUser(id, { enabled: false }));
        assert.ok(e instanceof UnexpectedResponseError, e.message);
        assert.match(e.message, new RegExp(`^Cannot read Keycloak user ${id}`));
        assert.match(e.message, /Nothing was concluded/);
        assert.doesNotMatch(e.message, /<html/i);
        assert.equal(emu.users().find((u) => u.id === id)?.enabled, true, "the user is as it was");
      });
    }

    it("is an error, not 'gone', when the PUT answers 404 but Keycloak shows the user", async () => {
      emu.setFaults([{ endpoint: USER, method: "PUT", status: 404, body: HTML_404, contentType: "text/html" }]);
      const e = await rejection(client().updateKeycloakUser(id, { enabled: false }));
      assert.ok(e instanceof UnexpectedResponseError, e.message);
      assert.match(e.message, /yet Keycloak shows the user/);
      assert.equal(e.endpoint, `PUT ${USER}`);
    });

    it("concludes nothing when the confirming read fails with a 500", async () => {
      emu.setFaults([
        { endpoint: USER, method: "PUT", status: 404, body: JSON.stringify({ error: "User not found" }) },
        { endpoint: USER, method: "GET", status: 500 },
      ]);
      const e = await rejection(client().updateKeycloakUser(id, { enabled: false }));
      assert.ok(e instanceof ServerError, e.message);
      assert.equal(e.endpoint, `GET ${USER}`);
    });

    it("is a permission error naming manage-users, and a server error for a 500, each naming the user", async () => {
      const p = await rejection(clientWithRoles(["view-users"]).updateKeycloakUser(id, { enabled: false }));
      assert.ok(p instanceof PermissionError, p.message);
      assert.match(p.message, new RegExp(`^Cannot update Keycloak user ${id}`));
      assert.match(p.message, /manage-users role of the master-realm client/);
      emu.setFaults([{ endpoint: USER, method: "PUT", status: 500 }]);
      const s = await rejection(client().updateKeycloakUser(id, { enabled: false }));
      assert.ok(s instanceof ServerError, s.message);
      assert.match(s.message, new RegExp(`Keycloak user ${id}`));
      assert.equal(emu.users().find((u) => u.id === id)?.enabled, true);
    });

    it("retries a 503 like every call, and then updates", async () => {
      emu.setFaults([{ endpoint: USER, method: "PUT", status: 503, count: 1 }]);
      assert.equal(await client().updateKeycloakUser(id, { enabled: false }), "updated");
      assert.equal(calls()[`PUT ${USER}`], 2);
    });
  });

  describe("getKeycloakUser", () => {
    it("reads a user by id, a federated one's federationLink included", async () => {
      const ldap = emu.addUser({ email: "ldap@example.com", federationLink: "ldap-1", firstName: "Lu" });
      const u = await client().getKeycloakUser(ldap.id);
      assert.equal(u?.email, "ldap@example.com");
      assert.equal(u?.federationLink, "ldap-1");
      assert.equal(u?.firstName, "Lu");
    });

    it("is null only on Keycloak's exact 404; an HTML 404 is an error", async () => {
      assert.equal(await client().getKeycloakUser("00000000-0000-0000-0000-000000000000"), null);
      emu.setFaults([{ endpoint: USER, method: "GET", status: 404, body: HTML_404, contentType: "text/html" }]);
      const e = await rejection(client().getKeycloakUser("00000000-0000-0000-0000-000000000000"));
      assert.ok(e instanceof UnexpectedResponseError, e.message);
      assert.match(e.message, /An HTML page answered/);
    });

    it("is an invalid answer when Keycloak answers with another user than the one named", async () => {
      const a = emu.addUser({ email: "a@example.com" });
      const b = emu.addUser({ email: "b@example.com" });
      const other = await client().getKeycloakUser(b.id);
      emu.setFaults([{ endpoint: USER, method: "GET", status: 200, body: JSON.stringify(other), count: 1 }]);
      const e = await rejection(client().getKeycloakUser(a.id));
      assert.ok(e instanceof InvalidResponseError, e.message);
      assert.equal(e.field, "id");
    });
  });

  describe("one session, transport and redaction with the MLOps API", () => {
    it("logs in once for both APIs", async () => {
      const c = client();
      await c.listUsers();
      const r = await c.createKeycloakUser(newUser("once@example.com"));
      await c.updateKeycloakUser(r.id, { enabled: false });
      assert.equal(c.tokenStats.login, 1);
    });

    it("never puts the password in any error's text, even when Keycloak echoes it", async () => {
      const errors: WallarooError[] = [];
      const c = client();
      raw = await startRawServer((_req, res, body) => reply(res, 400, { errorMessage: `bad user: ${body}` }));
      errors.push(
        await rejection(
          client({ url: raw.url, authUrl: raw.url, token: "static-token-123" }).createKeycloakUser(
            newUser("e@example.com"),
          ),
        ),
      );
      emu.addUser({ email: "dup@example.com" });
      errors.push(await rejection(c.createKeycloakUser(newUser("dup@example.com"))));
      errors.push(await rejection(clientWithRoles([]).createKeycloakUser(newUser("f@example.com"))));
      emu.setFaults([{ endpoint: USERS, method: "POST", dropConnection: true }]);
      errors.push(
        await rejection(
          client({ retry: { ...FAST_RETRY, maxAttempts: 1 } }).createKeycloakUser(newUser("g@example.com")),
        ),
      );
      emu.setFaults([{ endpoint: USERS, method: "POST", status: 201, body: "" }]);
      errors.push(await rejection(c.createKeycloakUser(newUser("h@example.com"))));
      assert.match(errors[0]!.message, /\[redacted\]/, "the echo was there, redacted");
      for (const e of errors) assert.doesNotMatch(allTextOf(e), new RegExp(PASSWORD), e.message);
    });
  });
});
