/**
 * The provider's configuration over gRPC: CheckConfig reports every bad setting by its key,
 * DiffConfig lists what changed, Configure accepts the engine's secret envelopes, the WALLAROO_*
 * environment fills what is unset with today's precedence, and two provider instances (two
 * processes) manage two Wallaroo instances side by side.
 */
import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { isSecret, secret } from "../harness";
import { ADMIN_PASSWORD } from "../support/world";
import { PluginProcess } from "./pluginProcess";

const USER = "wallaroo:index:User";

/** What the engine sends for a stack whose password was set with --secret. */
function stackConfig(emu: RunningEmulator) {
  return { url: emu.url, username: "admin", password: secret(ADMIN_PASSWORD) } as Record<string, unknown>;
}

describe("the wallaroo plugin's configuration", function () {
  this.timeout(120_000);
  let a: RunningEmulator;
  let b: RunningEmulator;
  let plugin: PluginProcess;
  const started: PluginProcess[] = [];

  async function start(env: NodeJS.ProcessEnv = {}): Promise<PluginProcess> {
    const p = await PluginProcess.start({ via: "bin" }, { env });
    started.push(p);
    return p;
  }

  before(async () => {
    a = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    b = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    plugin = await start();
  });
  after(async () => {
    await Promise.all(started.map((p) => p.close()));
    await Promise.all([a?.close(), b?.close()]);
  });

  describe("CheckConfig", () => {
    it("reports every bad setting at once, each naming its key, with suggestions", async () => {
      const { failures } = await plugin.checkConfig({
        urll: "https://wallaroo.example.com",
        authUrl: "keycloak.example.com:8443",
        edition: "enterprize",
        insecureSkipTlsVerify: "yes",
        maxRetries: "-1",
        retryTimeoutSeconds: 0,
        username: 42,
        password: secret("Pw-not-shown-1"),
      });
      const by = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
      assert.deepEqual(Object.keys(by).sort(), [
        "authUrl",
        "edition",
        "insecureSkipTlsVerify",
        "maxRetries",
        "retryTimeoutSeconds",
        "urll",
        "username",
      ]);
      assert.match(by.urll!, /wallaroo:urll is not a setting .*did you mean wallaroo:url\?/);
      assert.match(by.authUrl!, /has no scheme.*https:\/\/keycloak\.example\.com:8443/);
      assert.match(by.edition!, /community or enterprise, not 'enterprize' \(did you mean 'enterprise'\?\)/);
      assert.match(by.insecureSkipTlsVerify!, /must be true or false, not 'yes'/);
      assert.match(by.maxRetries!, /whole number from 0 to 100, not '-1'/);
      assert.match(by.retryTimeoutSeconds!, /above 0/);
      assert.match(by.username!, /wallaroo:username must be text, not a number/);
      assert.ok(!JSON.stringify(failures).includes("Pw-not-shown-1"), "no secret value in a failure");
    });

    it("accepts text and typed values, values unknown in preview and the engine's version key, and returns the credentials as secrets", async () => {
      const { inputs, failures } = await plugin.checkConfig({
        url: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        username: "admin",
        password: "not-set-with-secret",
        token: "",
        insecureSkipTlsVerify: true,
        maxRetries: 3,
        retryTimeoutSeconds: "2.5",
        edition: "Enterprise",
        version: "0.1.0",
      });
      assert.deepEqual(failures, []);
      assert.ok(isSecret(inputs.password), "password is stored as a secret even when set without --secret");
      assert.ok(isSecret(inputs.token));
      assert.equal(inputs.username, "admin");
      assert.equal(inputs.version, "0.1.0");
    });
  });

  it("DiffConfig lists the settings that changed and never replaces the provider", async () => {
    const d = await plugin.diffConfig(
      { url: a.url, username: "admin", password: secret("one"), maxRetries: "3" },
      { url: b.url, username: "admin", password: secret("two"), maxRetries: 3 },
    );
    assert.equal(d.changes, "some");
    assert.deepEqual(d.diffs.sort(), ["password", "url"]);
    assert.deepEqual(d.replaces, []);
    assert.deepEqual(d.detailed.url, { kind: "update", inputDiff: true });
    const same = await plugin.diffConfig({ url: a.url }, { url: a.url });
    assert.equal(same.changes, "none");
  });

  it("Configure accepts secrets, and the password inside the engine's envelope logs in", async () => {
    const p = await start();
    const answer = await p.configure(stackConfig(a));
    assert.deepEqual(answer, { acceptSecrets: true, supportsPreview: false });
    const { inputs } = await p.check(USER, "carol", { email: "carol@example.com" });
    const { outputs } = await p.create(USER, "carol", inputs);
    assert.equal(outputs.email, "carol@example.com");
    assert.ok(a.users().some((u) => u.email === "carol@example.com" && u.enabled));
  });

  it("Configure refuses a configuration CheckConfig would fail, naming the key", async () => {
    const p = await start();
    await assert.rejects(p.configure({ url: a.url, edition: "comunity" }), (e: any) =>
      /wallaroo:edition must be community or enterprise, not 'comunity' \(did you mean 'community'\?\)/.test(e.details),
    );
  });

  it("falls back to the WALLAROO_* environment of its process for what the configuration leaves unset", async () => {
    const p = await start({ WALLAROO_URL: b.url, WALLAROO_USER: "admin", WALLAROO_PASSWORD: ADMIN_PASSWORD });
    await p.configure({});
    await p.create(USER, "dave", (await p.check(USER, "dave", { email: "dave@example.com" })).inputs);
    assert.ok(b.users().some((u) => u.email === "dave@example.com"));
    assert.ok(!a.users().some((u) => u.email === "dave@example.com"));
  });

  it("lets a configured url win over WALLAROO_URL, and its own credentials over the environment's", async () => {
    const p = await start({ WALLAROO_URL: b.url, WALLAROO_USER: "admin", WALLAROO_PASSWORD: "wrong-password" });
    await p.configure(stackConfig(a));
    await p.create(USER, "erin", (await p.check(USER, "erin", { email: "erin@example.com" })).inputs);
    assert.ok(
      a.users().some((u) => u.email === "erin@example.com"),
      "created where the configuration points",
    );
    assert.ok(!b.users().some((u) => u.email === "erin@example.com"));
  });

  it("serves two Wallaroo instances from two provider processes, each with its own configuration and client", async () => {
    const [pa, pb] = await Promise.all([start(), start()]);
    await pa.configure(stackConfig(a));
    await pb.configure({ url: b.url, token: secret(b.issueToken()) });
    const inputs = (await pa.check(USER, "frank", { email: "frank@example.com" })).inputs;
    const [onA, onB] = await Promise.all([pa.create(USER, "frank", inputs), pb.create(USER, "frank", inputs)]);
    const idA = a.users().find((u) => u.email === "frank@example.com")?.id;
    const idB = b.users().find((u) => u.email === "frank@example.com")?.id;
    assert.ok(idA && idB && idA !== idB, "one user on each instance");
    assert.equal(onA.id, idA);
    assert.equal(onB.id, idB);
    // Each reads its own instance: A's id is unknown to B.
    assert.equal((await pb.read(USER, "frank", idA, { outputs: onA.outputs, inputs })).id, "");
  });
});
