// Builds dist/plugin/schema.json: the Pulumi package schema of the native `wallaroo` provider.
//
// One source: plugin/spec.ts names the TypeScript declarations each resource, function and type
// comes from; this script reads them with the TypeScript compiler (property names, types,
// optional-ness, doc comments), so the native resources have the dynamic resources' names and
// descriptions. It runs after tsc (it loads the compiled spec and the package version), in `build`
// and `build:lib` (so `npm pack` ships the file), and fails on a property without a doc comment
// or of a type the schema cannot say.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));
const spec = require(path.join(root, "dist/plugin/spec.js"));
const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));

const files = [
  ...new Set([
    ...spec.RESOURCES.map((r) => r.file),
    ...spec.TYPES.map((t) => t.file),
    ...spec.FUNCTIONS.map((f) => f.file),
    spec.CONFIG.keysFile,
    spec.CONFIG.optionsFile,
  ]),
].map((f) => path.join(root, f));
const program = ts.createProgram(files, {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  skipLibCheck: true,
  noEmit: true,
  types: ["node"],
});
const checker = program.getTypeChecker();

function fail(message) {
  throw new Error(`pluginSchema: ${message}`);
}

function sourceFile(file) {
  const sf = program.getSourceFile(path.join(root, file));
  if (!sf) fail(`cannot read ${file}`);
  return sf;
}

/** The top-level declaration of that name and kind in a file. */
function declaration(file, name, kind) {
  const found = sourceFile(file).statements.find((s) => kind(s) && s.name?.text === name);
  if (!found) fail(`${file} has no ${name}`);
  return found;
}

function docOf(node, what) {
  const symbol = checker.getSymbolAtLocation(node.name);
  const text = symbol ? ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() : "";
  if (!text) fail(`${what} has no doc comment: the schema's descriptions come from them`);
  return text;
}

/** `pulumi.Input<T>` / `pulumi.Output<T>` → T; anything else as it is. */
function unwrapPulumi(typeNode) {
  if (ts.isTypeReferenceNode(typeNode) && typeNode.typeArguments?.length === 1) {
    const name = typeNode.typeName.getText();
    if (name === "pulumi.Input" || name === "pulumi.Output") return typeNode.typeArguments[0];
  }
  return typeNode;
}

/** A schema type for a TypeScript type, and whether `undefined` is part of it. */
function typeSpec(type, what, integer) {
  const parts = type.isUnion() ? type.types : [type];
  const defined = parts.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
  const optional = defined.length !== parts.length;
  const all = (flag) => defined.length > 0 && defined.every((t) => t.flags & flag);
  let schema;
  if (all(ts.TypeFlags.BooleanLike)) schema = { type: "boolean" };
  else if (all(ts.TypeFlags.StringLike)) schema = { type: "string" };
  else if (all(ts.TypeFlags.NumberLike)) schema = { type: integer ? "integer" : "number" };
  else if (defined.length === 1 && checker.isArrayType(defined[0])) {
    const [element] = checker.getTypeArguments(defined[0]);
    schema = { type: "array", items: typeSpec(element, `${what}[]`, false).schema };
  } else fail(`${what}: the schema cannot say the type ${checker.typeToString(type)}`);
  return { schema, optional };
}

/** The fields of an interface (PropertySignature) or of a class (PropertyDeclaration), as schema properties. */
function properties(members, what, { integers = [], secrets = [], allOptional = false } = {}) {
  const props = {};
  const required = [];
  for (const m of members) {
    if (!(ts.isPropertySignature(m) || ts.isPropertyDeclaration(m)) || !m.type) continue;
    const name = m.name.getText();
    const label = `${what}.${name}`;
    const { schema, optional } = typeSpec(
      checker.getTypeFromTypeNode(unwrapPulumi(m.type)),
      label,
      integers.includes(name),
    );
    props[name] = { ...schema, description: docOf(m, label), ...(secrets.includes(name) ? { secret: true } : {}) };
    if (!allOptional && !optional && !m.questionToken) required.push(name);
  }
  return { properties: props, required };
}

function withRequired(o) {
  return o.required.length > 0 ? o : { properties: o.properties };
}

function resource(r) {
  const args = declaration(r.file, r.args, ts.isInterfaceDeclaration);
  const cls = declaration(r.file, r.resource, ts.isClassDeclaration);
  const inputs = properties(args.members, `${r.file} ${r.args}`, r);
  const outputs = properties(
    cls.members.filter((m) => m.modifiers?.some((x) => x.kind === ts.SyntaxKind.DeclareKeyword)),
    `${r.file} ${r.resource}`,
    r,
  );
  return {
    description: docOf(cls, `${r.file} class ${r.resource}`),
    inputProperties: inputs.properties,
    ...(inputs.required.length > 0 ? { requiredInputs: inputs.required } : {}),
    properties: outputs.properties,
    ...(outputs.required.length > 0 ? { required: outputs.required } : {}),
  };
}

function objectType(t) {
  const decl = declaration(t.file, t.interface, ts.isInterfaceDeclaration);
  return {
    type: "object",
    description: docOf(decl, `${t.file} interface ${t.interface}`),
    ...withRequired(properties(decl.members, `${t.file} ${t.interface}`)),
  };
}

function fn(f, types) {
  const decl = declaration(f.file, f.function, ts.isFunctionDeclaration);
  const out = { description: docOf(decl, `${f.file} function ${f.function}`) };
  if (f.args) {
    const args = declaration(f.file, f.args, ts.isInterfaceDeclaration);
    out.inputs = { type: "object", ...withRequired(properties(args.members, `${f.file} ${f.args}`)) };
  }
  const type = types[f.returns.type] ?? fail(`${f.token} returns the unknown type ${f.returns.type}`);
  out.outputs =
    f.returns.kind === "fields"
      ? { type: "object", properties: type.properties }
      : {
          type: "object",
          properties: {
            [f.returns.property]: {
              type: "array",
              items: { $ref: `#/types/${f.returns.type}` },
              description: out.description,
            },
          },
          required: [f.returns.property],
        };
  return out;
}

/** The configuration variables: CONFIG_KEYS's keys, described by their doc comments or the client option's. */
function config() {
  const c = spec.CONFIG;
  const keysDecl = sourceFile(c.keysFile).statements.find(
    (s) => ts.isVariableStatement(s) && s.declarationList.declarations[0]?.name.getText() === c.keysConst,
  );
  if (!keysDecl) fail(`${c.keysFile} has no ${c.keysConst}`);
  let init = keysDecl.declarationList.declarations[0].initializer;
  while (init && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
  if (!init || !ts.isObjectLiteralExpression(init)) fail(`${c.keysConst} is not an object literal`);
  const options = declaration(c.optionsFile, c.optionsInterface, ts.isInterfaceDeclaration);
  const optionOf = new Map(options.members.filter((m) => m.name).map((m) => [m.name.getText(), m]));
  const variables = {};
  for (const p of init.properties) {
    const key = p.name.getText();
    const own = ts.displayPartsToString(checker.getSymbolAtLocation(p.name).getDocumentationComment(checker)).trim();
    const option = optionOf.get(key);
    const description = own || (option && docOf(option, `${c.optionsFile} ${c.optionsInterface}.${key}`));
    if (!description) fail(`configuration key ${key} has no doc comment in ${c.keysConst} nor a client option`);
    const type = c.types[key]
      ? { type: c.types[key] }
      : option
        ? typeSpec(checker.getTypeFromTypeNode(option.type), `${c.optionsInterface}.${key}`, false).schema
        : fail(`configuration key ${key} has no type: add it to CONFIG.types in plugin/spec.ts`);
    variables[key] = { ...type, description, ...(c.secrets.includes(key) ? { secret: true } : {}) };
  }
  return variables;
}

const types = Object.fromEntries(spec.TYPES.map((t) => [t.token, objectType(t)]));
const variables = config();
const schema = {
  name: spec.PACKAGE,
  displayName: spec.PACKAGE_META.displayName,
  version,
  description: spec.PACKAGE_META.description,
  keywords: spec.PACKAGE_META.keywords,
  license: spec.PACKAGE_META.license,
  config: { variables },
  provider: { description: spec.PROVIDER_DESCRIPTION, inputProperties: variables },
  resources: Object.fromEntries(spec.RESOURCES.map((r) => [r.token, resource(r)])),
  functions: Object.fromEntries(spec.FUNCTIONS.map((f) => [f.token, fn(f, types)])),
  types,
  language: spec.PACKAGE_META.language,
};
writeFileSync(path.join(root, "dist/plugin/schema.json"), JSON.stringify(schema, null, 2) + "\n");
