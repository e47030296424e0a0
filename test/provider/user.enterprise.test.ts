/**
 * wallaroo.User on Wallaroo Enterprise (`wallaroo:edition enterprise`), where users are managed
 * through Keycloak's admin API in the master realm (issue #23): what only Enterprise does — names,
 * a federated user, a lost 201, Keycloak's 403 — through the path `pulumi up` takes (the packed
 * package, Pulumi's dynamic-provider host over gRPC, the emulator on `--edition enterprise`),
 * checking the server after every step. The steps both editions share are in user.lifecycle.test.ts.
 */
import assert from "node:assert/strict";
import { KEYCLOAK_USERS_PATH } from "../../emulator";
import { WallarooClient } from "../../sdk";
import { assertOk, Engine } from "../harness";
import { login } from "../emulator/helpers";
import { ADMIN_PASSWORD, PROJECT, roster, startWorld, userWrites, World } from "../support/world";

const TYPE = "pulumi-nodejs:dynamic/wallaroo:User";
const ANN_PASSWORD = "Ann-Initial-Pw-9";
const CREATE = `POST ${KEYCLOAK_USERS_PATH}`;
/** The MLOps API's user writes, which the Enterprise path must never call. */
const COMMUNITY_WRITES = ["invite", "activate", "deactivate"].map((op) => `POST /v1/api/users/${op}`);

function program(users: string): string {
  return `import * as pulumi from "@pulumi/pulumi";
import * as wallaroo from "pulumi-wallaroo";
const cfg = new pulumi.Config();
${users}
`;
}

const named = program(`
new wallaroo.User("ann", { email: "ann@example.com", firstName: "Ann", lastName: "Lee", password: cfg.requireSecret("annPassword") });
new wallaroo.User("ben", { email: "Ben@Example.com", firstName: "Ben", active: false });
`);
const renamed = named.replace(`firstName: "Ann"`, `firstName: "Annie"`);

describe("wallaroo.User on Wallaroo Enterprise (Keycloak's admin API)", function () {
  this.timeout(180_000);
  let world: World;
  let engine: Engine;
  /** Every call of the describe, per method and endpoint, summed over the resets of the tests. */
  const total: Record<string, number> = {};
  const reset = () => {
    for (const [call, n] of Object.entries(world.emu.stats().calls)) total[call] = (total[call] ?? 0) + n;
    world.emu.resetStats();
  };
  const stored = (email: string) => world.emu.users().filter((u) => u.email === email);

  before(async () => {
    world = await startWorld({ edition: "enterprise" });
    engine = world.engine({
      config: { "wallaroo:edition": "enterprise", [`${PROJECT}:annPassword`]: ANN_PASSWORD },
      secretConfigKeys: [`${PROJECT}:annPassword`],
    });
  });
  afterEach(() => reset());
  after(async () => world?.close());

  it("creates each user with one POST, with its names, active with the given password or disabled with a generated one", async () => {
    world.program("index.ts", named);
    reset();
    const up = assertOk(await engine.up("index.ts"));
    assert.equal(up.created.filter((u) => u.includes(TYPE)).length, 2);
    assert.deepEqual(userWrites(world.emu), { "keycloak create": 2 });
    const [ann] = stored("ann@example.com");
    const [ben] = stored("ben@example.com");
    assert.deepEqual([ann?.firstName, ann?.lastName, ann?.enabled], ["Ann", "Lee", true]);
    assert.deepEqual([ben?.firstName, ben?.lastName, ben?.enabled], ["Ben", undefined, false]);
    assert.equal(ben?.username, "ben@example.com", "Keycloak keeps the username lower-cased");
    // The ids are the ones Keycloak's Location named.
    assert.equal(engine.getResource("ann")!.id, ann!.id);
    assert.equal(engine.getResource("ben")!.id, ben!.id);
    assert.equal(engine.getProperty("ann", "outputs", "firstName").value, "Ann");
    assert.equal(engine.getProperty("ann", "outputs", "lastName").value, "Lee");
    // Ann's password is the given one and not temporary; Ben's is generated here, temporary, and a secret output.
    assert.equal(typeof (await login(world.emu.url, "ann@example.com", ANN_PASSWORD)), "string");
    assert.deepEqual(ann!.requiredActions, []);
    assert.equal(engine.getProperty("ann", "outputs", "initialPassword").present, false);
    assert.ok(engine.isSecretInState("ben", "outputs", "initialPassword"));
    assert.equal(String(engine.getProperty("ben", "outputs", "initialPassword").value).length, 24);
    assert.deepEqual(ben!.requiredActions, ["UPDATE_PASSWORD"]);
  });

  it("changes a name in place with one PUT: no replacement, the same id", async () => {
    const id = engine.getResource("ann")!.id;
    world.program("index.ts", renamed);
    reset();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(
      up.updated.map((u) => u.split("::").pop()),
      ["ann"],
    );
    assert.deepEqual(up.replaced, []);
    assert.deepEqual(userWrites(world.emu), { "keycloak update": 1 });
    const [ann] = stored("ann@example.com");
    assert.deepEqual([ann?.id, ann?.firstName, ann?.lastName], [id, "Annie", "Lee"]);
    assert.equal(engine.getProperty("ann", "outputs", "firstName").value, "Annie");
  });

  it("shows a name changed in Keycloak as drift on refresh, and the next up sets it back with one PUT", async () => {
    const id = engine.getResource("ann")!.id!;
    const admin = new WallarooClient({
      url: world.emu.url,
      username: "admin",
      password: ADMIN_PASSWORD,
      edition: "enterprise",
      env: {},
    });
    try {
      assert.equal(await admin.updateKeycloakUser(id, { firstName: "Anna" }), "updated");
    } finally {
      await admin.close();
    }
    reset();
    assertOk(await engine.refresh());
    assert.equal(engine.getProperty("ann", "outputs", "firstName").value, "Anna", "refresh saw the drift");
    assert.deepEqual(userWrites(world.emu), {}, "refresh changes nothing");
    reset();
    const up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(
      up.updated.map((u) => u.split("::").pop()),
      ["ann"],
    );
    assert.deepEqual(userWrites(world.emu), { "keycloak update": 1 });
    assert.equal(stored("ann@example.com")[0]?.firstName, "Annie");
  });

  it("adopts a federated user (federationLink) and deactivates and activates it by id, like any other", async () => {
    const fed = world.emu.addUser({ email: "fed@example.com", enabled: true, federationLink: "ldap-corp-1" });
    const adopt = (active: boolean) =>
      renamed + `new wallaroo.User("fed", { email: "fed@example.com", adoptExisting: true, active: ${active} });\n`;
    world.program("index.ts", adopt(false));
    reset();
    let up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(
      up.created.map((u) => u.split("::").pop()),
      ["fed"],
    );
    assert.deepEqual(userWrites(world.emu), { "keycloak update": 1 }, "adopted, then disabled: no create");
    assert.equal(engine.getResource("fed")!.id, fed.id);
    assert.equal(engine.getProperty("fed", "outputs", "adopted").value, true);
    assert.deepEqual(
      stored("fed@example.com").map((u) => [u.id, u.enabled, u.federationLink]),
      [[fed.id, false, "ldap-corp-1"]],
    );

    world.program("index.ts", adopt(true));
    reset();
    up = assertOk(await engine.up("index.ts"));
    assert.deepEqual(
      up.updated.map((u) => u.split("::").pop()),
      ["fed"],
    );
    assert.deepEqual(userWrites(world.emu), { "keycloak update": 1 });
    assert.deepEqual(
      stored("fed@example.com").map((u) => [u.id, u.enabled, u.federationLink]),
      [[fed.id, true, "ldap-corp-1"]],
    );
  });

  for (const lost of [
    { how: "the connection dropped after Keycloak acted", fault: { performThenDrop: true } },
    { how: "a gateway's 502 after forwarding", fault: { performThenStatus: true, status: 502 } },
  ]) {
    it(`recovers a create whose 201 was lost (${lost.how}) through Keycloak's 409, once: no error, no second user`, async () => {
      const email = `lost-${lost.fault.status ?? "drop"}@example.com`;
      const name = email.split("@")[0]!;
      world.program("index.ts", renamed + `new wallaroo.User("${name}", { email: "${email}" });\n`);
      world.emu.setFaults([{ endpoint: KEYCLOAK_USERS_PATH, method: "POST", count: 1, ...lost.fault }]);
      reset();
      try {
        const up = assertOk(await engine.up("index.ts"));
        assert.deepEqual(
          up.created.map((u) => u.split("::").pop()),
          [name],
        );
      } finally {
        world.emu.clearFaults();
      }
      const stats = world.emu.stats();
      assert.equal(stats.calls[CREATE], 2, "the lost attempt and the one Keycloak answered 409");
      assert.equal(stats.byStatus["409"], 1, "one 409");
      const users = stored(email);
      assert.equal(users.length, 1, "one user, not two");
      assert.equal(users[0]!.enabled, true);
      assert.equal(engine.getResource(name)!.id, users[0]!.id);
    });
  }

  it("fails a create refused with 403, naming the manage-users role of the master-realm client (not the licence), creating nothing", async () => {
    world.emu.addUser({ username: "viewer", password: "Viewer-Pw-123", roles: ["view-users", "query-users"] });
    const viewer = world.engine({
      stackName: "viewer",
      config: { "wallaroo:edition": "enterprise", "wallaroo:username": "viewer", "wallaroo:password": "Viewer-Pw-123" },
    });
    world.program("viewer.ts", program(`new wallaroo.User("gail", { email: "gail@example.com" });`));
    reset();
    const up = await viewer.up("viewer.ts");
    assert.equal(up.ok, false);
    assert.equal(up.failed.length, 1, JSON.stringify(up.failed));
    const message = up.failed[0]!.message;
    assert.match(message, /gail@example\.com/);
    assert.match(message, /403 Forbidden/);
    assert.match(message, /'viewer' needs the manage-users role of the master-realm client/);
    assert.doesNotMatch(message, /licen[cs]e/i);
    assert.doesNotMatch(message, /Viewer-Pw-123/);
    assert.equal(viewer.getResource("gail"), undefined);
    assert.equal(roster(world.emu)["gail@example.com"], undefined);
    assert.deepEqual(userWrites(world.emu), { "keycloak create": 1 }, "one attempt: a 403 is not retried");
  });

  it("destroys by disabling each user by id with one PUT", async () => {
    const users = engine.urns(TYPE).length;
    reset();
    assertOk(await engine.destroy());
    assert.deepEqual(engine.urns(TYPE), []);
    assert.deepEqual(userWrites(world.emu), { "keycloak update": users });
    for (const email of ["ann@example.com", "ben@example.com", "fed@example.com", "lost-drop@example.com"])
      assert.equal(roster(world.emu)[email], false, email);
  });

  it("never called the MLOps API's /users/invite, /users/activate or /users/deactivate in any step", () => {
    reset();
    assert.ok((total[CREATE] ?? 0) >= 5, `the steps did create users: ${JSON.stringify(total)}`);
    assert.deepEqual(
      COMMUNITY_WRITES.filter((call) => total[call]),
      [],
    );
  });
});

describe("wallaroo.User names on Wallaroo Community", function () {
  this.timeout(120_000);
  let world: World;
  before(async () => {
    world = await startWorld({ edition: "community" });
  });
  after(async () => world?.close());

  it("refuses firstName and lastName at check, naming each property and why, before anything is sent", async () => {
    const engine = world.engine({ config: { "wallaroo:edition": "community" } });
    world.program(
      "names.ts",
      program(`new wallaroo.User("ann", { email: "ann@example.com", firstName: "Ann", lastName: "Lee" });`),
    );
    world.emu.resetStats();
    const up = await engine.up("names.ts");
    assert.equal(up.ok, false);
    assert.equal(up.failed.length, 1);
    const f = up.failed[0]!;
    assert.deepEqual(f.failures?.map((x) => x.property).sort(), ["firstName", "lastName"]);
    assert.match(f.message, /property firstName:/);
    assert.match(f.message, /property lastName:/);
    assert.match(f.message, /wallaroo:edition to enterprise/);
    assert.deepEqual(world.emu.stats().requests, {}, "not even a login");
    assert.equal(engine.getResource("ann"), undefined);
  });
});
