import { strict as assert } from "node:assert";
import { ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { login, post, send, tempDir } from "./helpers";

const CLI = resolve(__dirname, "../../emulator/cli.js");
const READY = /^wallaroo-emulator listening on (https?:\/\/\S+)\n$/;

interface Proc {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Spawns the bin and resolves once its ready line is out. */
function start(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  const child = spawn(process.execPath, [CLI, "--port", "0", ...args], { env: { ...process.env, ...env } });
  let out = "";
  let err = "";
  const exit = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${err}`)), 10_000);
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", (d) => {
      out += d;
      const m = READY.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, url: m[1], stdout: () => out, stderr: () => err, exit });
      }
    });
    void exit.then((code) => reject(new Error(`exited ${code} before ready; stderr: ${err}`)));
  });
}

function runToEnd(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 10_000,
  });
}

describe("wallaroo-emulator (the bin)", () => {
  const running: Proc[] = [];
  afterEach(() => {
    for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill("SIGKILL");
  });

  it("prints exactly one ready line, serves the API, and exits 0 on SIGTERM", async () => {
    const p = await start(["--host", "127.0.0.1"], { WALLAROO_EMULATOR_ADMIN_PASSWORD: "From-Env-1" });
    running.push(p);
    assert.match(p.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const token = await login(p.url, "admin", "From-Env-1");
    const r = await post(p.url, "/v1/api/users/invite", { email: "cli@example.com" }, token);
    assert.equal(r.status, 200);
    p.child.kill("SIGTERM");
    assert.equal(await p.exit, 0);
    assert.match(p.stdout(), READY, "nothing else on stdout");
    assert.equal(p.stderr(), "");
  });

  it("closes cleanly on SIGINT too", async () => {
    const p = await start([]);
    running.push(p);
    p.child.kill("SIGINT");
    assert.equal(await p.exit, 0);
  });

  it("takes --admin-password, --edition, --max-active-users and --token-ttl", async () => {
    const p = await start([
      "--admin-password",
      "Flag-Pass-1",
      "--edition",
      "enterprise",
      "--max-active-users",
      "1",
      "--token-ttl",
      "42",
    ]);
    running.push(p);
    const t = await send(
      p.url,
      "POST",
      "/auth/realms/master/protocol/openid-connect/token",
      new URLSearchParams({
        client_id: "sdk-client",
        grant_type: "password",
        username: "admin",
        password: "Flag-Pass-1",
      }).toString(),
      { "content-type": "application/x-www-form-urlencoded" },
    );
    assert.equal(t.body.expires_in, 42);
    const token = t.body.access_token;
    assert.equal((await post(p.url, "/v1/api/users/invite", { email: "one@example.com" }, token)).status, 200);
    assert.equal((await post(p.url, "/v1/api/users/invite", { email: "two@example.com" }, token)).status, 403);
    // Enterprise serves Keycloak's admin endpoints, which know no licence: the limit is the MLOps API's only.
    const created = await post(
      p.url,
      "/auth/admin/realms/master/users",
      { username: "three@example.com", email: "three@example.com", enabled: true },
      token,
    );
    assert.equal(created.status, 201);
    assert.match(String(created.headers.location), /\/auth\/admin\/realms\/master\/users\/[0-9a-f-]+$/);
  });

  it("keeps users in --data across processes", async () => {
    const data = join(tempDir("wl-emu-cli-"), "w.json");
    const first = await start(["--data", data]);
    running.push(first);
    const r = await post(
      first.url,
      "/v1/api/users/invite",
      { email: "kept@example.com" },
      await login(first.url, "admin", "admin"),
    );
    first.child.kill("SIGTERM");
    assert.equal(await first.exit, 0);
    const second = await start(["--data", data]);
    running.push(second);
    const q = await post(
      second.url,
      "/v1/api/users/query",
      { user_ids: [r.body.id] },
      await login(second.url, "admin", "admin"),
    );
    assert.equal(q.body.users[r.body.id].email, "kept@example.com");
  });

  it("exposes /__emulator/ only with --control, and applies --fault rules", async () => {
    const off = await start([]);
    running.push(off);
    assert.equal((await send(off.url, "GET", "/__emulator/stats")).status, 404);
    const on = await start(["--control", "--fault", '{"endpoint":"/v1/api/users/query","status":503,"count":1}']);
    running.push(on);
    assert.equal((await send(on.url, "GET", "/__emulator/stats")).status, 200);
    const token = (await send(on.url, "POST", "/__emulator/tokens")).body.access_token;
    assert.equal((await post(on.url, "/v1/api/users/query", {}, token)).status, 503);
    assert.equal((await post(on.url, "/v1/api/users/query", {}, token)).status, 200);
  });

  describe("bad flags", () => {
    const cases: [string, string[], RegExp][] = [
      ["an unknown flag", ["--bogus"], /unknown option '--bogus'/],
      ["a misspelt flag", ["--prot", "80"], /unknown option '--prot' \(did you mean '--port'\?\)/],
      [
        "a fault on an endpoint that does not exist",
        ["--fault", '{"endpoint":"/v1/api/users/invit","status":503}'],
        /no endpoint "\/v1\/api\/users\/invit" \(did you mean "\/v1\/api\/users\/invite"\?\)/,
      ],
      [
        "a fault for a method its endpoint does not serve",
        ["--fault", '{"endpoint":"/v1/api/users/invite","method":"GET","status":503}'],
        /\/v1\/api\/users\/invite serves no "GET" \(it serves POST\)/,
      ],
      ["a fault whose status is not a failure", ["--fault", '{"endpoint":"*","status":204}'], /between 400 and 599/],
      ["a non-numeric port", ["--port", "http"], /--port must be an integer/],
      ["a negative port, spelt --port -1", ["--port", "-1"], /--port must be an integer from 0 to 65535, not '-1'/],
      ["a negative port, spelt --port=-1", ["--port=-1"], /--port must be an integer from 0 to 65535, not '-1'/],
      ["a negative licence limit", ["--max-active-users", "-1"], /--max-active-users must be/],
      ["an unknown edition", ["--edition", "gold"], /--edition must be community or enterprise/],
      ["a fault that is not JSON", ["--fault", "{nope"], /--fault #1 is not valid JSON/],
      ["an invalid fault", ["--fault", '{"failureRate":3}'], /failureRate/],
      ["a cert without a key", ["--tls-cert", "x.pem"], /--tls-cert and --tls-key go together/],
      ["a missing value", ["--port"], /argument missing/],
      ["a positional argument", ["serve"], /Unexpected argument/],
    ];
    for (const [what, args, message] of cases) {
      it(`exit 2 with a one-line usage error for ${what}`, () => {
        const r = runToEnd(args);
        assert.equal(r.status, 2, r.stderr);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, message);
        assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
      });
    }
  });

  it("--help prints usage and exits 0", () => {
    const r = runToEnd(["--help"]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: wallaroo-emulator/);
    assert.match(r.stdout, /WALLAROO_EMULATOR_ADMIN_PASSWORD/);
    assert.match(r.stdout, /--data FILE +persist users and workspaces to FILE/);
    assert.equal(runToEnd(["-h"]).stdout, r.stdout);
  });

  it("--version prints the package's version and exits 0", () => {
    const r = runToEnd(["--version"]);
    assert.equal(r.status, 0, r.stderr);
    const { version } = JSON.parse(readFileSync(join(__dirname, "../../../package.json"), "utf8")) as {
      version: string;
    };
    assert.equal(r.stdout, `wallaroo-emulator ${version}\n`);
  });

  it("refuses a corrupt --data file with exit 1 and a message naming it", () => {
    const data = join(tempDir("wl-emu-cli-"), "bad.json");
    writeFileSync(data, "garbage");
    const r = runToEnd(["--port", "0", "--data", data]);
    assert.equal(r.status, 1);
    assert.ok(r.stderr.includes(data), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
