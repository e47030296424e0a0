/**
 * The wallaroo plugin starts the ways the Pulumi CLI starts a resource plugin, from the package as
 * users install it (the packed tarball, npm-installed in a consumer project): through the Node.js
 * language host's run-plugin from the plugin folder, as `pulumi-resource-wallaroo` on PATH, and
 * laid out as `pulumi plugin install resource wallaroo <version> --file <folder>` lays it out.
 * Each time its first line is its port and it answers over gRPC.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { installedPlugin, locateRunPlugin, PluginProcess, pluginInstalledByTheCli, VERSION } from "./pluginProcess";

describe("the wallaroo plugin, started as the Pulumi CLI starts it", function () {
  this.timeout(240_000);

  it("ships a plugin folder: PulumiPlugin.yaml with runtime nodejs, a main, and its dependency pinned to this version", async () => {
    const { pluginDir } = await installedPlugin();
    assert.match(fs.readFileSync(path.join(pluginDir, "PulumiPlugin.yaml"), "utf8"), /^runtime: nodejs$/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(pluginDir, "package.json"), "utf8"));
    assert.ok(fs.existsSync(path.join(pluginDir, pkg.main)), `main ${pkg.main} is in the folder`);
    // `pulumi plugin install --file <folder>` installs these dependencies beside the folder's files.
    assert.deepEqual(pkg.dependencies, { "pulumi-wallaroo": VERSION });
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

  it("runs from the layout of `pulumi plugin install resource wallaroo <version> --file <folder>`", async () => {
    const dir = await pluginInstalledByTheCli();
    // The folder's PulumiPlugin.yaml is at the root of the plugin directory, where the CLI looks for it.
    assert.ok(fs.existsSync(path.join(dir, "PulumiPlugin.yaml")));
    assert.equal(
      locateRunPlugin(dir),
      path.join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin", "index.js"),
    );
    const p = await PluginProcess.start({ via: "language-host", pluginDir: dir });
    try {
      assert.equal(await p.pluginVersion(), VERSION);
    } finally {
      await p.close();
    }
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
