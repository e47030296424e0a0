/**
 * Which process serves a provider package, and how it is started.
 *
 * Reproduces how the Pulumi CLI runs a resource plugin written for Node.js
 * (a folder with `PulumiPlugin.yaml`, `runtime: nodejs`):
 * - pkg/workspace/plugins.go and Pulumi.yaml's `plugins.providers`
 *   (`- name: <pkg>`, `path: <folder>`): a project may name the folder of a
 *   provider plugin, which the CLI then uses instead of an installed one;
 * - sdk/nodejs/cmd/pulumi-language-nodejs `RunPlugin`: the language host runs
 *   `node <@pulumi/pulumi>/cmd/run-plugin <folder> <engine address>`, with
 *   run-plugin resolved from the plugin's folder (`require.resolve`, its
 *   `locateModule`), and the plugin prints its port first.
 * The dynamic provider (`pulumi-nodejs`) is not a plugin: it is the
 * dynamic-provider host of the project's own @pulumi/pulumi (./providerHost.ts).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import type { ProviderCommand } from "./providerHostTypes";

/** The package whose provider is the dynamic-provider host. */
export const DYNAMIC_PACKAGE = "pulumi-nodejs";

/** `pulumi:providers:<pkg>`: the type of a provider resource. */
export const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

export function isProviderType(type: string): boolean {
  return type.startsWith(PROVIDER_TYPE_PREFIX);
}

/** A default provider's URN (`…::pulumi:providers:<pkg>::default`, or `default_<version>`): `pulumi up` does not list it. */
export function isDefaultProviderUrn(urn: string): boolean {
  return /::pulumi:providers:[^:]+::default(_[0-9A-Za-z_]+)?$/.test(urn);
}

/** The package of a provider resource type (`pulumi:providers:wallaroo` → `wallaroo`). */
export function providerPackage(providerType: string): string {
  return providerType.slice(PROVIDER_TYPE_PREFIX.length);
}

/** The package of a resource type token (`wallaroo:index:User` → `wallaroo`; dynamic resources → `pulumi-nodejs`). */
export function packageOfType(type: string): string {
  return type.split(":")[0]!;
}

/** How the Node.js language host finds run-plugin: `require.resolve` run in the plugin's folder (locateModule). */
export function locateRunPlugin(pluginDir: string): string {
  return execFileSync(process.execPath, ["-e", "console.log(require.resolve('@pulumi/pulumi/cmd/run-plugin'))"], {
    cwd: pluginDir,
    encoding: "utf8",
  }).trim();
}

/** The plugin folders Pulumi.yaml names under `plugins.providers`, by package (paths relative to the project). */
export function projectPluginFolders(projectDir: string): Record<string, string> {
  const file = path.join(projectDir, "Pulumi.yaml");
  if (!fs.existsSync(file)) {
    return {};
  }
  const project = parse(fs.readFileSync(file, "utf8")) as {
    plugins?: { providers?: Array<{ name?: string; path?: string }> };
  };
  const out: Record<string, string> = {};
  for (const p of project?.plugins?.providers ?? []) {
    if (p.name && p.path) {
      out[p.name] = path.resolve(projectDir, p.path);
    }
  }
  return out;
}

/**
 * The command that runs the plugin of `pkg`: its folder from `folders` (the engine's option), else
 * from Pulumi.yaml. No folder is an error naming both places, as the CLI fails on a missing plugin.
 */
export function pluginCommand(pkg: string, projectDir: string, folders: Record<string, string> = {}): ProviderCommand {
  const dir = folders[pkg] ?? projectPluginFolders(projectDir)[pkg];
  if (!dir) {
    throw new Error(
      `no resource plugin for package '${pkg}': name its folder in Pulumi.yaml (plugins.providers) or in the engine's \`plugins\` option`,
    );
  }
  if (!fs.existsSync(path.join(dir, "PulumiPlugin.yaml"))) {
    throw new Error(`${dir} is not a plugin folder (no PulumiPlugin.yaml)`);
  }
  return { args: [locateRunPlugin(dir), dir], cwd: dir, label: `resource plugin ${pkg} (${dir})` };
}
