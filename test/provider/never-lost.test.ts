/**
 * "Never lose track of a user, never touch the wrong one" (issue #11), through the path `pulumi`
 * takes: a program in a consumer project with the packed package, Pulumi's own dynamic-provider
 * host over gRPC, and the emulator. After every step the state AND the server are checked.
 *
 * The matrix: refresh and destroy of a stack of three users under each misconfiguration or bad
 * server must fail loudly, name the endpoint and what came back, and leave both sides as they were;
 * on both editions (an Enterprise destroy goes to Keycloak's admin API under wallaroo:authUrl).
 */
import assert from "node:assert/strict";
import { request } from "undici";
import type { FaultRule } from "../../emulator";
import { assertOk, Engine, ResourceState } from "../harness";
import { RawServer, reply, startRawServer } from "../support/rawServer";
import { EDITIONS, type Edition } from "../../sdk/edition";
import { roster, startWorld, userWrites, World } from "../support/world";

const TYPE = "pulumi-nodejs:dynamic/wallaroo:User";
const QUERY = "/v1/api/users/query";
const DEACTIVATE = "/v1/api/users/deactivate";
/** Keycloak's admin API, a user by id (Enterprise): what its destroy calls, PUT, and then GET to tell "gone". */
const KEYCLOAK_USER = "/auth/admin/realms/master/users/{id}";

const THREE = `import * as wallaroo from "pulumi-wallaroo";
export const alice = new wallaroo.User("alice", { email: "alice@example.com" }).userId;
export const bob = new wallaroo.User("bob", { email: "bob@example.com", active: false }).userId;
export const carol = new wallaroo.User("carol", { email: "carol@example.com" }).userId;
`;

/** What the state says of each user: what a refresh or destroy must not change when it fails. */
function stateOf(engine: Engine): Record<string, Pick<ResourceState, "id" | "inputs" | "outputs">> {
  return Object.fromEntries(
    engine
      .listResources()
      .filter((r) => r.type === TYPE && !r.delete)
      .map((r) => [r.urn.split("::").pop()!, { id: r.id, inputs: r.inputs, outputs: r.outputs }]),
  );
}

/** What the server holds: id → email and enabled. */
function serverOf(world: World): Record<string, string> {
  return Object.fromEntries(world.emu.users().map((u) => [u.id, `${u.email ?? u.username}:${u.enabled}`]));
}

interface Condition {
  name: string;
  /** `write` is the endpoint that deactivates on this edition: the MLOps API's deactivate, or Keycloak's user by id. */
  apply(world: World, engine: Engine, write: string): void;
  /** What the failure message must say: the endpoint, what came back, what to check. */
  says: RegExp[];
  /** What an Enterprise destroy's message must say instead (it goes to Keycloak's admin API), when it differs. */
  keycloakSays?: RegExp[];
  only?: "destroy";
  /** Where the condition does not apply: Enterprise's destroy never calls wallaroo:url; its refresh never calls authUrl's admin API. */
  notOn?: { edition: Edition; op: "refresh" | "destroy" };
  /**
   * The condition is a change of stack configuration: refresh and destroy use the configuration
   * the last up stored unless `--run-program` is given (deployment.go, providers/registry.go), so
   * these run with it.
   */
  config?: true;
}

function faultsOn(endpoints: string[], rule: Omit<FaultRule, "endpoint">): (world: World) => void {
  return (world) => world.emu.setFaults(endpoints.map((endpoint) => ({ endpoint, ...rule })));
}

const STATIC_TOKEN = "matrix-static-token-0123456789";

for (const edition of EDITIONS) {
  describe(`refresh and destroy against a misconfigured endpoint or a bad server (${edition})`, function () {
    this.timeout(300_000);
    let world: World;
    let engine: Engine;
    let html: RawServer;
    let elsewhere: RawServer;
    let goodConfig: Record<string, string>;
    const write = edition === "enterprise" ? KEYCLOAK_USER : DEACTIVATE;

    before(async () => {
      world = await startWorld({ edition, staticTokens: [STATIC_TOKEN] });
      engine = world.engine({ config: { "wallaroo:edition": edition } });
      goodConfig = { ...engine.config };
      html = await startRawServer((_req, res) =>
        reply(
          res,
          404,
          "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
          "text/html; charset=utf-8",
        ),
      );
      // Would answer like a server with no users at all, if a redirect were ever followed.
      elsewhere = await startRawServer((_req, res) => reply(res, 200, { users: {} }));
      world.program("index.ts", THREE);
      assertOk(await engine.up("index.ts"));
    });
    after(async () => {
      await html?.close();
      await elsewhere?.close();
      await world?.close();
    });
    /** Set by a `--run-program` case: the stored provider configuration is the bad one now. */
    let storedBadConfig = false;
    afterEach(async () => {
      world.emu.clearFaults();
      for (const k of Object.keys(engine.config)) delete engine.config[k];
      Object.assign(engine.config, goodConfig);
      if (storedBadConfig) {
        // As a user would: store the good configuration again (an up would too).
        assertOk(await engine.refresh({ runProgram: "index.ts" }));
        storedBadConfig = false;
      }
    });

    /** Only Keycloak's admin API under authUrl: a static token needs no login there. */
    const adminApiAt = (e: Engine, authUrl: string) => {
      e.setConfig("wallaroo:authUrl", authUrl);
      e.setConfig("wallaroo:token", STATIC_TOKEN, { secret: true });
    };

    const conditions: Condition[] = [
      {
        name: "wallaroo:url has a wrong path prefix",
        apply: (w, e) => {
          e.setConfig("wallaroo:url", `${w.emu.url}/typo`);
          e.setConfig("wallaroo:authUrl", w.emu.url);
        },
        config: true,
        says: [/\/typo\/v1\/api\/users\/query answered 404/, /No such endpoint/, /check that wallaroo:url/],
        notOn: { edition: "enterprise", op: "destroy" },
      },
      {
        name: "wallaroo:url points at a server answering an HTML 404 page for everything",
        apply: (w, e) => {
          e.setConfig("wallaroo:url", html.url);
          e.setConfig("wallaroo:authUrl", w.emu.url);
        },
        config: true,
        says: [/HTML page: 404 Not Found/, /not the Wallaroo API/],
        notOn: { edition: "enterprise", op: "destroy" },
      },
      {
        name: "wallaroo:authUrl has a wrong path prefix (a static token: only Keycloak's admin API is under it)",
        apply: (w, e) => adminApiAt(e, `${w.emu.url}/typo`),
        config: true,
        says: [],
        keycloakSays: [/404 Not Found/, /not Keycloak's for an unknown user/, /wallaroo:authUrl/],
        only: "destroy",
        notOn: { edition: "community", op: "destroy" },
      },
      {
        name: "wallaroo:authUrl points at a server answering an HTML 404 page (a static token)",
        apply: (_w, e) => adminApiAt(e, html.url),
        config: true,
        says: [],
        keycloakSays: [/404 Not Found/, /An HTML page answered/, /wallaroo:authUrl/],
        only: "destroy",
        notOn: { edition: "community", op: "destroy" },
      },
      {
        name: "a proxy answers 400 with a JSON body of its own",
        apply: (w, _e, at) =>
          faultsOn([QUERY, at], {
            status: 400,
            body: JSON.stringify({ error: "Request blocked by gateway policy", support_id: "7781" }),
          })(w),
        says: [/HTTP 400/, /Request blocked by gateway policy/, /proxy or firewall/],
        keycloakSays: [/HTTP 400/, /Request blocked by gateway policy/, /proxy or firewall/],
      },
      {
        name: "the server answers 403 to query and deactivate",
        apply: (w, _e, at) => faultsOn([QUERY, at], { status: 403 })(w),
        says: [/HTTP 403/, /forbidden/, /manage-users/],
        keycloakSays: [/403 Forbidden/, /manage-users role of the master-realm client/],
      },
      {
        name: 'the server answers 500 {"msg":"Unknown error"}',
        apply: (w, _e, at) => faultsOn([QUERY, at], { status: 500, body: JSON.stringify({ msg: "Unknown error" }) })(w),
        says: [/HTTP 500/, /Unknown error/],
      },
      {
        name: "the server answers 200 with a body that is not the documented shape",
        apply: (w, _e, at) => faultsOn([QUERY, at], { status: 200, body: JSON.stringify({ status: "ok" }) })(w),
        says: [/does not have the documented shape: field 'users'/],
        keycloakSays: [/answered 200 instead of 204 No Content/, /whether the change was made is not known/],
      },
      {
        name: "the server redirects (307) to another host",
        apply: (w, _e, at) =>
          faultsOn([QUERY, at], { status: 307, location: `${elsewhere.url}/v1/api/users/query` })(w),
        says: [/redirect to http:\/\/127\.0\.0\.1:\d+\/v1\/api\/users\/query, which is not followed/, /wallaroo:url/],
        keycloakSays: [
          /redirect to http:\/\/127\.0\.0\.1:\d+\/v1\/api\/users\/query, which is not followed/,
          /wallaroo:authUrl/,
        ],
      },
      {
        name: "the server answers 403 to deactivate only",
        apply: (w, _e, at) => faultsOn([at], { status: 403 })(w),
        says: [/POST \/v1\/api\/users\/deactivate/, /HTTP 403/, /manage-users/],
        keycloakSays: [/403 Forbidden/, /manage-users role of the master-realm client/],
        only: "destroy",
      },
    ];

    for (const c of conditions) {
      for (const op of ["refresh", "destroy"] as const) {
        if (c.only && c.only !== op) continue;
        if (c.notOn && c.notOn.edition === edition && c.notOn.op === op) continue;
        const viaKeycloak = edition === "enterprise" && op === "destroy";
        const cmd = c.config ? `${op} --run-program` : op;
        it(`${cmd} fails, and changes neither the state nor the server, when ${c.name}`, async () => {
          const state = stateOf(engine);
          const server = serverOf(world);
          assert.equal(Object.keys(state).length, 3);
          c.apply(world, engine, write);
          world.emu.resetStats();
          const opts = c.config ? { runProgram: "index.ts" } : {};
          storedBadConfig = c.config === true;
          const result = op === "refresh" ? await engine.refresh(opts) : await engine.destroy(opts);
          assert.equal(result.ok, false, `${op} must fail`);
          assert.ok(result.failed.length >= 1);
          for (const f of result.failed) {
            assert.match(
              f.message,
              viaKeycloak
                ? /(PUT|GET) \/auth\/admin\/realms\/master\/users\/\{id\}/
                : /POST \/v1\/api\/users\/(query|deactivate)/,
              "names the endpoint",
            );
            for (const re of viaKeycloak ? (c.keycloakSays ?? c.says) : c.says) assert.match(f.message, re);
            assert.doesNotMatch(f.message, /^\s+at .+:\d+/m, "no stack trace");
            if (viaKeycloak) assert.doesNotMatch(f.message, /licen[cs]e/i);
          }
          const now = stateOf(engine);
          if (c.only === "destroy") {
            // The active users' deletes fail and they stay; an inactive user needs no call on Community, so its delete may succeed.
            for (const name of ["alice", "carol"]) assert.deepEqual(now[name], state[name], `${name} is as it was`);
            for (const [name, r] of Object.entries(now)) assert.deepEqual(r, state[name]);
          } else {
            assert.deepEqual(now, state, "the state is as it was");
          }
          assert.deepEqual(serverOf(world), server, "the server is as it was");
          assert.equal(elsewhere.requests.length, 0, "nothing went to the redirect's target");
          // Enterprise's destroy sends its PUTs (each refused): none was answered as done.
          if (viaKeycloak) assert.equal(world.emu.stats().byStatus["204"] ?? 0, 0, "no PUT succeeded");
          else if (c.only !== "destroy") assert.deepEqual(userWrites(world.emu), {}, "nothing was deactivated");
        });
      }
    }

    it("refresh drops a user that is really gone (a well-formed answer says so) and keeps the others", async () => {
      const before = stateOf(engine);
      const carolId = before.carol!.id!;
      assert.ok(world.emu.removeUser(carolId));
      const r = assertOk(await engine.refresh());
      assert.deepEqual(
        r.removed.map((u) => u.split("::").pop()),
        ["carol"],
      );
      const after = stateOf(engine);
      assert.deepEqual(
        Object.keys(after).sort(),
        Object.keys(before)
          .filter((n) => n !== "carol")
          .sort(),
      );
      assert.deepEqual(after.alice, before.alice);
    });

    it("destroy of a user that is really gone succeeds and deactivates the others", async () => {
      const aliceId = stateOf(engine).alice!.id!;
      // Through the emulator's control endpoint, as a test against a separate emulator process would.
      const res = await request(`${world.emu.url}/__emulator/users`, {
        method: "DELETE",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: aliceId }),
      });
      assert.equal(res.statusCode, 200, await res.body.text());
      world.emu.resetStats();
      const inState = Object.keys(stateOf(engine)).length;
      const d = assertOk(await engine.destroy());
      assert.equal(d.deleted.filter((u) => u.includes(TYPE)).length, inState);
      assert.deepEqual(stateOf(engine), {});
      assert.equal(
        world.emu.users().find((u) => u.id === aliceId),
        undefined,
      );
      assert.equal(roster(world.emu)["bob@example.com"], false);
      if (edition === "community") {
        assert.deepEqual(userWrites(world.emu), {}, "bob was inactive already; alice is gone");
      } else {
        // Keycloak's PUT for alice answers 404, and only its exact 404 to GET /users/{id} says she is gone.
        assert.deepEqual(userWrites(world.emu), { "keycloak update": inState });
        assert.equal(world.emu.stats().calls[`GET ${KEYCLOAK_USER}`], 1);
      }
    });
  });
}

for (const edition of EDITIONS) {
  describe(`User renamed without an alias (${edition})`, function () {
    this.timeout(120_000);
    let world: World;
    before(async () => {
      world = await startWorld({ edition });
    });
    after(async () => world?.close());

    it("keeps an adopted user active: the old name's delete does not deactivate the user the new name adopted", async () => {
      const existing = world.emu.addUser({ email: "ops@example.com" });
      const engine = world.engine({ config: { "wallaroo:edition": edition } });
      world.program(
        "index.ts",
        `import * as wallaroo from "pulumi-wallaroo";
new wallaroo.User("ops-example-com", { email: "ops@example.com", adoptExisting: true });
`,
      );
      assertOk(await engine.up("index.ts"));
      world.program(
        "index.ts",
        `import * as wallaroo from "pulumi-wallaroo";
new wallaroo.User("ops", { email: "ops@example.com", adoptExisting: true });
`,
      );
      world.emu.resetStats();
      const up = assertOk(await engine.up("index.ts"));
      assert.deepEqual(
        up.created.map((u) => u.split("::").pop()),
        ["ops"],
      );
      assert.deepEqual(
        up.deleted.map((u) => u.split("::").pop()),
        ["ops-example-com"],
      );
      assert.deepEqual(userWrites(world.emu), {}, "no call changed the server");
      assert.equal(world.emu.users().find((u) => u.id === existing.id)?.enabled, true, "still active on the server");
      const state = stateOf(engine);
      assert.deepEqual(Object.keys(state), ["ops"]);
      assert.equal(state.ops!.id, existing.id);
      assert.equal(state.ops!.outputs.active, true);
      // And the state is right: the next up has nothing to do.
      const again = assertOk(await engine.up("index.ts"));
      assert.deepEqual([again.created, again.updated, again.deleted, again.replaced], [[], [], [], []]);
    });
  });
}

describe("User half-created (invited, then the deactivation failed)", function () {
  this.timeout(120_000);
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(async () => world?.close());

  it("is kept in the state with its provider, so refresh, the next up and destroy all work", async () => {
    const engine = world.engine();
    world.program(
      "index.ts",
      `import * as wallaroo from "pulumi-wallaroo";
new wallaroo.User("bob", { email: "bob@example.com", active: false });
`,
    );
    world.emu.setFaults([{ endpoint: DEACTIVATE, status: 500, count: 1 }]);
    const up = await engine.up("index.ts");
    assert.equal(up.ok, false);
    assert.match(up.failed[0]!.message, /was invited \(id [0-9a-f-]+\) but could not be deactivated/);
    const bob = engine.getResource("bob")!;
    assert.ok(bob.initErrors?.length, "recorded as created-but-failed");
    assert.equal(typeof bob.outputs.__provider, "string", "the provider travels with the stored properties");
    assert.equal(roster(world.emu)["bob@example.com"], true, "the server holds bob, active");

    assertOk(await engine.refresh());
    assert.equal(engine.getProperty("bob", "outputs", "active").value, true);

    assertOk(await engine.up("index.ts"));
    assert.equal(roster(world.emu)["bob@example.com"], false, "the next up finished the deactivation");
    assert.equal(engine.getProperty("bob", "outputs", "active").value, false);

    world.emu.resetStats();
    assertOk(await engine.destroy());
    assert.deepEqual(stateOf(engine), {});
  });
});

for (const edition of EDITIONS) {
  describe(`User whose email changed outside Pulumi (${edition})`, function () {
    this.timeout(120_000);
    let world: World;
    before(async () => {
      world = await startWorld({ edition });
    });
    after(async () => world?.close());

    it("update and destroy act on the user named by id, not on the new holder of its old email", async () => {
      const engine = world.engine({ config: { "wallaroo:edition": edition } });
      const v1 = `import * as wallaroo from "pulumi-wallaroo";
new wallaroo.User("alice", { email: "alice@example.com" });
`;
      world.program("index.ts", v1);
      assertOk(await engine.up("index.ts"));
      const aliceId = engine.getResource("alice")!.id!;
      // Out of band: alice changes her email, and someone new is invited with the old one.
      world.emu.changeEmail(aliceId, "alice.smith@example.com");
      const newcomer = world.emu.addUser({ email: "alice@example.com" });

      world.program(
        "index.ts",
        v1.replace(`{ email: "alice@example.com" }`, `{ email: "alice@example.com", active: false }`),
      );
      assertOk(await engine.up("index.ts"));
      const enabled = () => new Map(world.emu.users().map((u) => [u.id, u.enabled]));
      assert.equal(enabled().get(aliceId), false, "alice (by id) is deactivated");
      assert.equal(enabled().get(newcomer.id), true, "the newcomer is untouched");
      assert.equal(engine.getProperty("alice", "outputs", "email").value, "alice.smith@example.com");

      world.emu.resetStats();
      assertOk(await engine.destroy());
      assert.equal(enabled().get(newcomer.id), true, "destroy left the newcomer alone too");
      // Community resolves alice by id and finds her inactive already; Enterprise disables her by id without a read.
      assert.deepEqual(userWrites(world.emu), edition === "community" ? {} : { "keycloak update": 1 });
    });
  });
}
