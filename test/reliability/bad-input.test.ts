/**
 * A typo never changes anything: bad inputs, bad settings and bad servers each
 * fail `pulumi up` with a message naming the field or setting, and nothing is
 * sent that would change the server.
 */
import assert from "node:assert/strict";
import { Engine, UpSummary } from "../harness";
import { RawServer, reply, startRawServer } from "../support/rawServer";
import { ADMIN_PASSWORD, mutatingCalls, PROJECT, roster, startWorld, World } from "../support/world";
import { nameOf, program, TOKEN_PATH } from "./helpers";

interface InputCase {
  title: string;
  /** The second argument of `new wallaroo.User(name, ...)`, as TypeScript. */
  args: string;
  field: string;
  message: RegExp;
}

const LONG_LOCAL = "a".repeat(65);
const LONG = `${"b".repeat(60)}@${"c".repeat(60)}.${"d".repeat(60)}.${"e".repeat(60)}.example.com`; // 255 characters

const INPUT_CASES: InputCase[] = [
  {
    title: "malformed email (no @)",
    args: `{ email: "not-an-email" }`,
    field: "email",
    message: /email 'not-an-email' is not a valid address: it has no '@'/,
  },
  {
    title: "malformed email (no dot in the domain)",
    args: `{ email: "bob@localhost" }`,
    field: "email",
    message: /has no dot in the domain/,
  },
  {
    title: "malformed email (two @)",
    args: `{ email: "a@b@example.com" }`,
    field: "email",
    message: /characters that are not allowed before the '@'/,
  },
  {
    title: "malformed email (space inside)",
    args: `{ email: "bob smith@example.com" }`,
    field: "email",
    message: /characters that are not allowed before the '@'/,
  },
  {
    title: "malformed email (nothing before @)",
    args: `{ email: "@example.com" }`,
    field: "email",
    message: /nothing before the '@'/,
  },
  {
    title: "malformed email (double dot)",
    args: `{ email: "bob..smith@example.com" }`,
    field: "email",
    message: /not allowed before the '@'/,
  },
  {
    title: "empty email",
    args: `{ email: "" }`,
    field: "email",
    message: /email '' is not a valid address: it is empty/,
  },
  {
    title: "email of spaces only",
    args: `{ email: "   " }`,
    field: "email",
    message: /leading or trailing white space/,
  },
  {
    title: "email with trailing space",
    args: `{ email: "carol@example.com " }`,
    field: "email",
    message: /leading or trailing white space/,
  },
  {
    title: "over-long email (255 characters)",
    args: `{ email: "${LONG}" }`,
    field: "email",
    message: /is longer than 254 characters/,
  },
  {
    title: "over-long local part (65 characters)",
    args: `{ email: "${LONG_LOCAL}@example.com" }`,
    field: "email",
    message: /more than 64 characters before the '@'/,
  },
  {
    title: "unicode: fullwidth @",
    args: `{ email: "alice\\uFF20example.com" }`,
    field: "email",
    message: /has no '@'/,
  },
  {
    title: "unicode: zero-width space",
    args: `{ email: "ali\\u200Bce@example.com" }`,
    field: "email",
    message: /invisible character U\+200B/,
  },
  {
    title: "unicode: right-to-left override",
    args: `{ email: "\\u202Emoc.elpmaxe@eve" }`,
    field: "email",
    message: /invisible character U\+202E/,
  },
  {
    title: "unicode: emoji domain",
    args: `{ email: "bob@\\u{1F600}.com" }`,
    field: "email",
    message: /has an invalid domain/,
  },
  { title: "email missing", args: `{} as any`, field: "email", message: /email is required/ },
  {
    title: "email of the wrong type (number)",
    args: `{ email: 42 as any }`,
    field: "email",
    message: /email must be a string, not number/,
  },
  {
    title: "email of the wrong type (array)",
    args: `{ email: ["a@example.com"] as any }`,
    field: "email",
    message: /email must be a string, not array/,
  },
  {
    title: "active of the wrong type (string)",
    args: `{ email: "t1@example.com", active: "yes" as any }`,
    field: "active",
    message: /active must be true or false, not string/,
  },
  {
    title: "active of the wrong type (number)",
    args: `{ email: "t2@example.com", active: 1 as any }`,
    field: "active",
    message: /active must be true or false, not number/,
  },
  {
    title: "password of the wrong type",
    args: `{ email: "t3@example.com", password: 12345 as any }`,
    field: "password",
    message: /password must be a string, not number/,
  },
  {
    title: "empty password",
    args: `{ email: "t4@example.com", password: "" }`,
    field: "password",
    message: /password must not be empty/,
  },
  {
    title: "adoptExisting of the wrong type",
    args: `{ email: "t5@example.com", adoptExisting: "true" as any }`,
    field: "adoptExisting",
    message: /adoptExisting must be true or false, not string/,
  },
  {
    title: "unknown property (a typo)",
    args: `{ email: "t6@example.com", emial: "x@example.com" } as any`,
    field: "emial",
    message: /unknown property 'emial' \(did you mean 'email'\?\)/,
  },
  {
    title: "unknown property",
    args: `{ email: "t7@example.com", role: "admin" } as any`,
    field: "role",
    message: /unknown property 'role'; wallaroo.User accepts email, active, password, adoptExisting/,
  },
];

describe("reliability: bad input fails clearly and changes nothing", function () {
  this.timeout(180_000);
  let world: World;
  let raw: RawServer;
  /** What the raw server answers on the user API; its token endpoint issues a token unless `mode` is "html-token". */
  let mode = "";

  before(async () => {
    world = await startWorld({ edition: "enterprise" });
    raw = await startRawServer((req, res) => {
      const path = req.url ?? "";
      if (path === TOKEN_PATH) {
        if (mode === "html-token")
          return reply(res, 200, "<html><body><form>Sign in to your account</form></body></html>", "text/html");
        return reply(res, 200, {
          access_token: "raw-access-token-123456",
          expires_in: 300,
          refresh_token: "raw-refresh-token-123456",
          token_type: "Bearer",
        });
      }
      if (mode === "html-api")
        return reply(res, 200, "<!DOCTYPE html><html><title>Proxy login</title></html>", "text/html");
      if (mode === "truncated")
        return reply(res, 200, `{"users": {"5c1e": {"id": "5c1e", "username": "a@example.com", "ena`);
      if (mode === "wrong-shape")
        return reply(res, 200, {
          users: {
            "u-1": {
              id: "u-1",
              username: "a@example.com",
              email: "a@example.com",
              enabled: "yes",
              createdTimestamp: 1,
            },
          },
        });
      if (mode === "list-not-map") return reply(res, 200, { users: [{ id: "u-1", username: "a@example.com" }] });
      reply(res, 500, { msg: "unexpected" });
    });
  });
  after(async () => {
    await raw?.close();
    await world?.close();
  });

  // One program per case: the engine stops an update at the first invalid resource (step_generator.go
  // `GenerateSteps` returns "resource … is invalid", deployment_executor.go `Execute` bails), so one
  // program with every case would report only the first few.
  describe(`${INPUT_CASES.length} input cases, each checked before anything is sent`, () => {
    const ups: UpSummary[] = [];
    let rosterBefore: Record<string, boolean>;
    before(async () => {
      rosterBefore = roster(world.emu);
      INPUT_CASES.forEach((c, i) =>
        world.program(`bad-input-${i}.ts`, program(`new wallaroo.User("bad${i}", ${c.args});`)),
      );
      world.emu.resetStats();
      // A few at a time, each with its own stack: the cases are independent.
      for (let i = 0; i < INPUT_CASES.length; i += 5) {
        const batch = INPUT_CASES.slice(i, i + 5).map((_, j) => world.engine().up(`bad-input-${i + j}.ts`));
        ups.push(...(await Promise.all(batch)));
      }
    });

    it("fails every one and sends nothing to the server", () => {
      assert.deepEqual(
        ups.map((u) => u.ok),
        INPUT_CASES.map(() => false),
      );
      assert.deepEqual(world.emu.stats().requests, {}, "not even a login");
      assert.deepEqual(roster(world.emu), rosterBefore);
    });

    INPUT_CASES.forEach((c, i) => {
      it(`${c.title}: names '${c.field}'`, () => {
        const f = ups[i]!.failed.find((x) => nameOf(x.urn) === `bad${i}`);
        assert.ok(f, `bad${i} did not fail`);
        assert.ok(
          f.failures?.some((x) => x.property === c.field),
          `${JSON.stringify(f.failures)} names ${c.field}`,
        );
        assert.match(f.message, c.message);
        assert.match(f.message, new RegExp(`property ${c.field}:`));
      });
    });

    it("a unicode address that is well formed is accepted (control case)", async () => {
      world.program(
        "unicode-ok.ts",
        program(`new wallaroo.User("jurgen", { email: "j\\u00FCrgen@b\\u00FCcher.example" });`),
      );
      const ok = await world.engine().up("unicode-ok.ts");
      assert.ok(ok.ok, JSON.stringify(ok.failed));
      assert.equal(roster(world.emu)["jürgen@bücher.example"], true);
    });
  });

  it("duplicate emails in one program: the second is refused naming email, without a call to the server", async () => {
    world.program(
      "dup.ts",
      program(
        `new wallaroo.User("dup-a", { email: "dup@example.com" });\nnew wallaroo.User("dup-b", { email: "DUP@Example.com" });`,
      ),
    );
    world.emu.resetStats();
    const up = await world.engine().up("dup.ts");
    assert.equal(up.ok, false);
    assert.equal(up.failed.length, 1);
    assert.match(up.failed[0].message, /property email: another wallaroo\.User in this program manages the same email/);
    assert.match(up.failed[0].message, /'dup@example.com'/);
    assert.match(up.failed[0].message, /wallaroo-duplicate-email/);
    assert.doesNotMatch(up.failed[0].message, /adoptExisting/, "adopting would make two resources own one user");
    assert.deepEqual(mutatingCalls(world.emu), { invite: 1 }, "one invite, for the first only");
    assert.equal(Object.keys(roster(world.emu)).filter((e) => e === "dup@example.com").length, 1);
  });

  // ---- settings and servers: one engine each, one user, `adoptExisting: true` so that the first API call reads

  interface SettingCase {
    title: string;
    config: () => Record<string, string>;
    env?: NodeJS.ProcessEnv;
    mode?: string;
    message: RegExp[];
  }
  const emu = () => world.emu.url;
  const login = { "wallaroo:username": "admin", "wallaroo:password": ADMIN_PASSWORD };
  const NO_ENV = {
    WALLAROO_URL: "",
    WALLAROO_AUTH_URL: "",
    WALLAROO_TOKEN: "",
    WALLAROO_USER: "",
    WALLAROO_PASSWORD: "",
    WALLAROO_SDK_CREDENTIALS: "",
  };
  const SETTING_CASES: SettingCase[] = [
    {
      title: "missing wallaroo:url",
      config: () => ({ ...login }),
      message: [/No Wallaroo API URL is configured/, /pulumi config set wallaroo:url/],
    },
    {
      title: "a URL without scheme",
      config: () => ({ ...login, "wallaroo:url": "wallaroo.example.com" }),
      message: [
        /wallaroo:url \(WALLAROO_URL\) has no scheme: 'wallaroo.example.com'\. Add it: https:\/\/wallaroo\.example\.com/,
      ],
    },
    {
      title: "a URL with host:port and no scheme",
      config: () => ({ ...login, "wallaroo:url": "localhost:8080" }),
      message: [/wallaroo:url \(WALLAROO_URL\) has no scheme: 'localhost:8080'\. Add it: https:\/\/localhost:8080/],
    },
    {
      title: "a URL with credentials in it",
      config: () => ({ ...login, "wallaroo:url": `http://admin:pw@127.0.0.1:1` }),
      message: [/wallaroo:url \(WALLAROO_URL\) must not contain credentials/],
    },
    {
      title: "no credentials at all",
      config: () => ({ "wallaroo:url": emu() }),
      message: [
        /No Wallaroo credentials are configured/,
        /Set wallaroo:token \(WALLAROO_TOKEN\), or wallaroo:username \(WALLAROO_USER\) and wallaroo:password \(WALLAROO_PASSWORD\)/,
      ],
    },
    {
      title: "a username without password",
      config: () => ({ "wallaroo:url": emu(), "wallaroo:username": "admin" }),
      message: [/No password is configured for Wallaroo user 'admin'/],
    },
    {
      title: "a wrong password",
      config: () => ({ "wallaroo:url": emu(), "wallaroo:username": "admin", "wallaroo:password": "Wrong-Password-1" }),
      message: [
        /Keycloak refused the login of 'admin'/,
        /Check wallaroo:username \(WALLAROO_USER\) \/ wallaroo:password \(WALLAROO_PASSWORD\)/,
      ],
    },
    {
      title: "an unknown user",
      config: () => ({ "wallaroo:url": emu(), "wallaroo:username": "nobody", "wallaroo:password": "Wrong-Password-1" }),
      message: [/Keycloak refused the login of 'nobody'/, /wallaroo:username/],
    },
    {
      title: "a wrong token",
      config: () => ({ "wallaroo:url": emu(), "wallaroo:token": "not-a-valid-token-0000" }),
      message: [/The Wallaroo API refused the credentials/, /set a fresh wallaroo:token/],
    },
    {
      title: "a wrong wallaroo:authUrl",
      config: () => ({ ...login, "wallaroo:url": emu(), "wallaroo:authUrl": `${emu()}/keycloak` }),
      message: [/Keycloak rejected the login request/, /Check wallaroo:authUrl/],
    },
    {
      title: "an unreachable host",
      config: () => ({ ...login, "wallaroo:url": "http://127.0.0.1:9" }),
      message: [
        /Nothing is listening at http:\/\/127\.0\.0\.1:9 after 6 attempts \(ECONNREFUSED\)/,
        /Check wallaroo:url/,
      ],
    },
    {
      title: "wallaroo:insecureSkipTlsVerify not a boolean",
      config: () => ({ ...login, "wallaroo:url": emu(), "wallaroo:insecureSkipTlsVerify": "yes" }),
      message: [/wallaroo:insecureSkipTlsVerify must be true or false, not 'yes'/],
    },
    {
      title: "wallaroo:caCertPath that does not exist",
      config: () => ({ ...login, "wallaroo:url": emu(), "wallaroo:caCertPath": "/nonexistent/ca.pem" }),
      message: [/Cannot read the CA certificate '\/nonexistent\/ca.pem': ENOENT/, /wallaroo:caCertPath/],
    },
    {
      title: "wallaroo:maxRetries negative",
      config: () => ({ ...login, "wallaroo:url": emu(), "wallaroo:maxRetries": "-1" }),
      message: [/wallaroo:maxRetries must be a whole number from 0 to 100, not '-1'/],
    },
    {
      title: "wallaroo:retryTimeoutSeconds not a number",
      config: () => ({ ...login, "wallaroo:url": emu(), "wallaroo:retryTimeoutSeconds": "soon" }),
      message: [/wallaroo:retryTimeoutSeconds must be a number of seconds/],
    },
    {
      title: "a token endpoint answering an HTML page",
      mode: "html-token",
      config: () => ({ ...login, "wallaroo:url": raw.url }),
      message: [/The server's answer is not JSON/, /Sign in to your account/, /Check that wallaroo:authUrl/],
    },
    {
      title: "an API answering an HTML page",
      mode: "html-api",
      config: () => ({ ...login, "wallaroo:url": raw.url }),
      message: [
        /The server's answer is not JSON/,
        /Proxy login/,
        /Check that wallaroo:url \(WALLAROO_URL\) points at the Wallaroo API/,
      ],
    },
    {
      title: "an API answering truncated JSON",
      mode: "truncated",
      config: () => ({ ...login, "wallaroo:url": raw.url }),
      message: [/not JSON: it is truncated or malformed/, /bytes of malformed JSON, not shown/],
    },
    {
      title: "a user list of the wrong shape (a field)",
      mode: "wrong-shape",
      config: () => ({ ...login, "wallaroo:url": raw.url }),
      message: [/does not have the documented shape: field 'users\.u-1\.enabled' expected boolean/],
    },
    {
      title: "a user list of the wrong shape (an array)",
      mode: "list-not-map",
      config: () => ({ ...login, "wallaroo:url": raw.url }),
      message: [/does not have the documented shape: field 'users' expected record/],
    },
  ];

  describe(`${SETTING_CASES.length} settings and servers`, () => {
    before(() => {
      world.program("one.ts", program(`new wallaroo.User("one", { email: "one@example.com", adoptExisting: true });`));
    });

    for (const c of SETTING_CASES) {
      it(`${c.title}: a clear message, nothing changed`, async () => {
        mode = c.mode ?? "";
        raw.requests.length = 0;
        world.emu.resetStats();
        const engine = new Engine({
          projectDir: world.projectDir,
          projectName: PROJECT,
          config: c.config(),
          secretConfigKeys: ["wallaroo:password", "wallaroo:token"],
          env: NO_ENV,
        });
        try {
          const up = await engine.up("one.ts");
          assert.equal(up.ok, false);
          assert.equal(up.failed.length, 1, JSON.stringify(up.failed));
          const message = up.failed[0].message;
          for (const m of c.message) assert.match(message, m);
          assert.doesNotMatch(message, /\n\s+at /, "no stack frames");
          assert.equal(engine.getResource("one"), undefined, "nothing recorded");
          assert.deepEqual(mutatingCalls(world.emu), {}, "no change sent to the emulator");
          assert.deepEqual(
            raw.requests.filter((r) => /invite|activate|deactivate/.test(r.path)),
            [],
            "no change sent to the raw server",
          );
          assert.equal(roster(world.emu)["one@example.com"], undefined);
        } finally {
          await engine.close();
        }
      });
    }
  });
});
