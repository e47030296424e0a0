/**
 * Secrets and access: no credential in `__provider`, the state (outside secret
 * values), any log or any error of a full run; HTTPS verified by default, a
 * private CA by setting, verification off only when asked and with a warning;
 * the emulator refusing every user endpoint without a live token.
 */
import assert from "node:assert/strict";
import { request } from "undici";
import { RunningEmulator, startEmulator } from "../../emulator";
import { WallarooClient } from "../../sdk";
import { assertOk } from "../harness";
import { ADMIN_PASSWORD, PROJECT, roster, startWorld, World } from "../support/world";
import { API, leaks, makeCa, program, Proxy, sleep, startRecordingProxy, TestCa, TOKEN_PATH } from "./helpers";

const BOB_PASSWORD = "Bob-Secret-Pw-1234";
const CAROL_PASSWORD = "Carol-Literal-Pw-5678";
const ECHO_PASSWORD = "Echo-Secret-Pw-9012";
const STATIC_TOKEN = "static-token-7f3a9c1e5b2d";
const WRONG_TOKEN = "wrong-token-4e8d2a6c0f1b";

describe("reliability: no credential leaks from a full run", function () {
  this.timeout(180_000);
  let world: World;
  let proxy: Proxy;

  before(async () => {
    world = await startWorld({ edition: "enterprise", staticTokens: [STATIC_TOKEN], tokenTtlSeconds: 3 });
    proxy = await startRecordingProxy(world.emu.url);
    // A server that echoes the request (body and Authorization header) in its error, as some do.
    proxy.intercept = (path, body, req, res) => {
      if (path !== `${API}/invite` || !body.includes("echo@example.com")) return false;
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ msg: `Bad request ${body} with ${req.headers.authorization}` }));
      return true;
    };
  });
  after(async () => {
    await proxy?.close();
    await world?.close();
  });

  it("password grant: up (with failures), refresh, update and destroy leave the admin password, user passwords, issued passwords and tokens nowhere", async () => {
    const engine = world.engine({
      config: {
        "wallaroo:url": proxy.url,
        [`${PROJECT}:bobPassword`]: BOB_PASSWORD,
        [`${PROJECT}:echoPassword`]: ECHO_PASSWORD,
      },
      secretConfigKeys: [`${PROJECT}:bobPassword`, `${PROJECT}:echoPassword`],
    });
    const users = (aliceActive: boolean) => `
new wallaroo.User("alice", { email: "alice@example.com", active: ${aliceActive} });
new wallaroo.User("bob", { email: "bob@example.com", active: false, password: cfg.requireSecret("bobPassword") });
new wallaroo.User("carol", { email: "carol@example.com", password: "${CAROL_PASSWORD}" });
new wallaroo.User("echo", { email: "echo@example.com", password: cfg.requireSecret("echoPassword") });
new wallaroo.User("typo", { email: "typo@example.com", passwrd: cfg.requireSecret("bobPassword") } as any);
`;
    world.program("secrets.ts", program(users(true)));
    const up = await engine.up("secrets.ts");
    assert.deepEqual(up.failed.map((f) => f.urn.split("::").pop()).sort(), ["echo", "typo"]);
    const echo = up.failed.find((f) => f.urn.endsWith("::echo"))!.message;
    // The action is said once (#22): the provider's context, then the client's reason and endpoint.
    assert.match(
      echo,
      /^Cannot create Wallaroo user 'echo@example.com': the request was rejected \(POST \/v1\/api\/users\/invite/,
    );
    assert.doesNotMatch(echo, /Cannot invite/);
    assert.match(echo, /\[redacted\]/, "the echoed password and token were replaced");
    // Not even a prefix: the body is redacted before it is shortened for the message.
    assert.doesNotMatch(echo, /Bearer ey/, "no part of the token is left");
    assert.match(
      up.failed.find((f) => f.urn.endsWith("::typo"))!.message,
      /unknown property 'passwrd' \(did you mean 'password'\?\)/,
    );

    // Secrets are secret values in the state.
    assert.ok(engine.isSecretInState("bob", "inputs", "password"));
    assert.ok(engine.isSecretInState("carol", "inputs", "password"));
    assert.ok(engine.isSecretInState("alice", "outputs", "initialPassword"));
    const issued = String(engine.getProperty("alice", "outputs", "initialPassword").value);
    assert.ok(issued.length >= 8);

    assert.ok((await engine.refresh()).ok);
    world.program("secrets.ts", program(users(false)));
    const update = await engine.up("secrets.ts");
    assert.deepEqual(
      update.updated.map((u) => u.split("::").pop()),
      ["alice"],
    );
    const d = await engine.destroy();
    assert.ok(d.ok, JSON.stringify(d.failed));

    // Not vacuous: the proxy saw the tokens the provider was issued (they expire every 3 s).
    assert.ok(proxy.tokens.size >= 2, `${proxy.tokens.size} tokens seen`);
    const literals = [ADMIN_PASSWORD, BOB_PASSWORD, CAROL_PASSWORD, ECHO_PASSWORD, issued, ...proxy.tokens];
    assert.deepEqual(leaks(engine, literals), []);
    // And the artifacts searched are the real ones: the state, both processes' output, the errors, __provider.
    const sources = engine.artifacts().map((a) => a.source);
    for (const s of ["state-file", "host#1:stderr", "program#1:stderr", "error:", "__provider#1"])
      assert.ok(
        sources.some((x) => x.startsWith(s)),
        `artifact ${s}`,
      );
  });

  it("a static token (wallaroo:token), accepted or refused, appears nowhere", async () => {
    const good = world.engine({ config: { "wallaroo:token": STATIC_TOKEN }, secretConfigKeys: ["wallaroo:token"] });
    world.program("token.ts", program(`new wallaroo.User("tok", { email: "tok@example.com" });`));
    assertOk(await good.up("token.ts"));
    assert.ok((await good.destroy()).ok);
    assert.deepEqual(leaks(good, [STATIC_TOKEN, ADMIN_PASSWORD]), []);

    const bad = world.engine({ config: { "wallaroo:token": WRONG_TOKEN }, secretConfigKeys: ["wallaroo:token"] });
    world.program("token2.ts", program(`new wallaroo.User("tok2", { email: "tok2@example.com" });`));
    const up = await bad.up("token2.ts");
    assert.equal(up.ok, false);
    assert.match(up.failed[0].message, /refused the credentials/);
    assert.deepEqual(leaks(bad, [WRONG_TOKEN, ADMIN_PASSWORD]), []);
  });
});

describe("reliability: HTTPS", function () {
  this.timeout(120_000);
  let ca: TestCa | undefined;
  let world: World;

  before(async function () {
    ca = makeCa();
    if (!ca) this.skip(); // no openssl: no certificate to serve
    world = await startWorld({ tls: { cert: ca.cert, key: ca.key } });
  });
  after(async () => world?.close());

  const oneUser = (name: string) => {
    world.program(`${name}.ts`, program(`new wallaroo.User("${name}", { email: "${name}@example.com" });`));
    return `${name}.ts`;
  };

  it("verifies the certificate by default: a private CA is refused with a message naming wallaroo:caCertPath, and nothing is sent", async () => {
    assert.match(world.emu.url, /^https:/);
    const engine = world.engine();
    world.emu.resetStats();
    const up = await engine.up(oneUser("strict"));
    assert.equal(up.ok, false);
    assert.match(up.failed[0].message, /The TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \([A-Z_]+\)/);
    assert.match(up.failed[0].message, /set wallaroo:caCertPath \(or NODE_EXTRA_CA_CERTS\)/);
    assert.equal(world.emu.stats().total, 0, "no request got through");
    assert.equal(engine.findInArtifacts(["verification is OFF"]).length, 0, "no warning when verification is on");
  });

  it("trusts a private CA given as wallaroo:caCertPath", async () => {
    const engine = world.engine({ config: { "wallaroo:caCertPath": ca!.caPath } });
    assertOk(await engine.up(oneUser("withca")));
    assert.equal(roster(world.emu)["withca@example.com"], true);
  });

  it("trusts a private CA given as NODE_EXTRA_CA_CERTS in the provider's environment", async () => {
    const engine = world.engine({ env: { NODE_EXTRA_CA_CERTS: ca!.caPath } });
    assertOk(await engine.up(oneUser("extraca")));
    assert.equal(roster(world.emu)["extraca@example.com"], true);
  });

  it("turns verification off only with wallaroo:insecureSkipTlsVerify: true, and prints a warning", async () => {
    const engine = world.engine({ config: { "wallaroo:insecureSkipTlsVerify": "true" } });
    assertOk(await engine.up(oneUser("insecure")));
    assert.equal(roster(world.emu)["insecure@example.com"], true);
    const warned = engine.findInArtifacts(["warning: TLS certificate verification is OFF"]);
    assert.ok(
      warned.some((h) => /^host#\d+:stderr$/.test(h.source)),
      `warning in ${JSON.stringify(warned)}`,
    );
    const off = world.engine({ config: { "wallaroo:insecureSkipTlsVerify": "false" } });
    assert.equal((await off.up(oneUser("notoff"))).ok, false, "false keeps verification on");
  });
});

describe("reliability: tokens", function () {
  this.timeout(60_000);
  const ENDPOINTS = ["query", "invite", "activate", "deactivate"] as const;
  let emu: RunningEmulator;

  before(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, tokenTtlSeconds: 0.5, edition: "enterprise" });
    emu.addUser({ email: "target@example.com", enabled: true });
  });
  after(async () => emu?.close());

  const post = async (path: string, authorization: string | undefined, body: unknown) => {
    const res = await request(emu.url + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }) },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, text, wwwAuthenticate: res.headers["www-authenticate"] };
  };
  const bodyFor = (op: string) =>
    op === "query"
      ? {}
      : op === "invite"
        ? { email: "intruder@example.com", password: "Intruder-Pw-1" }
        : { email: "target@example.com" };

  it("the emulator refuses every user endpoint without a valid, unexpired access token, and changes nothing", async () => {
    const login = async () => {
      const res = await request(emu.url + TOKEN_PATH, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          client_id: "sdk-client",
          grant_type: "password",
          username: "admin",
          password: ADMIN_PASSWORD,
        }).toString(),
      });
      return (await res.body.json()) as { access_token: string; refresh_token: string };
    };
    const expired = (await login()).access_token;
    const { refresh_token } = await login();
    const other = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    const foreign = other.issueToken(); // valid, but minted by another server (or before a restart)
    await other.close();
    await sleep(700); // `expired` is now past its 0.5 s life
    const before = JSON.stringify(emu.users());
    const variants: Array<[string, string | undefined]> = [
      ["no Authorization header", undefined],
      ["an empty header", ""],
      ["Basic credentials", `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`],
      ["Bearer without a token", "Bearer"],
      ["a made-up token", "Bearer made-up-token"],
      ["an expired token", `Bearer ${expired}`],
      ["a refresh token used as an access token", `Bearer ${refresh_token}`],
      ["another server's token", `Bearer ${foreign}`],
      ["a token followed by junk", `Bearer ${emu.issueToken()} junk`],
    ];
    for (const op of ENDPOINTS) {
      for (const [what, auth] of variants) {
        const r = await post(`${API}/${op}`, auth, bodyFor(op));
        assert.equal(r.status, 401, `${op} with ${what}: ${r.status} ${r.text}`);
        assert.equal(r.wwwAuthenticate, "Bearer", `${op} with ${what}`);
      }
    }
    assert.equal(JSON.stringify(emu.users()), before, "no refused request changed anything");
    // Control: a live token is accepted on every endpoint.
    const live = `Bearer ${emu.issueToken()}`;
    for (const op of ENDPOINTS) assert.equal((await post(`${API}/${op}`, live, bodyFor(op))).status, 200, op);
  });

  it("a token that expires while a call waits to retry is renewed before the retry (no spurious 'refused the credentials')", async () => {
    const e = await startEmulator({ adminPassword: ADMIN_PASSWORD, tokenTtlSeconds: 1, edition: "enterprise" });
    const client = new WallarooClient({ env: {}, url: e.url, username: "admin", password: ADMIN_PASSWORD });
    try {
      // Each wait (Retry-After: 2) outlives the 1 s token. Seed 8 rolls 429, pass, 429, pass: a client that re-sends the
      // token it started with gets 401, renews once, gets 429, re-sends the expired token again and fails on the second 401.
      e.setFaults([{ endpoint: `${API}/invite`, status: 429, retryAfterSeconds: 2, failureRate: 0.5 }], 8);
      const invited = await client.inviteUser({ email: "patient@example.com" });
      assert.equal(e.users().find((u) => u.email === "patient@example.com")?.id, invited.id);
      assert.equal(e.stats().byStatus["401"], undefined, "no request went out with an expired token");
    } finally {
      await client.close();
      await e.close();
    }
  });
});
