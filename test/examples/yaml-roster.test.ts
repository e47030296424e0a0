/**
 * examples/yaml-roster/Pulumi.yaml, the Pulumi YAML roster of the native plugin. No Pulumi CLI runs
 * here, so the file is checked against the plugin's own schema (every type, property, required input
 * and `${resource.output}` reference), then its up and destroy are played through the plugin
 * process over gRPC as Pulumi YAML would drive them (pluginProgram.ts): resources in dependency
 * order, each checked then created with its references resolved from the outputs; a second up diffs
 * to no change; destroy deletes in reverse order. The emulator is checked after every step.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { PluginProcess, REPO, type Props } from "../plugin/pluginProcess";
import { ADMIN_PASSWORD, roster } from "../support/world";
import { serverWorkspace } from "../support/workspaces";
import { destroy, startConfiguredPlugin, up, upAgain, type ProgramResource, type Stack } from "./pluginProgram";

interface YamlResource {
  type: string;
  properties?: Record<string, unknown>;
}
interface YamlProgram {
  name: string;
  runtime: string;
  resources: Record<string, YamlResource>;
  outputs?: Record<string, string>;
}

const FILE = path.join(REPO, "examples", "yaml-roster", "Pulumi.yaml");
const REF = /\$\{([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}/g;

/** The `${resource.property}` references in a value. */
function refs(v: unknown): Array<[string, string]> {
  return typeof v === "string" ? [...v.matchAll(REF)].map((m) => [m[1]!, m[2]!]) : [];
}

/** A value with its references replaced by the outputs they name (a whole-string reference keeps its type). */
function resolve(v: unknown, outputs: Record<string, Props>): unknown {
  if (typeof v !== "string") return v;
  const whole = /^\$\{([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}$/.exec(v);
  if (whole) return outputs[whole[1]!]![whole[2]!];
  return v.replace(REF, (_m, r: string, p: string) => String(outputs[r]![p]));
}

/** The program's resources as pluginProgram.ts plays them. */
function resourcesOf(program: YamlProgram): ProgramResource[] {
  return Object.entries(program.resources).map(([name, r]) => {
    const props = r.properties ?? {};
    return {
      name,
      type: r.type,
      dependsOn: Object.values(props).flatMap((v) => refs(v).map(([ref]) => ref)),
      inputs: (outputs) => Object.fromEntries(Object.entries(props).map(([k, v]) => [k, resolve(v, outputs)])),
    };
  });
}

describe("examples/yaml-roster (Pulumi YAML through the native plugin)", function () {
  this.timeout(120_000);
  const program = parse(fs.readFileSync(FILE, "utf8")) as YamlProgram;
  const resources = resourcesOf(program);
  let emu: RunningEmulator;
  let plugin: PluginProcess;
  let schema: any;
  let stack: Stack = {};

  before(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    plugin = await startConfiguredPlugin(emu);
    schema = await plugin.schema();
  });
  after(async () => {
    await plugin?.close();
    await emu?.close();
  });

  it("uses only the plugin's types and properties, every required input, and references to real outputs", () => {
    assert.equal(program.runtime, "yaml");
    for (const [name, r] of Object.entries(program.resources)) {
      const spec = schema.resources[r.type];
      assert.ok(spec, `${name}: ${r.type} is not a type of the plugin`);
      const props = r.properties ?? {};
      for (const k of Object.keys(props)) assert.ok(k in spec.inputProperties, `${name}: no input '${k}' on ${r.type}`);
      for (const k of spec.requiredInputs ?? []) assert.ok(k in props, `${name}: required input '${k}' missing`);
      for (const v of Object.values(props)) {
        for (const [ref, out] of refs(v)) {
          const target = program.resources[ref];
          assert.ok(target, `${name}: \${${ref}.${out}} names no resource`);
          assert.ok(out in schema.resources[target.type].properties, `${name}: ${target.type} has no output '${out}'`);
        }
      }
    }
    for (const [k, v] of Object.entries(program.outputs ?? {})) {
      for (const [ref, out] of refs(v)) {
        assert.ok(program.resources[ref], `output ${k}: names no resource`);
        assert.ok(out in schema.resources[program.resources[ref]!.type].properties, `output ${k}: no output '${out}'`);
      }
    }
  });

  it("up: checks and creates each resource after what it refers to; the server holds the roster", async () => {
    stack = await up(plugin, emu, resources);
    assert.deepEqual(roster(emu), {
      "alice@example.com": true,
      "bob@example.com": false,
      "carol@example.com": true,
    });
    assert.deepEqual(serverWorkspace(emu, "yaml-research")?.members, {
      admin: "OWNER",
      "alice@example.com": "OWNER",
      "carol@example.com": "COLLABORATOR",
    });
    assert.equal(stack.alice!.outputs.userId, emu.users().find((u) => u.email === "alice@example.com")!.id);
  });

  it("a second up: every resource diffs to no change", async () => {
    assert.equal(Object.keys(stack).length, resources.length, "the up above created every resource");
    await upAgain(plugin, stack);
  });

  it("destroy: deletes in reverse order; the users are deactivated and the memberships removed", async () => {
    // `pulumi destroy` is an operation of its own: the CLI starts a new plugin process for it.
    await destroy(emu, resources, stack);
    assert.deepEqual(roster(emu), {
      "alice@example.com": false,
      "bob@example.com": false,
      "carol@example.com": false,
    });
    assert.deepEqual(serverWorkspace(emu, "yaml-research")?.members, { admin: "OWNER" }, "the workspace stays");
  });
});
