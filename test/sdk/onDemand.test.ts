import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const DIST = path.resolve(__dirname, "../..");

/** The heavy dependencies a fresh node has loaded after running `script` (from dist/), and the schema bundle. */
function loadedAfter(script: string): string[] {
  const out = execFileSync(
    process.execPath,
    [
      "-e",
      `(async () => { ${script}
        const heavy = Object.keys(require.cache).map((k) => (k.match(/node_modules\\/(zod|undici|yaml)\\/|(schemas\\.bundle)\\.js$/) ?? []).slice(1).find(Boolean)).filter(Boolean);
        process.stdout.write(JSON.stringify([...new Set(heavy)].sort()));
      })().catch((e) => { console.error(e); process.exit(1); });`,
    ],
    { cwd: DIST, encoding: "utf8" },
  );
  return JSON.parse(out) as string[];
}

describe("Loading on first use", () => {
  it("loading the package, as a Pulumi program does, loads neither zod, undici nor yaml", () => {
    assert.deepEqual(loadedAfter(`const w = require("./index.js"); void w.User;`), []);
  });

  it("the provider host's entry and its configure load none of them either (a preview needs no client)", () => {
    const script = `const lc = require("./provider/lifecycle.js");
      lc.configure({ get: () => undefined });
      await lc.check({}, { email: "a@example.com", active: true });`;
    assert.deepEqual(loadedAfter(script), []);
  });

  it("the first request loads undici and the response schemas, bundled with their part of zod, not zod itself", () => {
    const script = `const { WallarooClient } = require("./index.js");
      const c = new WallarooClient({ url: "http://127.0.0.1:9", token: "t", retry: { maxAttempts: 1 } });
      await c.listUsers().catch(() => undefined);`;
    assert.deepEqual(loadedAfter(script), ["schemas.bundle", "undici"]);
  });

  it("the schema bundle holds the schemas of the sources: it parses and refuses as they do", () => {
    /* eslint-disable @typescript-eslint/no-require-imports -- comparing the bundle with the modules it is built from */
    const bundle = require("../../sdk/schemas.bundle") as {
      user: typeof import("../../sdk/schemas");
      workspace: typeof import("../../sdk/workspaceSchemas");
      keycloak: typeof import("../../sdk/keycloakSchemas");
    };
    const user = require("../../sdk/schemas") as typeof import("../../sdk/schemas");
    const workspace = require("../../sdk/workspaceSchemas") as typeof import("../../sdk/workspaceSchemas");
    const keycloak = require("../../sdk/keycloakSchemas") as typeof import("../../sdk/keycloakSchemas");
    /* eslint-enable @typescript-eslint/no-require-imports */
    assert.deepEqual(Object.keys(bundle.user).sort(), Object.keys(user).sort());
    assert.deepEqual(Object.keys(bundle.workspace).sort(), Object.keys(workspace).sort());
    assert.deepEqual(Object.keys(bundle.keycloak).sort(), Object.keys(keycloak).sort());
    const good = { id: "u1", username: "a@example.com", email: null, enabled: true, createdTimestamp: 1, extra: 1 };
    const answers: Array<[keyof typeof user, unknown]> = [
      ["QueryUsersResponseSchema", { users: { u1: good, u2: null } }],
      ["QueryUsersResponseSchema", { users: { u1: { ...good, enabled: "yes" } } }],
      ["QueryUsersResponseSchema", { users: { u1: { ...good, id: "" } } }],
      ["InviteResponseSchema", { id: "u1", password: "p" }],
      ["InviteResponseSchema", { id: "u1" }],
      ["TokenResponseSchema", { access_token: "t", expires_in: 0 }],
    ];
    // The outcome, the value and the issues (the error classes are two copies of zod's).
    const outcome = (schema: unknown, answer: unknown) => {
      const r = (schema as import("zod").ZodType).safeParse(answer);
      return { success: r.success, data: r.data, issues: r.error?.issues };
    };
    for (const [name, answer] of answers) {
      assert.deepEqual(
        outcome(bundle.user[name], answer),
        outcome(user[name], answer),
        `${name} on ${JSON.stringify(answer)}`,
      );
    }
    assert.equal(outcome(user.QueryUsersResponseSchema, answers[1]![1]).success, false);
    for (const answer of [
      { error: "User not found" },
      { error: "User not found", error_description: "x" },
      { error: "User not found", extra: 1 },
      { error: "Not Found" },
    ]) {
      assert.deepEqual(
        outcome(bundle.keycloak.KeycloakUserNotFoundSchema, answer),
        outcome(keycloak.KeycloakUserNotFoundSchema, answer),
      );
    }
    assert.deepEqual(
      outcome(bundle.keycloak.KeycloakUserListSchema, [good]),
      outcome(keycloak.KeycloakUserListSchema, [good]),
    );
    for (const users of [[{ user_id: "u1", user_type: "OWNER" }], [{ user_id: "u2", user_type: "guest" }]]) {
      assert.deepEqual(
        outcome(bundle.workspace.ListWorkspaceUsersResponseSchema, { users }),
        outcome(workspace.ListWorkspaceUsersResponseSchema, { users }),
      );
    }
  });

  it("takes undici's Pool from its own module, the very class undici's index exports", () => {
    /* eslint-disable @typescript-eslint/no-require-imports -- comparing what two module paths give */
    const direct = require("undici/lib/dispatcher/pool") as unknown;
    assert.equal(direct, (require("undici") as typeof import("undici")).Pool);
    /* eslint-enable @typescript-eslint/no-require-imports */
  });

  it("parsing a roster loads yaml and the roster's zod schemas", () => {
    const script = `require("./index.js").parseRoster("users:\\n  - email: a@example.com\\n");`;
    assert.deepEqual(loadedAfter(script), ["yaml", "zod"]);
  });
});
