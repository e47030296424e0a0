/**
 * The Node.js SDK a program needs to declare the native plugin's resources, as
 * `pulumi package add` generates it from the plugin's schema (pkg/codegen/nodejs
 * in pulumi/pulumi), reduced to what the tests use: one `pulumi.CustomResource`
 * class per resource with its type token and an Output for each schema property
 * (the SDK makes one for every key of the props it is given, undefined ones
 * included), secret inputs wrapped in `pulumi.secret`, the package's version as the `version`
 * option of every resource (`utilities.resourceOptsDefaults()`: so the engine's default provider is
 * `default_<version>`, with `version` among its inputs), and a `Provider` class
 * (`pulumi.ProviderResource` of package `wallaroo`) whose non-string inputs are
 * sent as JSON, as generated providers send them.
 *
 * Generated here from dist/plugin/schema.json, so a renamed property breaks
 * the programs that use it, as it would break a generated SDK.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { findRepoRoot } from "../harness";

interface SchemaResource {
  properties: Record<string, { secret?: boolean }>;
  inputProperties: Record<string, { secret?: boolean; type?: string }>;
}
interface Schema {
  name: string;
  version: string;
  resources: Record<string, SchemaResource>;
  provider: SchemaResource;
}

export function pluginSchema(): Schema {
  return JSON.parse(fs.readFileSync(path.join(findRepoRoot(), "dist", "plugin", "schema.json"), "utf8")) as Schema;
}

/** TypeScript source declaring `const wallaroo = { User, Workspace, WorkspaceMember, Provider }`. */
export function nativeSdk(schema: Schema = pluginSchema()): string {
  const classes = Object.entries(schema.resources).map(([token, r]) => {
    const name = token.split(":")[2]!;
    const outputs = Object.keys(r.properties);
    const secrets = Object.entries(r.inputProperties)
      .filter(([, p]) => p.secret)
      .map(([k]) => k);
    return `class ${name} extends pulumi.CustomResource {
${outputs.map((o) => `  declare readonly ${o}: pulumi.Output<any>;`).join("\n")}
  constructor(name: string, args: Record<string, any>, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, any> = { ${outputs.map((o) => `${o}: undefined`).join(", ")}, ...args };
    for (const k of ${JSON.stringify(secrets)}) if (props[k] !== undefined) props[k] = pulumi.secret(props[k]);
    super(${JSON.stringify(token)}, name, props, { version: ${JSON.stringify(schema.version)}, ...opts });
  }
}`;
  });
  const providerSecrets = Object.entries(schema.provider.inputProperties)
    .filter(([, p]) => p.secret)
    .map(([k]) => k);
  return `// Generated from the plugin's schema (test/support/nativeSdk.ts), as \`pulumi package add\` would.
${classes.join("\n")}
class Provider extends pulumi.ProviderResource {
  constructor(name: string, args: Record<string, any>, opts?: pulumi.ResourceOptions) {
    const props: Record<string, any> = {};
    for (const [k, v] of Object.entries(args)) {
      if (v === undefined) continue;
      const json = pulumi.output(v).apply((x: any) => (typeof x === "string" ? x : JSON.stringify(x)));
      props[k] = ${JSON.stringify(providerSecrets)}.includes(k) ? pulumi.secret(json) : json;
    }
    super(${JSON.stringify(schema.name)}, name, props, { version: ${JSON.stringify(schema.version)}, ...opts });
  }
}
const wallaroo = { ${[...Object.keys(schema.resources).map((t) => t.split(":")[2]), "Provider"].join(", ")} };
`;
}
