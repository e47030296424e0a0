import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const DIST = path.resolve(__dirname, "../..");

/** The heavy dependencies a fresh node has loaded after running `script` (from dist/). */
function loadedAfter(script: string): string[] {
  const out = execFileSync(
    process.execPath,
    [
      "-e",
      `(async () => { ${script}
        const heavy = Object.keys(require.cache).map((k) => (k.match(/node_modules\\/(zod|undici|yaml)\\//) ?? [])[1]).filter(Boolean);
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

  it("the first request loads undici and the response schemas (zod)", () => {
    const script = `const { WallarooClient } = require("./index.js");
      const c = new WallarooClient({ url: "http://127.0.0.1:9", token: "t", retry: { maxAttempts: 1 } });
      await c.listUsers().catch(() => undefined);`;
    assert.deepEqual(loadedAfter(script), ["undici", "zod"]);
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
