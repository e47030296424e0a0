/**
 * The package installed from a Git URL, as the README tells a user to before it is published:
 * `npm install git+file://<a fresh clone of HEAD>`. npm 7+ runs only `prepare` for a Git
 * dependency (npm/cli#4391), so that is what must build dist/ (scripts/prepare.mjs); the consumer
 * then runs a program under the harness against the emulator, and the installed command.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { installedPulumiVersion, makeTempDir, runCommand } from "../harness";
import { ADMIN_PASSWORD, startWorld, World } from "../support/world";
import { freshClone, JS_PROGRAM, upFindsAndDestroys } from "./fixture";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe("a consumer project installed from a Git URL (git+file:// of a fresh clone)", function () {
  // The install clones, installs the devDependencies in the clone and compiles the library.
  this.timeout(300_000);
  let dir: string;
  let installLog: string;
  let world: World;

  before(async () => {
    const url = `git+file://${await freshClone()}`;
    dir = makeTempDir("git-consumer");
    const pkg = {
      name: "git-consumer",
      version: "0.0.0",
      private: true,
      dependencies: { "@pulumi/pulumi": installedPulumiVersion(), "pulumi-wallaroo": url },
      // What the README says to add for npm 11's install-script policy: the URL as installed.
      allowScripts: { [url]: true },
    };
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: wallaroo-test\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, "index.js"), JS_PROGRAM);
    const { stdout, stderr } = await runCommand(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
      cwd: dir,
    });
    installLog = stdout + stderr;
    world = await startWorld({}, dir);
  });
  after(async () => world?.close());

  it("holds the compiled library, built by prepare, and no tests or source maps", () => {
    const root = path.join(dir, "node_modules", "pulumi-wallaroo");
    for (const f of ["dist/index.js", "dist/provider/lifecycle.js", "dist/sdk/schemas.bundle.js", "dist/cli/main.js"]) {
      assert.ok(fs.existsSync(path.join(root, f)), `${f} is installed`);
    }
    const dist = filesUnder(path.join(root, "dist"));
    assert.deepEqual(
      dist.filter((f) => f.startsWith("test") || f.endsWith(".map")),
      [],
    );
  });

  it("is covered by the allowScripts entry the README gives (npm lists no unreviewed prepare for it)", () => {
    assert.doesNotMatch(installLog, /pulumi-wallaroo@[\d.]+ \(prepare/);
  });

  it("creates with wallaroo.User and finds the user with lookupUser, then destroys", async () => {
    await upFindsAndDestroys(world, "index.js");
  });

  it("installs wallaroo-users, which lists the instance's users", async () => {
    // Asynchronously: the emulator answers from this process.
    const { stdout } = await runCommand(
      path.join(dir, "node_modules", ".bin", "wallaroo-users"),
      ["list", "--json", "--quiet"],
      {
        cwd: dir,
        env: { ...process.env, WALLAROO_URL: world.emu.url, WALLAROO_USER: "admin", WALLAROO_PASSWORD: ADMIN_PASSWORD },
      },
    );
    const users = JSON.parse(stdout) as { username: string }[];
    assert.ok(
      users.some((u) => u.username === "admin"),
      stdout,
    );
  });
});
