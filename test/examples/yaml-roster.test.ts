/**
 * examples/yaml-roster/Pulumi.yaml, the Pulumi YAML roster of the native plugin. No Pulumi CLI runs
 * here, so the file is checked against the plugin's own schema (every type, property, required input
 * and `${resource.output}` reference), then its up and destroy are played through the plugin
 * process over gRPC as Pulumi YAML would drive them: resources in dependency order, each checked then
 * created with its references resolved from the outputs; a second up diffs to no change; destroy
 * deletes in reverse order. The emulator is checked after every step.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { secret } from "../harness";
import { PluginProcess, REPO, type Props } from "../plugin/pluginProcess";
import { ADMIN_PASSWORD, roster } from "../support/world";
import { serverWorkspace } from "../support/workspaces";

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

/** Resource names, each after every resource its properties refer to. */
function dependencyOrder(program: YamlProgram): string[] {
  const order: string[] = [];
  const visit = (name: string, path: string[] = []) => {
    if (order.includes(name)) return;
    assert.ok(!path.includes(name), `a reference cycle: ${[...path, name].join(" → ")}`);
    for (const v of Object.values(program.resources[name]!.properties ?? {}))
      for (const [r] of refs(v)) visit(r, [...path, name]);
    order.push(name);
  };
  Object.keys(program.resources).forEach((n) => visit(n));
  return order;
}

describe("examples/yaml-roster (Pulumi YAML through the native plugin)", function () {
  this.timeout(120_000);
  const program = parse(fs.readFileSync(FILE, "utf8")) as YamlProgram;
  let emu: RunningEmulator;
  let plugin: PluginProcess;
  let schema: any;
  const created: Record<string, { id: string; inputs: Props; outputs: Props }> = {};

  before(async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    plugin = await PluginProcess.start({ via: "bin" });
    await plugin.configure({ url: emu.url, username: "admin", password: secret(ADMIN_PASSWORD) });
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
    const outputs: Record<string, Props> = {};
    for (const name of dependencyOrder(program)) {
      const r = program.resources[name]!;
      const news = Object.fromEntries(Object.entries(r.properties ?? {}).map(([k, v]) => [k, resolve(v, outputs)]));
      const checked = await plugin.check(r.type, name, news);
      assert.deepEqual(checked.failures, [], `${name}: ${JSON.stringify(checked.failures)}`);
      const c = await plugin.create(r.type, name, checked.inputs);
      created[name] = { id: c.id, inputs: checked.inputs, outputs: c.outputs };
      outputs[name] = c.outputs;
    }
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
    assert.equal(outputs.alice!.userId, emu.users().find((u) => u.email === "alice@example.com")!.id);
  });

  it("a second up: every resource diffs to no change", async () => {
    for (const [name, c] of Object.entries(created)) {
      const type = program.resources[name]!.type;
      const checked = await plugin.check(type, name, c.inputs, c.inputs);
      const d = await plugin.diff(type, name, c.id, c.inputs, c.outputs, checked.inputs);
      assert.equal(d.changes, "none", `${name}: ${JSON.stringify(d)}`);
    }
  });

  it("destroy: deletes in reverse order; the users are deactivated and the memberships removed", async () => {
    // `pulumi destroy` is an operation of its own: the CLI starts a new plugin process for it.
    const destroyer = await PluginProcess.start({ via: "bin" });
    try {
      await destroyer.configure({ url: emu.url, username: "admin", password: secret(ADMIN_PASSWORD) });
      for (const name of dependencyOrder(program).reverse()) {
        const c = created[name]!;
        await destroyer.delete(program.resources[name]!.type, name, c.id, c.inputs, c.outputs);
      }
    } finally {
      await destroyer.close();
    }
    assert.deepEqual(roster(emu), {
      "alice@example.com": false,
      "bob@example.com": false,
      "carol@example.com": false,
    });
    assert.deepEqual(serverWorkspace(emu, "yaml-research")?.members, { admin: "OWNER" }, "the workspace stays");
  });
});
