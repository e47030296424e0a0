/**
 * wallaroo.User through the path `pulumi up` takes: a program in a consumer
 * project with the packed package, the provider over gRPC, and the emulator.
 * Like a Terraform acceptance test, every step checks the server, not only the
 * state. The lifecycle runs in both modes: the dynamic resource (`wallaroo.User`
 * of pulumi-wallaroo, served by Pulumi's own dynamic-provider host) and the
 * native one (`wallaroo:index:User`, declared as a generated SDK declares it and
 * served by the plugin process through its default provider
 * `pulumi:providers:wallaroo`); and on both editions (`wallaroo:edition`): the
 * same steps, the same outcome on the server, each through its own API;
 * Enterprise-only cases are in user.enterprise.test.ts.
 */
import assert from "node:assert/strict";
import { WallarooClient } from "../../sdk";
import { assertOk, Engine } from "../harness";
import { EDITIONS, type Edition } from "../../sdk/edition";
import { login } from "../emulator/helpers";
import { nativeSdk } from "../support/nativeSdk";
import { ADMIN_PASSWORD, mutatingCalls, PROJECT, roster, startWorld, userWrites, World } from "../support/world";

const BOB_PASSWORD = "Bob-Initial-Pw-7";

/** How a program declares users, and the type their URNs carry. */
interface Mode {
  name: "dynamic" | "native";
  title: string;
  type: string;
  header: string;
}
const DYNAMIC: Mode = {
  name: "dynamic",
  title: "through the dynamic-provider host",
  type: "pulumi-nodejs:dynamic/wallaroo:User",
  header: `import * as pulumi from "@pulumi/pulumi";
import * as wallaroo from "pulumi-wallaroo";
`,
};
const NATIVE: Mode = {
  name: "native",
  title: "through the native plugin",
  type: "wallaroo:index:User",
  header: `import * as pulumi from "@pulumi/pulumi";
${nativeSdk()}`,
};
const MODES = [DYNAMIC, NATIVE];

function program(users: string, mode: Mode = DYNAMIC): string {
  return `${mode.header}const cfg = new pulumi.Config();
${users}
`;
}

const body1 = `
export const alice = new wallaroo.User("alice", { email: "alice@example.com" }).userId;
export const bob = new wallaroo.User("bob", { email: "bob@example.com", active: false, password: cfg.requireSecret("bobPassword") }).userId;
export const carol = new wallaroo.User("carol", { email: "Carol@Example.com" }).userId;
`;
const body2 = body1.replace(`{ email: "Carol@Example.com" }`, `{ email: "Carol@Example.com", active: false }`);
const body3 = body2.replace(`"alice@example.com"`, `"alice.new@example.com"`);
const body4 =
  body3 +
  `export const dave = new wallaroo.User("dave", { email: "DAVE@example.com", adoptExisting: true }).adopted;\n`;

/** What each step sends to change users, per edition: Community's MLOps API, Enterprise's Keycloak admin API. */
type Writes = Record<Edition, Record<string, number>>;

for (const mode of MODES)
  for (const edition of EDITIONS) {
    const [v1, v2, v3, v4] = [body1, body2, body3, body4].map((b) => program(b, mode));
    const TYPE = mode.type;
    describe(`wallaroo.User lifecycle ${mode.title} (${edition})`, function () {
      this.timeout(180_000);
      let world: World;
      let engine: Engine;
      let client: WallarooClient;
      let tokensOfUp = NaN;
      /** The calls that changed users since the last reset are exactly those this edition makes for the step. */
      const assertWrites = (want: Writes, message?: string) =>
        assert.deepEqual(userWrites(world.emu), want[edition], message);

      before(async () => {
        world = await startWorld({ edition });
        engine = world.engine({
          config: { [`${PROJECT}:bobPassword`]: BOB_PASSWORD, "wallaroo:edition": edition },
          secretConfigKeys: [`${PROJECT}:bobPassword`],
        });
        client = new WallarooClient({ url: world.emu.url, username: "admin", password: ADMIN_PASSWORD, env: {} });
      });
      after(async () => {
        await client?.close();
        await world?.close();
      });

      it("creates three users: one inactive with a password, two active with generated passwords", async () => {
        world.program("index.ts", v1);
        world.emu.resetStats();
        const up = assertOk(await engine.up("index.ts"));
        tokensOfUp = world.emu.stats().tokensIssued;
        assert.equal(up.created.filter((u) => u.includes(TYPE)).length, 3);
        assert.deepEqual(roster(world.emu), {
          "alice@example.com": true,
          "bob@example.com": false,
          "carol@example.com": true,
        });
        // Enterprise creates bob disabled in one call: no transient seat, no deactivate.
        assertWrites({ community: { invite: 3, deactivate: 1 }, enterprise: { "keycloak create": 3 } });
        // Outputs come from the server.
        const alice = engine.getResource("alice")!;
        assert.equal(alice.id, world.emu.users().find((u) => u.email === "alice@example.com")!.id);
        assert.equal(engine.getProperty("carol", "outputs", "email").value, "carol@example.com");
        assert.equal(engine.getProperty("carol", "outputs", "username").value, "carol@example.com");
        assert.equal(typeof engine.getProperty("alice", "outputs", "createdTimestamp").value, "number");
        assert.equal(engine.getProperty("bob", "outputs", "active").value, false);
        // Secrets: the generated password is a secret output, the given one a secret input and no output.
        assert.ok(engine.isSecretInState("alice", "outputs", "initialPassword"));
        const issued = String(engine.getProperty("alice", "outputs", "initialPassword").value);
        assert.ok(issued.length >= 8);
        assert.ok(engine.isSecretInState("bob", "inputs", "password"));
        assert.equal(engine.getProperty("bob", "outputs", "initialPassword").present, false);
        // The initial password is the user's password on the server, and one to change at first login.
        assert.equal(typeof (await login(world.emu.url, "alice@example.com", issued)), "string");
        const stored = (email: string) => world.emu.users().find((u) => u.email === email)!;
        assert.ok(stored("alice@example.com").requiredActions.includes("UPDATE_PASSWORD"));
        if (edition === "enterprise") {
          assert.equal(issued.length, 24, "generated here: Keycloak generates none");
          assert.deepEqual(stored("bob@example.com").requiredActions, [], "a given password is not temporary");
        }
      });

      it("logs in once for the whole run (no token request per operation)", () => {
        assert.equal(tokensOfUp, 1);
      });

      it("deactivates a user in place when active turns false", async () => {
        world.program("index.ts", v2);
        world.emu.resetStats();
        const up = assertOk(await engine.up("index.ts"));
        assert.deepEqual(
          up.updated.map((u) => u.split("::").pop()),
          ["carol"],
        );
        assert.equal(roster(world.emu)["carol@example.com"], false);
        assertWrites({ community: { deactivate: 1 }, enterprise: { "keycloak update": 1 } });
      });

      it("replaces a user whose email changes, deactivating the old one before creating the new one", async () => {
        world.program("index.ts", v3);
        world.emu.resetStats();
        const up = assertOk(await engine.up("index.ts"));
        assert.deepEqual(
          up.replaced.map((u) => u.split("::").pop()),
          ["alice"],
        );
        const steps = up.steps.filter((s) => s.urn.endsWith("::alice")).map((s) => s.op);
        assert.ok(steps.indexOf("delete-replaced") < steps.indexOf("create-replacement"), `order: ${steps.join(", ")}`);
        assert.equal(roster(world.emu)["alice@example.com"], false);
        assert.equal(roster(world.emu)["alice.new@example.com"], true);
        assertWrites({
          community: { deactivate: 1, invite: 1 },
          enterprise: { "keycloak update": 1, "keycloak create": 1 },
        });
      });

      it("shows an out-of-band deactivation as drift on refresh, and the next up restores it", async () => {
        await client.deactivateUser("alice.new@example.com");
        world.emu.resetStats();
        const refresh = await engine.refresh();
        assert.ok(refresh.ok);
        assert.equal(engine.getProperty("alice", "outputs", "active").value, false, "refresh saw the drift");
        assertWrites({ community: {}, enterprise: {} }, "refresh changes nothing");
        world.emu.resetStats();
        const up = assertOk(await engine.up("index.ts"));
        assert.deepEqual(
          up.updated.map((u) => u.split("::").pop()),
          ["alice"],
        );
        assert.equal(roster(world.emu)["alice.new@example.com"], true);
        assertWrites({ community: { activate: 1 }, enterprise: { "keycloak update": 1 } });
      });

      it("adopts an existing user by email without changing it when active already matches", async () => {
        const dave = world.emu.addUser({ email: "dave@example.com", enabled: true });
        world.program("index.ts", v4);
        world.emu.resetStats();
        const up = assertOk(await engine.up("index.ts"));
        assert.deepEqual(
          up.created.map((u) => u.split("::").pop()),
          ["dave"],
        );
        assertWrites({ community: {}, enterprise: {} }, "no call changes a user");
        assert.equal(engine.getResource("dave")!.id, dave.id);
        assert.equal(engine.getProperty("dave", "outputs", "adopted").value, true);
        assert.equal(up.outputs.dave, true);
      });

      it("fails to create a user whose email exists, naming adoptExisting and the existing id", async () => {
        const erin = world.emu.addUser({ email: "erin@example.com", enabled: false });
        world.program("index.ts", v4 + `new wallaroo.User("erin", { email: "erin@example.com" });\n`);
        world.emu.resetStats();
        const up = await engine.up("index.ts");
        assert.equal(up.ok, false);
        const failure = up.failed.find((f) => f.urn.endsWith("::erin"));
        assert.ok(failure, JSON.stringify(up.failed));
        assert.match(failure.message, /already exists/);
        assert.match(failure.message, /adoptExisting: true/);
        assert.match(failure.message, new RegExp(erin.id));
        assert.doesNotMatch(failure.message, /\n\s+at /, "no stack frames");
        assert.equal(engine.getResource("erin"), undefined);
        // One attempt (Keycloak's 409 is not retried), and erin is as she was.
        assertWrites({ community: { invite: 1 }, enterprise: { "keycloak create": 1 } });
        assert.deepEqual(
          world.emu
            .users()
            .filter((u) => u.email === "erin@example.com")
            .map((u) => [u.id, u.enabled]),
          [[erin.id, false]],
        );
        world.program("index.ts", v4);
      });

      it("never puts the admin password or user passwords into __provider, the state text or the logs", () => {
        const issued = String(engine.getProperty("carol", "outputs", "initialPassword").value);
        const hits = engine.findInArtifacts([ADMIN_PASSWORD, BOB_PASSWORD, issued]);
        assert.deepEqual(hits, []);
        if (mode.name === "native") {
          assert.ok(
            engine
              .listResources()
              .every((r) => r.inputs.__provider === undefined && r.outputs.__provider === undefined),
            "no resource carries provider code",
          );
          return;
        }
        const provider = String(engine.getProperty("carol", "inputs", "__provider").value);
        assert.match(
          provider,
          /require\("pulumi-wallaroo\/dist\/provider\/lifecycle"\)/,
          "the provider loads the implementation by package name",
        );
        assert.ok(provider.length < 20_000, `__provider is ${provider.length} characters`);
      });

      if (mode.name === "native") {
        it("records its default provider pulumi:providers:wallaroo::default_0_1_0: the wallaroo namespace only, the SDK's version, the password secret", () => {
          // The generated SDK asks for its own version, so the engine names the default provider after it.
          const urn = engine.makeUrn("pulumi:providers:wallaroo", "default_0_1_0");
          const p = engine.getResource(urn);
          assert.ok(p?.id, "the default provider is in the state with an id");
          assert.deepEqual(Object.keys(p.inputs).sort(), ["edition", "password", "url", "username", "version"]);
          assert.equal(engine.getProperty(urn, "inputs", "version").value, "0.1.0");
          assert.equal(engine.getProperty(urn, "inputs", "url").value, world.emu.url);
          assert.ok(engine.isSecretInState(urn, "inputs", "password"));
          assert.equal(engine.getResource("carol")!.provider, `${urn}::${p.id}`);
          assert.deepEqual(engine.urns("pulumi:providers:pulumi-nodejs"), [], "no dynamic provider");
        });

        it("imports by id with a Read that has only the id, answering the inputs of a no-change up", async () => {
          const carol = engine.getResource("carol")!;
          world.emu.resetStats();
          const read = await engine.importRead(TYPE, "carol-imported", carol.id!);
          assert.equal(read.id, carol.id);
          assert.equal(read.properties.email, "carol@example.com");
          assert.equal(read.properties.active, false);
          assert.deepEqual(read.inputs, { email: "carol@example.com", active: false });
          assertWrites({ community: {}, enterprise: {} }, "an import changes nothing");
        });
      } else {
        it("cannot be imported with Pulumi's import: the host finds no provider code", async () => {
          const id = engine.getResource("carol")!.id!;
          await assert.rejects(
            engine.importRead(TYPE, "carol-imported", id),
            /Cannot read properties of undefined \(reading 'toJavaScript'\)/,
          );
        });
      }

      it("destroys by deactivating every user by id, adopted ones included", async () => {
        world.emu.resetStats();
        const d = await engine.destroy();
        assert.ok(d.ok, JSON.stringify(d.failed));
        assert.deepEqual(engine.urns(TYPE), []);
        const r = roster(world.emu);
        for (const email of ["alice.new@example.com", "bob@example.com", "carol@example.com", "dave@example.com"])
          assert.equal(r[email], false, email);
        // Community resolves each id first, so bob and carol (inactive already) need no call; Enterprise's PUT by id
        // needs no read, and is sent for each of the four.
        assertWrites({ community: { deactivate: 2 }, enterprise: { "keycloak update": 4 } });
      });
    });
  }

for (const mode of MODES) {
  describe(`wallaroo.User against a full licence ${mode.title}`, function () {
    this.timeout(120_000);
    let world: World;
    before(async () => {
      world = await startWorld({ edition: "community" });
    });
    after(async () => world?.close());

    it("creates the users that fit and fails the rest with the licence error naming each, leaving nothing behind", async () => {
      const engine = world.engine();
      const users = Array.from(
        { length: 6 },
        (_, i) => `new wallaroo.User("u${i}", { email: "u${i}@example.com" });`,
      ).join("\n");
      world.program("full.ts", program(users, mode));
      const up = await engine.up("full.ts");
      assert.equal(up.ok, false);
      assert.equal(up.failed.length, 1);
      const failed = up.failed[0];
      const email = `${failed.urn.split("::").pop()}@example.com`;
      assert.match(failed.message, /licence/);
      assert.match(failed.message, new RegExp(email));
      assert.equal(Object.values(roster(world.emu)).filter(Boolean).length, 5);
      assert.equal(roster(world.emu)[email], undefined, "the failed user does not exist on the server");
      assert.equal(engine.urns(mode.type).length, 5);
    });
  });

  describe(`wallaroo.User preview ${mode.title}`, function () {
    this.timeout(120_000);
    let world: World;
    before(async () => {
      world = await startWorld();
    });
    after(async () => world?.close());

    it("handles an email computed from another resource without crashing, and changes nothing", async () => {
      const engine = world.engine();
      world.program(
        "computed.ts",
        program(
          `
const lead = new wallaroo.User("lead", { email: "lead@example.com" });
new wallaroo.User("deputy", { email: lead.userId.apply((id: string) => \`deputy-\${id.slice(0, 8)}@example.com\`) });
`,
          mode,
        ),
      );
      world.emu.resetStats();
      const preview = await engine.preview("computed.ts");
      assert.ok(preview.ok, JSON.stringify(preview.failed));
      assert.deepEqual(mutatingCalls(world.emu), {});
      assert.deepEqual(roster(world.emu), {});
      const up = assertOk(await engine.up("computed.ts"));
      assert.equal(up.created.filter((u) => u.includes(mode.type)).length, 2);
      assert.equal(Object.keys(roster(world.emu)).filter((e) => e.startsWith("deputy-")).length, 1);
    });

    it("reports bad inputs as check failures naming the property, touching nothing", async () => {
      const engine = world.engine();
      world.program(
        "bad.ts",
        program(`new wallaroo.User("bad", { email: "not-an-email", active: "yes" as any, emial: "x" } as any);`, mode),
      );
      world.emu.resetStats();
      const up = await engine.up("bad.ts");
      assert.equal(up.ok, false);
      const msg = up.failed.map((f) => f.message).join("\n");
      assert.match(msg, /email/);
      assert.match(msg, /active must be true or false/);
      assert.match(msg, /unknown property 'emial'/);
      assert.deepEqual(mutatingCalls(world.emu), {});
    });
  });
}
