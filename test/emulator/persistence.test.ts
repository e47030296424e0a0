import { strict as assert } from "node:assert";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import { Persister } from "../../emulator/persistence";
import type { UserRecord } from "../../emulator/store";
import { ADMIN_PASSWORD, api, createdId, keycloak, login, tempDir } from "./helpers";

const RELEASE_0_1_0 = join(__dirname, "../../../test/fixtures/release-0.1.0/emulator-data.json");

describe("emulator persistence (dataFile)", () => {
  let emu: RunningEmulator | undefined;
  let dir: string;
  let dataFile: string;

  beforeEach(() => {
    dir = tempDir("wl-emu-persist-");
    dataFile = join(dir, "wallaroo.json");
  });
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it("starts a fresh instance with admin when the file is missing, and writes it", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, dataFile });
    assert.deepEqual(
      emu.users().map((u) => u.username),
      ["admin"],
    );
    assert.ok(existsSync(dataFile), "written at start, so admin's id survives a restart");
  });

  it("keeps users, ids and enabled flags across a restart", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, dataFile });
    const call = api(emu);
    const a = (await call("invite", { email: "keep@example.com", password: "Keep-Pass-1" })).body.id;
    const b = (await call("invite", { email: "off@example.com" })).body.id;
    await call("deactivate", { email: "off@example.com" });
    const before = emu.users();
    await emu.close();

    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, dataFile });
    assert.deepEqual(emu.users(), before, "same records, admin id included");
    const q = await api(emu)("query", { user_ids: [a, b] });
    assert.equal(q.body.users[a].enabled, true);
    assert.equal(q.body.users[b].enabled, false);
    assert.ok(await login(emu.url, "keep@example.com", "Keep-Pass-1"), "the stored hash still verifies the password");
  });

  it("has every change on disk by the time the request is answered", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, dataFile });
    const r = await api(emu)("invite", { email: "durable@example.com" });
    const onDisk = JSON.parse(readFileSync(dataFile, "utf8"));
    assert.ok(onDisk.users.some((u: { id: string }) => u.id === r.body.id));
    await api(emu)("deactivate", { email: "durable@example.com" });
    const after = JSON.parse(readFileSync(dataFile, "utf8"));
    assert.equal(after.users.find((u: { id: string }) => u.id === r.body.id).enabled, false);
  });

  it("coalesces concurrent writes yet keeps every change, leaving no temp files", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, dataFile, edition: "enterprise" });
    const call = api(emu);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call("invite", { email: `c${i}@example.com` })),
    );
    assert.ok(answers.every((a) => a.status === 200));
    const onDisk = JSON.parse(readFileSync(dataFile, "utf8"));
    assert.equal(onDisk.users.length, 41);
    assert.deepEqual(readdirSync(dir), ["wallaroo.json"]);
  });

  it("Persister joins saves requested during a write into one next write, which holds the latest state", async () => {
    const records: UserRecord[] = [];
    let snapshots = 0;
    const persister = new Persister(dataFile, () => {
      snapshots++;
      return [...records];
    });
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      records.push({
        user: {
          id: `id-${i}`,
          username: `u${i}`,
          enabled: true,
          emailVerified: false,
          createdTimestamp: i,
          notBefore: 0,
          requiredActions: [],
          disableableCredentialTypes: [],
          access: { manageGroupMembership: true, view: true, mapRoles: true, impersonate: false, manage: true },
        },
      });
      saves.push(persister.save());
    }
    await Promise.all(saves);
    assert.equal(snapshots, 2, "one write in flight, then one coalesced write");
    assert.equal(JSON.parse(readFileSync(dataFile, "utf8")).users.length, 50);
  });

  it("rejects start-up, naming the file, when the data file cannot be written", async () => {
    const unwritable = join(dir, "missing-dir", "w.json");
    await assert.rejects(startEmulator({ dataFile: unwritable }), (e: Error) => e.message.includes(unwritable));
  });

  it("never stores a password in plain text", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, dataFile });
    const given = await api(emu)("invite", { email: "given@example.com", password: "Plain-Text-Given-7" });
    const generated = await api(emu)("invite", { email: "gen@example.com" });
    emu.addUser({ email: "seeded@example.com", password: "Seeded-Pass-3" });
    await emu.close();
    emu = undefined;
    const text = readFileSync(dataFile, "utf8");
    for (const secret of [ADMIN_PASSWORD, given.body.password, generated.body.password, "Seeded-Pass-3"]) {
      assert.ok(!text.includes(secret), "a password is in the data file");
    }
    assert.match(text, /"passwordHash":"scrypt\$/);
    assert.equal(statSync(dataFile).mode & 0o077, 0, "readable by its owner only");
  });

  it("takes admin's password from the option on each start", async () => {
    emu = await startEmulator({ adminPassword: "first-pass", dataFile });
    await emu.close();
    emu = await startEmulator({ adminPassword: "second-pass", dataFile });
    await login(emu.url, "admin", "second-pass");
    await assert.rejects(login(emu.url, "admin", "first-pass"), /401/);
  });

  it("keeps what Keycloak keeps beside a user across a restart: names, federation link, a temporary password, required actions, roles", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, dataFile, edition: "enterprise" });
    const id = createdId(
      await keycloak(emu)("POST", "", {
        username: "kept@example.com",
        email: "kept@example.com",
        enabled: true,
        firstName: "Kay",
        lastName: "Pt",
        requiredActions: ["VERIFY_EMAIL"],
        credentials: [{ type: "password", value: "Kept-Temp-1", temporary: true }],
      }),
    );
    const ldap = emu.addUser({ email: "ldap@example.com", federationLink: "ldap-1" }).id;
    emu.addUser({ username: "viewer", password: "Viewer-Pw-1", roles: ["view-users"] });
    const before = emu.users();
    await emu.close();
    const onDisk = JSON.parse(readFileSync(dataFile, "utf8"));
    const kept = onDisk.users.find((u: { id: string }) => u.id === id);
    assert.equal(kept.passwordTemporary, true, "the credential's temporary flag is on disk");
    assert.deepEqual(kept.requiredActions, ["VERIFY_EMAIL", "UPDATE_PASSWORD"]);

    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, dataFile, edition: "enterprise" });
    assert.deepEqual(emu.users(), before);
    const r = await keycloak(emu)("GET", `/${id}`);
    assert.equal(r.body.firstName, "Kay");
    assert.equal(r.body.lastName, "Pt");
    assert.equal((await keycloak(emu)("GET", `/${ldap}`)).body.federationLink, "ldap-1");
    assert.ok(await login(emu.url, "kept@example.com", "Kept-Temp-1"));
    const viewer = keycloak(emu, await login(emu.url, "viewer", "Viewer-Pw-1"));
    assert.equal((await viewer("GET", `/${id}`)).status, 200, "the viewer's role survived");
    assert.equal((await viewer("PUT", `/${id}`, { enabled: false })).status, 403, "and it is only that role");
  });

  it("still loads the data file release 0.1.0 wrote (no roles, flags or links in it), with admin's roles", async () => {
    copyFileSync(RELEASE_0_1_0, dataFile);
    const old = JSON.parse(readFileSync(RELEASE_0_1_0, "utf8"));
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, dataFile, edition: "enterprise" });
    assert.deepEqual(
      emu.users().map((u) => u.id),
      old.users.map((u: { id: string }) => u.id),
    );
    const alice = old.users.find((u: { email?: string }) => u.email === "alice@example.com");
    const r = await keycloak(emu, await login(emu.url, "admin", ADMIN_PASSWORD))("GET", `/${alice.id}`);
    assert.equal(r.status, 200, "admin may read: it has the seeds' roles though the file holds none");
    assert.equal(r.body.email, "alice@example.com");
  });

  describe("a corrupt or wrong-shaped file", () => {
    /** A data file whose one user is well-formed but for `fields`. */
    const fileWithUser = (fields: Record<string, unknown>) =>
      JSON.stringify({
        format: "wallaroo-emulator-data",
        version: 1,
        users: [
          {
            id: "1",
            username: "a",
            enabled: true,
            emailVerified: false,
            createdTimestamp: 1,
            notBefore: 0,
            requiredActions: [],
            disableableCredentialTypes: [],
            access: {},
            ...fields,
          },
        ],
      });
    const cases: [string, string, RegExp][] = [
      ["not JSON", "{ this is not json", /not valid JSON/],
      ["another JSON document", JSON.stringify({ hello: "world" }), /format/],
      ["an unknown version", JSON.stringify({ format: "wallaroo-emulator-data", version: 99, users: [] }), /version/],
      ["users not an array", JSON.stringify({ format: "wallaroo-emulator-data", version: 1, users: {} }), /users/],
      [
        "a user without an id",
        JSON.stringify({ format: "wallaroo-emulator-data", version: 1, users: [{ username: "x" }] }),
        /users\[0\].*id/,
      ],
      ["a plain-text password", fileWithUser({ passwordHash: "hunter2" }), /passwordHash/],
      [
        "roles that are not a list of names",
        fileWithUser({ masterRealmRoles: "manage-users" }),
        /users\[0\].*masterRealmRoles/,
      ],
    ];
    for (const [what, content, why] of cases) {
      it(`is refused with a message naming the file (${what}), and left untouched`, async () => {
        writeFileSync(dataFile, content);
        await assert.rejects(startEmulator({ dataFile }), (e: Error) => {
          assert.ok(e.message.includes(dataFile), e.message);
          assert.match(e.message, why);
          assert.match(e.message, /refusing to start/);
          return true;
        });
        assert.equal(readFileSync(dataFile, "utf8"), content, "never silently reset");
      });
    }
  });
});
