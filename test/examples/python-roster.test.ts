/**
 * examples/python-roster, the Pulumi Python roster of the native plugin. There is no Pulumi CLI here,
 * nor the `pulumi` Python package, nor the SDK `pulumi package add` would generate: so python3's own
 * parser (`ast`) reads __main__.py, and every `wallaroo.<Class>("<name>", keyword=...)` it declares is
 * checked against the plugin's schema (dist/plugin/schema.json) as the generated SDK would take it:
 * the module is the schema's language.python package, each class a resource token, each keyword an
 * input in Pulumi's snake_case spelling, every required input given, each literal of the input's type
 * and each `<variable>.<attribute>` an output of the resource bound to that variable. Then the program
 * is played through the plugin process over gRPC against the emulator, as the engine would run it
 * (pluginProgram.ts): up, a second up with no change, destroy; the server is checked after every step.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { PluginProcess, REPO, type Props } from "../plugin/pluginProcess";
import { ADMIN_PASSWORD, roster } from "../support/world";
import { serverWorkspace } from "../support/workspaces";
import { destroy, startConfiguredPlugin, up, upAgain, type ProgramResource, type Stack } from "./pluginProgram";

const DIR = path.join(REPO, "examples", "python-roster");
const MAIN = path.join(DIR, "__main__.py");
const SCHEMA = path.join(REPO, "dist", "plugin", "schema.json");

/** A keyword's value as __main__.py spells it. */
type PyValue =
  | { kind: "literal"; value: string | number | boolean | null; pyType: string }
  | { kind: "ref"; var: string; attr: string }
  | { kind: "other"; source: string };

/** A call `<module alias>.<member>(...)`, with the variable a top-level assignment binds it to. */
interface PyCall {
  var: string | null;
  module: string;
  member: string;
  args: PyValue[];
  keywords: { name: string | null; value: PyValue }[];
  line: number;
}

interface PyProgram {
  imports: { module: string; alias: string; line: number }[];
  calls: PyCall[];
  /** Top-level statements that are none of the above (nor the docstring): this test would not model them. */
  unsupported: { line: number; source: string }[];
}

/**
 * Run by `python3 -c` on __main__.py: the program's top-level statements as JSON. Only what the test
 * models is let through (imports, `x = m.f(...)`, `m.f(...)`); anything else is listed as unsupported.
 */
const READ_PROGRAM = String.raw`
import ast, json, sys

path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    tree = ast.parse(f.read(), filename=path)

def value(node):
    if isinstance(node, ast.Constant):
        return {"kind": "literal", "value": node.value, "pyType": type(node.value).__name__}
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return {"kind": "ref", "var": node.value.id, "attr": node.attr}
    return {"kind": "other", "source": ast.unparse(node)}

def call(node):
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)):
        return None
    return {
        "module": node.func.value.id,
        "member": node.func.attr,
        "args": [value(a) for a in node.args],
        "keywords": [{"name": k.arg, "value": value(k.value)} for k in node.keywords],
        "line": node.lineno,
    }

out = {"imports": [], "calls": [], "unsupported": []}
for i, st in enumerate(tree.body):
    if isinstance(st, ast.Import):
        out["imports"] += [{"module": a.name, "alias": a.asname or a.name, "line": st.lineno} for a in st.names]
    elif i == 0 and isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant) and isinstance(st.value.value, str):
        pass
    elif isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name) and call(st.value):
        out["calls"].append({"var": st.targets[0].id, **call(st.value)})
    elif isinstance(st, ast.Expr) and call(st.value):
        out["calls"].append({"var": None, **call(st.value)})
    else:
        out["unsupported"].append({"line": st.lineno, "source": ast.unparse(st)})
print(json.dumps(out))
`;

/** __main__.py read by python3's parser; fails (never skips) without python3: CI has it. */
function readProgram(file: string): PyProgram {
  const r = spawnSync("python3", ["-c", READ_PROGRAM, file], { encoding: "utf8" });
  if (r.error) {
    throw new Error(
      `python3 is needed to read ${path.relative(REPO, file)} with Python's own parser, and it could not be run ` +
        `(${r.error.message}): install Python 3.9 or later on PATH as python3`,
    );
  }
  if (r.status !== 0) throw new Error(`python3 could not read ${path.relative(REPO, file)}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as PyProgram;
}

/** snake_case → camelCase: a Python name back to the schema's. */
function camel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * The Python name Pulumi's code generator gives a schema name (pkg/codegen/python/python.go PyName):
 * a new word at each upper-case letter after a lower-case one or a digit, an acronym kept whole.
 */
function pyName(name: string): string {
  const words: string[] = [];
  let word = "";
  let state: "first" | "upper" | "acronym" | "lower" = "first";
  for (const ch of name) {
    const upper = ch >= "A" && ch <= "Z";
    if (state === "first" || state === "upper") {
      word += ch.toLowerCase();
      state = upper ? (state === "first" ? "upper" : "acronym") : "lower";
    } else if (state === "acronym") {
      if (upper) word += ch.toLowerCase();
      else if (/[0-9s]/.test(ch)) {
        word += ch;
        state = "lower";
      } else {
        words.push(word.slice(0, -1));
        word = word.slice(-1) + ch;
        state = "lower";
      }
    } else if (upper) {
      words.push(word);
      word = ch.toLowerCase();
      state = "upper";
    } else word += ch;
  }
  if (word) words.push(word);
  return words.join("_");
}

/** Python literal types a schema type takes. */
const PY_TYPES: Record<string, string[]> = {
  string: ["str"],
  boolean: ["bool"],
  integer: ["int"],
  number: ["int", "float"],
};

/** A resource's name: the call's first argument. */
function nameArg(c: PyCall): string {
  const first = c.args[0];
  return first?.kind === "literal" ? String(first.value) : "";
}

function describeValue(v: PyValue): string {
  return v.kind === "literal" ? JSON.stringify(v.value) : v.kind === "ref" ? `${v.var}.${v.attr}` : v.source;
}

describe("examples/python-roster (Python through the native plugin)", function () {
  this.timeout(120_000);
  let program: PyProgram;
  let schema: any;
  /** The alias __main__.py imports the SDK as, and `pulumi`'s. */
  let sdk: string;
  let pulumiAlias: string;
  let resourceCalls: PyCall[];
  let exportCalls: PyCall[];
  let resources: ProgramResource[];
  let emu: RunningEmulator;
  let plugin: PluginProcess;
  let stack: Stack = {};

  before(async () => {
    program = readProgram(MAIN);
    schema = JSON.parse(fs.readFileSync(SCHEMA, "utf8"));
    const sdkModule: string = schema.language?.python?.packageName ?? `pulumi_${schema.name.replace(/-/g, "_")}`;
    const alias = (module: string) => program.imports.find((i) => i.module === module)?.alias;
    sdk = alias(sdkModule) ?? assert.fail(`__main__.py does not import ${sdkModule}, the SDK the schema names`);
    pulumiAlias = alias("pulumi") ?? assert.fail("__main__.py does not import pulumi");
    resourceCalls = program.calls.filter((c) => c.module === sdk);
    exportCalls = program.calls.filter((c) => c.module === pulumiAlias && c.member === "export");
    resources = resourcesOf(resourceCalls);
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    plugin = await startConfiguredPlugin(emu);
  });
  after(async () => {
    await plugin?.close();
    await emu?.close();
  });

  /** The declared resources as pluginProgram.ts plays them: keywords to schema names, references to outputs. */
  function resourcesOf(calls: PyCall[]): ProgramResource[] {
    const nameOf = new Map(calls.filter((c) => c.var).map((c) => [c.var!, nameArg(c)]));
    const resolve = (v: PyValue, outputs: Record<string, Props>): unknown => {
      if (v.kind === "literal") return v.value;
      if (v.kind === "ref") return outputs[nameOf.get(v.var)!]![camel(v.attr)];
      return assert.fail(`cannot play the value ${v.source}`);
    };
    return calls.map((c) => ({
      name: nameArg(c),
      type: `${schema.name}:index:${c.member}`,
      dependsOn: c.keywords.flatMap((k) => (k.value.kind === "ref" ? [nameOf.get(k.value.var) ?? k.value.var] : [])),
      inputs: (outputs) => Object.fromEntries(c.keywords.map((k) => [camel(k.name!), resolve(k.value, outputs)])),
    }));
  }

  it("is a Python project of Pulumi's pip template whose comments add the SDK with the README's command", () => {
    const project = parse(fs.readFileSync(path.join(DIR, "Pulumi.yaml"), "utf8"));
    assert.equal(project.name, "wallaroo-python-roster");
    assert.deepEqual(project.runtime, { name: "python", options: { toolchain: "pip", virtualenv: "venv" } });
    const requirements = fs.readFileSync(path.join(DIR, "requirements.txt"), "utf8").split("\n");
    assert.ok(requirements.includes("pulumi>=3.0.0,<4.0.0"), "requirements.txt: pulumi>=3.0.0,<4.0.0");
    const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
    const command = /`(pulumi package add [^`]+)`/.exec(readme)?.[1];
    assert.ok(command, "README.md says no `pulumi package add ...`");
    assert.ok(fs.readFileSync(path.join(DIR, "Pulumi.yaml"), "utf8").includes(command), `Pulumi.yaml: ${command}`);
  });

  it("imports the schema's Python module and pulumi, and declares nothing this test does not check", () => {
    assert.equal(
      program.imports.length,
      2,
      `imports: ${JSON.stringify(program.imports)}: only pulumi and the SDK (a third module would be unchecked)`,
    );
    assert.deepEqual(program.unsupported, [], "statements other than imports, resources and exports");
    for (const c of program.calls) {
      const ok = c.module === sdk || (c.module === pulumiAlias && c.member === "export");
      assert.ok(ok, `line ${c.line}: ${c.module}.${c.member}(...) is neither a resource of the SDK nor pulumi.export`);
    }
    assert.ok(resourceCalls.length > 0, "no resource declared");
  });

  it("uses only the schema's resources, its inputs in snake_case, every required input, and real outputs", () => {
    const bound = new Map<string, { token: string; line: number }>();
    /** A `<variable>.<attribute>` must name an output of a resource declared above, of the input's type. */
    const checkRef = (where: string, v: PyValue & { kind: "ref" }, line: number, type?: string) => {
      const target = bound.get(v.var);
      assert.ok(target && target.line < line, `${where}: ${v.var} is no resource declared above`);
      const out = camel(v.attr);
      assert.equal(pyName(out), v.attr, `${where}: ${v.var}.${v.attr} is not the SDK's spelling of ${out}`);
      const spec = schema.resources[target.token].properties[out];
      assert.ok(spec, `${where}: ${target.token} has no output '${out}' (${v.var}.${v.attr})`);
      if (type) assert.equal(spec.type, type, `${where}: ${v.var}.${v.attr} is ${spec.type}, the input ${type}`);
    };
    const names = new Set<string>();
    for (const c of resourceCalls) {
      const token = `${schema.name}:index:${c.member}`;
      const spec = schema.resources[token];
      assert.ok(spec, `line ${c.line}: ${sdk}.${c.member} is no resource of the schema (${token})`);
      const [first, ...rest] = c.args;
      assert.ok(first?.kind === "literal" && first.pyType === "str", `line ${c.line}: the resource name, a string`);
      const where = `line ${c.line} (${first.value})`;
      assert.deepEqual(rest, [], `${where}: arguments are keywords (one positional, the name)`);
      assert.ok(!names.has(String(first.value)), `${where}: a second resource of that name`);
      names.add(String(first.value));
      const given = new Set<string>();
      for (const k of c.keywords) {
        assert.ok(k.name, `${where}: **kwargs is not checked`);
        const input = camel(k.name);
        const prop = spec.inputProperties[input];
        assert.ok(prop, `${where}: ${token} has no input '${input}' (keyword ${k.name})`);
        assert.equal(pyName(input), k.name, `${where}: the SDK names ${input} ${pyName(input)}, not ${k.name}`);
        given.add(input);
        const v = k.value;
        if (v.kind === "literal") {
          const accepted = PY_TYPES[prop.type] ?? assert.fail(`${where}: ${input} is ${prop.type}, not checked`);
          assert.ok(
            accepted.includes(v.pyType),
            `${where}: ${k.name}=${describeValue(v)} is ${v.pyType}, not ${prop.type}`,
          );
        } else if (v.kind === "ref") checkRef(where, v, c.line, prop.type);
        else assert.fail(`${where}: ${k.name}=${v.source} is neither a literal nor <resource>.<output>`);
      }
      for (const req of spec.requiredInputs ?? []) {
        assert.ok(given.has(req), `${where}: the required input ${req} (${pyName(req)}=) is missing`);
      }
      if (c.var) bound.set(c.var, { token, line: c.line });
    }
    assert.ok(exportCalls.length > 0, "no pulumi.export");
    for (const e of exportCalls) {
      const where = `line ${e.line} (pulumi.export)`;
      assert.equal(e.args.length, 2, `${where}: a name and a value`);
      const [name, v] = e.args as [PyValue, PyValue];
      assert.ok(name.kind === "literal" && name.pyType === "str", `${where}: the output's name, a string`);
      assert.ok(v.kind === "ref", `${where}: ${describeValue(v)} is not <resource>.<output>`);
      checkRef(where, v, e.line);
    }
  });

  it("up: checks and creates each resource after what it refers to; the server holds the roster", async () => {
    stack = await up(plugin, emu, resources);
    assert.deepEqual(roster(emu), {
      "alice@example.com": true,
      "bob@example.com": false,
      "carol@example.com": true,
    });
    assert.deepEqual(serverWorkspace(emu, "python-research")?.members, {
      admin: "OWNER",
      "alice@example.com": "OWNER",
      "carol@example.com": "COLLABORATOR",
    });
    // The stack outputs, from the resources' outputs as the engine resolves them.
    const nameOf = new Map(resourceCalls.filter((c) => c.var).map((c) => [c.var!, nameArg(c)]));
    const exported = Object.fromEntries(
      exportCalls.map((e) => {
        const v = e.args[1] as PyValue & { kind: "ref" };
        return [nameArg(e), stack[nameOf.get(v.var)!]!.outputs[camel(v.attr)]];
      }),
    );
    assert.equal(exported.aliceId, emu.users().find((u) => u.email === "alice@example.com")!.id, "aliceId");
    for (const [k, v] of Object.entries(exported)) assert.ok(v !== undefined && v !== null, `output ${k} is unset`);
  });

  it("a second up: every resource diffs to no change", async () => {
    assert.equal(Object.keys(stack).length, resources.length, "the up above created every resource");
    await upAgain(plugin, stack);
  });

  it("destroy: deletes in reverse order; the users are deactivated and the memberships removed", async () => {
    await destroy(emu, resources, stack);
    assert.deepEqual(roster(emu), {
      "alice@example.com": false,
      "bob@example.com": false,
      "carol@example.com": false,
    });
    assert.deepEqual(serverWorkspace(emu, "python-research")?.members, { admin: "OWNER" }, "the workspace stays");
  });
});
