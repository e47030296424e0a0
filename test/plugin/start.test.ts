/**
 * The wallaroo plugin starts the ways the Pulumi CLI starts a resource plugin, from the package as
 * users install it (the packed tarball, npm-installed in a consumer project): through the Node.js
 * language host's run-plugin from the plugin folder (after the `npm install` that `pulumi package add`
 * runs there), as `pulumi-resource-wallaroo` on PATH, and from the plugin tarball as
 * `pulumi plugin install resource wallaroo <version> --file <tgz>` installs it.
 * Each time its first line is its port and it answers over gRPC.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator } from "../../emulator";
import { makeTempDir, runCommand, secret } from "../harness";
import { ADMIN_PASSWORD } from "../support/world";
import { installedPlugin, locateRunPlugin, PluginProcess, pluginInstalledByTheCli, VERSION } from "./pluginProcess";

describe("the wallaroo plugin, started as the Pulumi CLI starts it", function () {
  this.timeout(240_000);

  it("ships a plugin folder: PulumiPlugin.yaml with runtime nodejs, a main, and no dependencies of its own", async () => {
    const { pluginDir } = await installedPlugin();
    assert.match(fs.readFileSync(path.join(pluginDir, "PulumiPlugin.yaml"), "utf8"), /^runtime: nodejs$/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(pluginDir, "package.json"), "utf8"));
    assert.ok(fs.existsSync(path.join(pluginDir, pkg.main)), `main ${pkg.main} is in the folder`);
    // The server comes from the package around the folder; `npm install` here must fetch nothing.
    assert.equal(pkg.dependencies, undefined);
    assert.equal(pkg.devDependencies, undefined);
  });

  it("starts after the `npm install` that `pulumi package add <plugin folder>` runs in the folder, which fetches nothing", async () => {
    const { pluginDir } = await installedPlugin();
    // The language host's command (sdk/nodejs/npm npm.go `installCmd`), against a registry that refuses
    // every connection: a dependency to fetch (pulumi-wallaroo is not on the npm registry) fails it.
    await runCommand("npm", ["install", "--loglevel=error"], {
      cwd: pluginDir,
      env: { ...process.env, npm_config_registry: "http://127.0.0.1:9/", npm_config_fetch_retries: "0" },
      timeoutMs: 60_000,
    });
    const p = await PluginProcess.start({ via: "language-host", pluginDir });
    try {
      assert.equal(await p.pluginVersion(), VERSION);
    } finally {
      await p.close();
    }
  });

  it("runs through the Node.js language host's run-plugin, resolved from the plugin folder, and prints its port first", async () => {
    const { pluginDir, consumer } = await installedPlugin();
    // locateModule: require.resolve in the plugin folder finds the consumer's @pulumi/pulumi.
    assert.equal(
      locateRunPlugin(pluginDir),
      path.join(fs.realpathSync(consumer), "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin", "index.js"),
    );
    const p = await PluginProcess.start({ via: "language-host" });
    try {
      assert.equal(await p.pluginVersion(), VERSION);
      assert.equal((await p.schema()).name, "wallaroo");
      assert.equal(p.stdout, "", "nothing but the port on stdout");
    } finally {
      await p.close();
    }
  });

  it("runs as pulumi-resource-wallaroo with the CLI's logging and tracing flags before the engine address", async () => {
    const p = await PluginProcess.start({ via: "bin" });
    try {
      assert.equal(await p.pluginVersion(), VERSION);
      assert.equal((await p.schema()).version, VERSION);
    } finally {
      await p.close();
    }
  });

  it("runs from `pulumi plugin install resource wallaroo <version> --file <tgz>`: unpacked, npm-installed, it serves a user's lifecycle", async () => {
    const dir = await pluginInstalledByTheCli();
    // PulumiPlugin.yaml at the root of the plugin directory, where the CLI looks for it, and the
    // SDK that run-plugin comes from installed there by the registry.
    assert.match(fs.readFileSync(path.join(dir, "PulumiPlugin.yaml"), "utf8"), /^runtime: nodejs$/m);
    assert.equal(
      locateRunPlugin(dir),
      path.join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin", "index.js"),
    );
    assert.ok(!fs.existsSync(path.join(dir, "node_modules", "pulumi-wallaroo")), "the server is the tarball's own");
    const emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    const started: PluginProcess[] = [];
    // One process per operation, as the CLI starts one per `pulumi up` and `pulumi destroy`.
    const operation = async () => {
      const p = await PluginProcess.start({ via: "language-host", pluginDir: dir });
      started.push(p);
      await p.configure({ url: emu.url, username: "admin", password: secret(ADMIN_PASSWORD) });
      return p;
    };
    const type = "wallaroo:index:User";
    try {
      const up = await operation();
      assert.equal(await up.pluginVersion(), VERSION);
      const { inputs } = await up.check(type, "dana", { email: "dana@example.com" });
      const { id } = await up.create(type, "dana", inputs);
      assert.equal(emu.users().find((u) => u.email === "dana@example.com")?.id, id, "invited on the server");
      const destroy = await operation();
      const read = await destroy.read(type, "dana", id);
      assert.equal(read.outputs?.email, "dana@example.com");
      await destroy.delete(type, "dana", id, inputs, read.outputs!);
      assert.equal(emu.users().find((u) => u.id === id)?.enabled, false, "deactivated on the server");
    } finally {
      await Promise.all(started.map((p) => p.close()));
      await emu.close();
    }
  });

  it("says what to do, without a stack trace, when the folder is copied out of the package", async () => {
    const { pluginDir } = await installedPlugin();
    const copy = path.join(makeTempDir("plugin-folder-alone"), "resource-wallaroo");
    fs.cpSync(pluginDir, copy, { recursive: true });
    const err = await runCommand(process.execPath, [copy], { cwd: copy }).then(
      () => assert.fail("the folder alone started"),
      (e: Error) => e.message,
    );
    assert.match(err, /dist\/plugin\/main\.js is missing/);
    assert.match(err, /npm run pack:plugin/);
    assert.doesNotMatch(err, /\n\s+at /, "no stack trace");
  });

  it("answers the methods it does not implement with UNIMPLEMENTED, as the engine expects of them", async () => {
    const p = await PluginProcess.start({ via: "bin" });
    try {
      for (const [method, request] of [
        ["handshake", "ProviderHandshakeRequest"],
        ["parameterize", "ParameterizeRequest"],
        ["getMapping", "GetMappingRequest"],
        ["getMappings", "GetMappingsRequest"],
        ["construct", "ConstructRequest"],
        ["call", "CallRequest"],
      ] as const) {
        await assert.rejects(p.bare(method, request), (e: any) => e.code === 12, `${method} is UNIMPLEMENTED (12)`);
      }
    } finally {
      await p.close();
    }
  });
});
