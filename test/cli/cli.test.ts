import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RunningEmulator, startEmulator } from "../../emulator";
import type { StoredUser } from "../../emulator";
import { parseArgs, UsageError } from "../../cli/args";
import { groupDigits } from "../../cli/run";
import { parseRoster } from "../../roster";
import { emailProblem, WallarooClient } from "../../sdk";
import { REPO_INDEX, typeErrors } from "../support/typecheck";
import { cli, type CliResult } from "../support/cli";
import { type RawServer, reply, startRawServer } from "../support/rawServer";

const REPO = resolve(__dirname, "..", "..", "..");
const ADMIN_PASSWORD = "adm1n-Secret-pw";

function assertNoStackTrace(text: string): void {
  assert.doesNotMatch(text, /^\s+at .+[(:]\d+/m, `stack trace in:\n${text}`);
}

/** Type-checks a program that imports "pulumi-wallaroo", resolved to this repository's index.ts. */
function typeCheck(dir: string, source: string): string[] {
  const file = join(dir, "index.ts");
  writeFileSync(file, source);
  return typeErrors(file, { "pulumi-wallaroo": [REPO_INDEX] });
}

describe("wallaroo-users", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  /** Seeded users, as the emulator stores them. */
  let seeded: StoredUser[];

  /** Users that generated code should manage: with a well-formed email. */
  const manageable = () => emu.users().filter((u) => u.email !== undefined && emailProblem(u.email) === undefined);

  before(async function () {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise" });
    env = { WALLAROO_URL: emu.url, WALLAROO_USER: "admin", WALLAROO_PASSWORD: ADMIN_PASSWORD };
    dir = mkdtempSync(join(tmpdir(), "wallaroo-users-test-"));
    seeded = [];
    for (let i = 1; i <= 26; i++) {
      seeded.push(emu.addUser({ email: `user${String(i).padStart(2, "0")}@example.com`, enabled: i % 4 !== 0 }));
    }
    seeded.push(emu.addUser({ email: "a.b@x.com" }));
    seeded.push(emu.addUser({ email: "a-b@x.com", enabled: false }));
    seeded.push(emu.addUser({ email: "josé@exämple.com" }));
    // Not acceptable to wallaroo.User (no dot in the domain): listed, but left out of generated code.
    seeded.push(emu.addUser({ email: "broken@localhost" }));
    // No email, and a username that tries to break out of a // comment and a YAML comment.
    seeded.push(emu.addUser({ username: "svc\u2028export const injected = 1;\nusers: []", enabled: false }));
    assert.equal(emu.users().length, 32, "31 seeded users and the built-in admin");
  });

  after(async function () {
    await emu?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe("list", function () {
    it("prints an aligned table sorted by email, users without an email last", async function () {
      const r = await cli(["list"], env);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split("\n");
      assert.equal(lines.length, 1 + emu.users().length);
      const header = lines[0];
      assert.match(header, /^EMAIL +ACTIVE +ID +CREATED$/);
      const cols = ["ACTIVE", "ID", "CREATED"].map((c) => header.indexOf(c));
      const body = lines.slice(1);
      for (const line of body) {
        for (const c of cols) assert.equal(line[c - 1], " ", `column not aligned in '${line}'`);
        for (const c of cols) assert.notEqual(line[c], " ", `column not aligned in '${line}'`);
        assert.match(line, /\d{4}-\d{2}-\d{2}$/);
      }
      const emails = body.map((l) => l.split(/ {2,}/)[0]);
      const withEmail = emu
        .users()
        .filter((u) => u.email)
        .map((u) => u.email!.toLowerCase())
        .sort();
      assert.deepEqual(emails.slice(0, withEmail.length), withEmail);
      assert.deepEqual(emails.slice(withEmail.length), ["(no email)", "(no email)"]);
      const adminId = emu.users().find((u) => u.username === "admin")!.id;
      assert.ok(
        body.slice(-2).some((l) => l.includes(adminId)),
        "the admin is listed last, without an email",
      );
      const user04 = body.find((l) => l.startsWith("user04@example.com "))!;
      assert.match(user04, /^user04@example\.com +no +/);
      assert.match(
        body.find((l) => l.startsWith("user05@example.com "))!,
        /^user05@example\.com +yes +/,
      );
      assert.match(r.stderr, /^fetched 32 users from http:\/\/127\.0\.0\.1:\d+\/ in \d+\.\d s$/m);
      assert.doesNotMatch(r.stdout, /\u2028/, "control characters are escaped in the table");
    });

    it("prints a JSON array of users with --json", async function () {
      const r = await cli(["list", "--json"], env);
      assert.equal(r.code, 0, r.stderr);
      const users = JSON.parse(r.stdout) as {
        id: string;
        username: string;
        email?: string;
        enabled: boolean;
        createdTimestamp: number;
      }[];
      assert.ok(Array.isArray(users));
      assert.deepEqual(new Set(users.map((u) => u.id)), new Set(emu.users().map((u) => u.id)));
      for (const u of users) {
        const stored = emu.users().find((s) => s.id === u.id)!;
        assert.equal(u.enabled, stored.enabled);
        assert.equal(u.email, stored.email);
        assert.equal(u.username, stored.username);
        assert.equal(u.createdTimestamp, stored.createdTimestamp);
      }
      assert.equal(users[0].email, "a-b@x.com");
      assert.equal(users.at(-1)!.email, undefined);
    });

    it("keeps stderr silent with --quiet", async function () {
      const r = await cli(["list", "--quiet"], env);
      assert.equal(r.code, 0);
      assert.equal(r.stderr, "");
    });

    it("accepts the connection as flags, a token included", async function () {
      const r = await cli(["list", "--url", emu.url, `--token=${emu.issueToken()}`, "-q"], {});
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trimEnd().split("\n").length, 33);
    });

    it("reports progress with grouped digits on a large instance", async function () {
      const big = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise" });
      try {
        for (let i = 0; i < 1200; i++) big.addUser({ email: `member${i}@big.example.com`, enabled: i % 3 !== 0 });
        const r = await cli(["list", "--json"], { ...env, WALLAROO_URL: big.url });
        assert.equal(r.code, 0, r.stderr);
        assert.equal((JSON.parse(r.stdout) as unknown[]).length, 1201);
        assert.match(r.stderr, new RegExp(`^fetched 1,201 users from ${big.url}/ in `, "m"));
      } finally {
        await big.close();
      }
      assert.equal(groupDigits(1234567), "1,234,567");
      assert.equal(groupDigits(999), "999");
    });
  });

  describe("generate --format ts", function () {
    let program: string;
    before(async function () {
      const r = await cli(["generate", "--format", "ts"], env);
      assert.equal(r.code, 0, r.stderr);
      program = r.stdout;
      assert.match(r.stderr, /generated 29 users, 3 left out/);
    });

    it("writes one wallaroo.User per user with an email, with its active state and adoptExisting: true", function () {
      assert.match(program, /^import \* as wallaroo from "pulumi-wallaroo";$/m);
      const users = manageable();
      assert.equal(users.length, 29);
      assert.equal(program.match(/new wallaroo\.User\(/g)?.length, users.length);
      for (const u of users) {
        const line = program.split("\n").find((l) => l.includes(`email: ${JSON.stringify(u.email)},`));
        assert.ok(line, `no wallaroo.User for ${u.email}`);
        assert.ok(line.includes(`active: ${u.enabled}, adoptExisting: true });`), line);
      }
      assert.match(
        program,
        /new wallaroo\.User\("a-b-x-com-[0-9a-f]{8}", \{ email: "a-b@x\.com", active: false, adoptExisting: true \}\);/,
      );
      assert.match(
        program,
        /new wallaroo\.User\("a-b-x-com-[0-9a-f]{8}", \{ email: "a\.b@x\.com", active: true, adoptExisting: true \}\);/,
      );
      assert.match(
        program,
        /new wallaroo\.User\("jose-example-com", \{ email: "josé@exämple\.com", active: true, adoptExisting: true \}\);/,
      );
      assert.match(program, /^export const userIds = \{$/m);
    });

    it("is sorted by email", function () {
      const emails = [...program.matchAll(/email: ("[^"]*")/g)].map((m) => JSON.parse(m[1]) as string);
      assert.deepEqual(emails, [...emails].sort());
    });

    it("explains in a comment why users without an email, or with an unusable one, are left out", function () {
      const admin = emu.users().find((u) => u.username === "admin")!;
      assert.match(program, /^\/\/ Left out: 2 users without an email\. The Wallaroo user API addresses$/m);
      assert.match(
        program,
        /^\/\/ users by email, so a user without one \(such as the built-in admin\) cannot be managed:$/m,
      );
      assert.ok(program.includes(`//   - username "admin" (id ${admin.id})`), program);
      assert.match(program, /^\/\/ {3}- "broken@localhost" .*: the email has no dot in the domain$/m);
      assert.doesNotMatch(program, /email: "broken@localhost"/);
      // The hostile username stays inside its comment.
      assert.doesNotMatch(program, /\u2028/);
      assert.ok(program.includes('//   - username "svc\\u2028export const injected = 1;\\nusers: []" (id '), program);
    });

    it("type-checks against pulumi-wallaroo with strict TypeScript", function () {
      const diagnostics = typeCheck(mkdtempSync(join(dir, "ts-")), program);
      assert.deepEqual(diagnostics, []);
    });

    it("would fail the type check if it were wrong (the check is not vacuous)", function () {
      const broken = program.replace("active: true, adoptExisting: true", 'active: "yes", adoptExisting: true');
      assert.notEqual(broken, program);
      const diagnostics = typeCheck(mkdtempSync(join(dir, "ts-")), broken);
      assert.ok(
        diagnostics.some((d) => /not assignable/.test(d)),
        diagnostics.join("\n"),
      );
    });

    it("writes to a file with --out and keeps stdout empty", async function () {
      const r = await cli(["generate", "--out", "program.ts"], env, dir);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "");
      const written = readFileSync(join(dir, "program.ts"), "utf8");
      assert.equal(written.replace(/^\/\/ Generated by .*$/m, ""), program.replace(/^\/\/ Generated by .*$/m, ""));
      assert.match(r.stderr, /wrote .*program\.ts: 29 users, 3 left out/);
    });
  });

  describe("generate --format roster", function () {
    it("prints a roster that parses back to the users with an email", async function () {
      const r = await cli(["generate", "--format", "roster"], env);
      assert.equal(r.code, 0, r.stderr);
      const entries = parseRoster(r.stdout, "generated");
      const expected = manageable()
        .map((u) => ({ email: u.email!, active: u.enabled }))
        .sort((a, b) => (a.email < b.email ? -1 : 1));
      assert.deepEqual(entries, expected);
      const admin = emu.users().find((u) => u.username === "admin")!;
      assert.ok(r.stdout.includes(`#   - username "admin" (id ${admin.id})`), r.stdout);
      assert.match(r.stdout, /^# Left out: 2 users without an email/m);
      assert.match(r.stdout, /^# {3}- "broken@localhost" /m);
      for (const line of r.stdout.split("\n"))
        assert.ok(line === "" || line.startsWith("#") || /^(users:| {2}- email: | {4}active: false)/.test(line), line);
    });
  });

  describe("errors", function () {
    it("answers a bad flag with the usage on stderr and exit status 2, without touching the server", async function () {
      const before = emu.stats().total;
      const r = await cli(["list", "--jsn"], env);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^wallaroo-users: unknown option '--jsn' \(did you mean '--json'\?\)\n/);
      assert.match(r.stderr, /Usage: wallaroo-users list/);
      assert.equal(emu.stats().total, before);
    });

    it("answers an unknown or missing command, a missing value and a misplaced flag with status 2", async function () {
      for (const [argv, message] of [
        [["lsit"], /unknown command 'lsit' \(did you mean 'list'\?\)/],
        [[], /no command given/],
        [["generate", "--format"], /--format needs a value/],
        [["generate", "--format", "python"], /--format must be ts or roster, not 'python'/],
        [["list", "--format", "ts"], /--format does not apply to 'list'/],
        [["generate", "--json"], /--json does not apply to 'generate'/],
        [["list", "extra"], /unexpected argument 'extra'/],
        [["list", "--url", "a", "--url", "b"], /--url is given more than once/],
      ] as [string[], RegExp][]) {
        const r = await cli(argv, env);
        assert.equal(r.code, 2, argv.join(" "));
        assert.match(r.stderr, message);
        assert.match(r.stderr, /Usage: /);
      }
    });

    it("refuses a --password flag, pointing to the environment instead", async function () {
      const r = await cli(["list", "--password", "hunter2-secret"], env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--password is not accepted.*process list.*WALLAROO_PASSWORD/);
      assert.ok(!r.stderr.includes("hunter2-secret"));
    });

    it("fails with status 1 and names WALLAROO_URL when no URL is configured", async function () {
      const r = await cli(["list"], { WALLAROO_USER: "admin", WALLAROO_PASSWORD: ADMIN_PASSWORD });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^wallaroo-users: error: No Wallaroo API URL is configured/);
      assert.match(r.stderr, /WALLAROO_URL/);
      assert.match(r.stderr, /--url/);
      assertNoStackTrace(r.stderr);
    });

    it("fails with status 1 on a wrong password, without printing it", async function () {
      const wrong = "Wr0ng-pa55word-xyzzy";
      const r = await cli(["list"], { ...env, WALLAROO_PASSWORD: wrong });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^wallaroo-users: error: .*refused/i);
      assert.ok(!r.stderr.includes(wrong), r.stderr);
      assert.ok(!r.stderr.includes(ADMIN_PASSWORD), r.stderr);
      assertNoStackTrace(r.stderr);
    });

    it("fails with status 1 on a rejected token, without printing it", async function () {
      const token = "not-a-valid-token-0123456789abcdef";
      const r = await cli(["list", "--token", token], { WALLAROO_URL: emu.url });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^wallaroo-users: error: The Wallaroo API refused the credentials/);
      assert.ok(!r.stderr.includes(token), r.stderr);
    });

    it("prefers --username over a WALLAROO_TOKEN left in the environment", async function () {
      const r = await cli(["list", "-q", "--username", "admin"], {
        ...env,
        WALLAROO_USER: undefined,
        WALLAROO_TOKEN: "stale-token-value",
      });
      assert.equal(r.code, 0, r.stderr);
    });

    it("fails with status 1 when the server cannot be reached", async function () {
      const port = await new Promise<number>((res) => {
        const s = createServer().listen(0, "127.0.0.1", () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => res(p));
        });
      });
      const r = await cli(["list"], { ...env, WALLAROO_URL: `http://127.0.0.1:${port}` });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^wallaroo-users: error: .*ECONNREFUSED.*WALLAROO_URL/m);
      assert.ok(!r.stderr.includes(ADMIN_PASSWORD));
      assertNoStackTrace(r.stderr);
    });

    it("fails with status 1 when --out cannot be written", async function () {
      const r = await cli(["generate", "--out", join(dir, "no-such-dir", "x.ts")], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /cannot write .*x\.ts: ENOENT/);
    });
  });

  describe("--help", function () {
    it("documents the commands, flags and environment variables on stdout", async function () {
      const r = await cli(["--help"], {});
      assert.equal(r.code, 0);
      assert.equal(r.stderr, "");
      for (const word of [
        "list",
        "generate",
        "--json",
        "--format ts|roster",
        "--out FILE",
        "--url",
        "--auth-url",
        "--username",
        "--token",
        "--quiet",
        "WALLAROO_URL",
        "WALLAROO_AUTH_URL",
        "WALLAROO_TOKEN",
        "WALLAROO_USER",
        "WALLAROO_PASSWORD",
        "WALLAROO_SDK_CREDENTIALS",
        "process list",
        "Exit status",
      ]) {
        assert.ok(r.stdout.includes(word), `--help does not mention ${word}`);
      }
      assert.equal((await cli(["list", "--bogus", "--help"], {})).code, 0, "help wins over other problems");
      assert.equal((await cli(["help"], {})).stdout, r.stdout);
    });
  });

  describe("parseArgs", function () {
    it("reads --flag value, --flag=value and short flags", function () {
      const a = parseArgs(["generate", "--format=roster", "-o", "out.yaml", "-q", "--url", "https://w.example.com"]);
      assert.equal(a.command, "generate");
      assert.equal(a.format, "roster");
      assert.equal(a.out, "out.yaml");
      assert.equal(a.quiet, true);
      assert.equal(a.url, "https://w.example.com");
      assert.equal(parseArgs(["generate"]).format, "ts");
      assert.throws(() => parseArgs(["list", "--quiet=yes"]), UsageError);
      assert.throws(() => parseArgs(["list", "--url="]), /needs a non-empty value/);
    });
  });

  describe("the bin", function () {
    it("runs as `node dist/cli/main.js list`", async function () {
      const main = join(REPO, "dist", "cli", "main.js");
      assert.match(readFileSync(main, "utf8"), /^#!\/usr\/bin\/env node\n/);
      const r = await new Promise<CliResult>((res) => {
        execFile(
          process.execPath,
          [main, "list"],
          { env: { PATH: process.env.PATH, ...env } },
          (error, stdout, stderr) => res({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^EMAIL +ACTIVE +ID +CREATED\n/);
      assert.equal(r.stdout.trimEnd().split("\n").length, 33);
      const bad = await new Promise<CliResult>((res) => {
        execFile(process.execPath, [main, "frobnicate"], { env: { PATH: process.env.PATH } }, (error, stdout, stderr) =>
          res({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unknown command 'frobnicate'/);
    });
  });
});

describe("wallaroo-users generate and the automation's own account", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise" });
    emu.addUser({ email: "ci-bot@example.com", password: "Bot-Secret-pw-9" });
    emu.addUser({ email: "alice@example.com" });
  });
  after(async () => emu?.close());

  for (const format of ["ts", "roster"]) {
    it(`leaves out the account it logs in with (--format ${format}), saying why`, async () => {
      const r = await cli(["generate", "--format", format], {
        WALLAROO_URL: emu.url,
        WALLAROO_USER: "ci-bot@example.com",
        WALLAROO_PASSWORD: "Bot-Secret-pw-9",
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /alice@example\.com/);
      const managedLines = r.stdout.split("\n").filter((l) => !l.startsWith("#") && !l.startsWith("//"));
      assert.ok(!managedLines.some((l) => l.includes("ci-bot@example.com")), r.stdout);
      assert.match(r.stdout, /Left out: the account this was generated with/);
      assert.match(r.stdout, /would deactivate the automation's own account/);
      assert.match(r.stdout, /"ci-bot@example\.com"/);
    });
  }

  it("recognises the account of a token by its claims", async () => {
    const bot = emu.users().find((u) => u.email === "ci-bot@example.com")!;
    const claims = Buffer.from(JSON.stringify({ sub: bot.id })).toString("base64url");
    const token = `eyJhbGciOiJub25lIn0.${claims}.sig`;
    const c = new WallarooClient({ url: emu.url, token, env: {} });
    assert.deepEqual(c.account, { username: undefined, userId: bot.id });
    await c.close();
  });
});

describe("wallaroo-users seats", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  before(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "community" });
    env = { WALLAROO_URL: emu.url, WALLAROO_USER: "admin", WALLAROO_PASSWORD: ADMIN_PASSWORD };
    for (const e of ["ann", "ben", "cat", "dan"]) emu.addUser({ email: `${e}@example.com` });
    emu.addUser({ email: "old@example.com", enabled: false });
    dir = mkdtempSync(join(tmpdir(), "wallaroo-seats-"));
  });
  after(async () => {
    await emu?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints the active and inactive users and the community limit", async () => {
    const r = await cli(["seats"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Seats on http:\/\/127\.0\.0\.1:\d+\/: 4 active users, 1 inactive; the community licence \(assumed: neither --edition nor WALLAROO_EDITION is set\) allows 5\./,
    );
    assert.match(
      r.stdout,
      /Active \(4\):\n {2}ann@example\.com\n {2}ben@example\.com\n {2}cat@example\.com\n {2}dan@example\.com\n/,
    );
    assert.match(r.stdout, /Inactive \(1\):\n {2}old@example\.com/);
    assert.doesNotMatch(r.stdout, /admin/, "the built-in admin holds no seat");
  });

  it("gives the exact unmanagedActiveUsers and the policy config for the emails a roster manages", async () => {
    const roster = join(dir, "team.yaml");
    writeFileSync(
      roster,
      "users:\n  - email: Ann@Example.com\n  - email: ben@example.com\n  - email: new@example.com\n",
    );
    const r = await cli(["seats", "--roster", roster], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /manages 3 emails, 2 of them active here; 2 active users are outside it\./);
    assert.match(
      r.stdout,
      /team\.yaml fits: 5 active Wallaroo users after the update \(3 in this stack \+ 2 active outside it, counted live\), 5 licence seats at its peak; the community licence \(assumed: [^)]*\) allows 5\./,
    );
    assert.match(r.stdout, /^unmanagedActiveUsers: 2$/m);
    const json = r.stdout.slice(r.stdout.indexOf("{"));
    assert.deepEqual(JSON.parse(json), {
      "wallaroo-active-user-limit": { edition: "community", unmanagedActiveUsers: 2 },
    });
  });

  it("answers JSON with --json, from a --program-users file, with --limit", async () => {
    const file = join(dir, "emails.txt");
    writeFileSync(file, "# the stack's users\nann@example.com\n\ncat@example.com # lead\n");
    const r = await cli(["seats", "--program-users", file, "--limit", "10", "--json"], env);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(report.seatsUsed, 4);
    assert.equal(report.limit, 10);
    assert.deepEqual(report.inactive, ["old@example.com"]);
    assert.deepEqual(report.policyConfig, {
      "wallaroo-active-user-limit": { edition: "community", maxActiveUsers: 10, unmanagedActiveUsers: 2 },
    });
  });

  it("says where the edition came from: --edition, else WALLAROO_EDITION, else assumed", async () => {
    const first = async (argv: string[], e: NodeJS.ProcessEnv) => {
      const r = await cli(["seats", ...argv], e);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.split("\n")[0];
    };
    assert.match(
      await first([], { ...env, WALLAROO_EDITION: "enterprise" }),
      /; the enterprise licence \(from WALLAROO_EDITION\) has no limit\.$/,
    );
    assert.match(
      await first(["--edition", "community"], { ...env, WALLAROO_EDITION: "enterprise" }),
      /; the community licence \(from --edition\) allows 5\.$/,
    );
    assert.match(await first(["--limit", "7"], env), /; the configured limit \(--limit\) allows 7\.$/);
    const json = JSON.parse((await cli(["seats", "--json"], { ...env, WALLAROO_EDITION: "Enterprise" })).stdout);
    assert.deepEqual([json.edition, json.editionSource, json.limit], ["enterprise", "environment", null]);
    const typo = await cli(["seats"], { ...env, WALLAROO_EDITION: "enterprize" });
    assert.equal(typo.code, 1);
    assert.match(
      typo.stderr,
      /WALLAROO_EDITION must be community or enterprise, not 'enterprize' \(did you mean 'enterprise'\?\)/,
    );
  });

  it("exits 3 with the policy's words when the roster does not fit at its peak or at the end, JSON carrying the figures", async () => {
    const peak = join(dir, "peak.yaml");
    writeFileSync(
      peak,
      "users:\n  - email: ann@example.com\n  - email: ben@example.com\n  - email: new@example.com\n  - email: late@example.com\n    active: false\n",
    );
    const r = await cli(["seats", "--roster", peak], env);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stdout,
      /peak\.yaml does not fit: 6 licence seats are needed during this update, but the community licence \(assumed: [^)]*\) allows 5: 5 stay active \(3 in this stack \+ 2 active outside it, counted live\) and 1 user holds a seat only while it runs, .*: late@example\.com\. Create it in an earlier pulumi up/,
    );
    const json = await cli(["seats", "--roster", peak, "--json"], env);
    assert.equal(json.code, 3);
    const { fit } = JSON.parse(json.stdout);
    assert.deepEqual(
      [fit.activeAfterUpdate, fit.seatsAtPeak, fit.unmanaged, fit.existing, fit.invited, fit.transient, fit.fits],
      [5, 6, 2, 2, 2, ["late@example.com"], false],
    );
    assert.match(fit.violation, /^6 licence seats are needed during this update/);

    const over = join(dir, "over.yaml");
    writeFileSync(
      over,
      "users:\n  - email: ann@example.com\n  - email: new1@example.com\n  - email: new2@example.com\n  - email: new3@example.com\n",
    );
    const end = await cli(["seats", "--roster", over], env);
    assert.equal(end.code, 3);
    assert.match(
      end.stdout,
      /over\.yaml does not fit: 7 active Wallaroo users requested \(4 in this stack \+ 3 active outside it, counted live\), but the community licence \([^)]*\) allows 5\. Deactivate 2 \(set active: false\)/,
    );
    // The same roster fits an enterprise licence, and a limit that holds it.
    assert.equal((await cli(["seats", "--roster", over, "--edition", "enterprise"], env)).code, 0);
    assert.equal((await cli(["seats", "--roster", over, "--limit", "7"], env)).code, 0);
  });

  it("answers --limit -1 as --limit=-1, and refuses a number too large to count", async () => {
    for (const argv of [["--limit", "-1"], ["--limit=-1"], ["--limit", "-1.5"], ["--limit", "99999999999999999999"]]) {
      const r = await cli(["seats", ...argv], env);
      assert.equal(r.code, 2, argv.join(" "));
      assert.match(r.stderr, /^wallaroo-users: --limit must be a whole number of active users, not '-?[\d.]+'\n/);
    }
    // A flag after --limit is still a missing value.
    assert.match((await cli(["seats", "--limit", "--json"], env)).stderr, /--limit needs a value/);
  });

  it("fails naming the file when it cannot be read, and refuses both sources at once", async () => {
    const r = await cli(["seats", "--program-users", join(dir, "missing.txt")], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read --program-users .*missing\.txt: ENOENT/);
    const both = await cli(["seats", "--roster", "a", "--program-users", "b"], env);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give --roster or --program-users, not both/);
    const typo = await cli(["seats", "--edition", "comunity"], env);
    assert.equal(typo.code, 2);
    assert.match(
      typo.stderr,
      /--edition must be community or enterprise, not 'comunity' \(did you mean 'community'\?\)/,
    );
  });
});

describe("wallaroo-users list: users from a User Federation provider", function () {
  // The emulator stores no federated users: a loopback server answers the documented Keycloak shape.
  let server: RawServer;
  before(async () => {
    const user = (id: string, email: string, federationLink?: string) => ({
      id,
      username: email,
      email,
      enabled: true,
      createdTimestamp: 1_700_000_000_000,
      ...(federationLink ? { federationLink } : {}),
    });
    server = await startRawServer((req, res) => {
      if (req.url === "/v1/api/users/query")
        reply(res, 200, {
          users: { u1: user("u1", "ldap@example.com", "corp-ldap"), u2: user("u2", "local@example.com") },
        });
      else if (req.url === "/v1/api/workspaces/list") reply(res, 200, { workspaces: [] });
      else reply(res, 404, { msg: "not found" });
    });
  });
  after(async () => server?.close());

  it("shows federationLink in a FEDERATION column and in the JSON", async () => {
    const env = { WALLAROO_URL: server.url, WALLAROO_TOKEN: "test-token" };
    const table = await cli(["list", "--quiet"], env);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^EMAIL +ACTIVE +ID +CREATED +FEDERATION$/);
    assert.match(lines[1]!, /^ldap@example\.com +yes +u1 +2023-11-14 +corp-ldap$/);
    assert.match(lines[2]!, /^local@example\.com +yes +u2 +2023-11-14 +-$/);
    const json = await cli(["list", "--json", "--quiet"], env);
    const users = JSON.parse(json.stdout) as { email: string; federationLink?: string }[];
    assert.deepEqual(
      users.map((u) => [u.email, u.federationLink]),
      [
        ["ldap@example.com", "corp-ldap"],
        ["local@example.com", undefined],
      ],
    );
  });
});
