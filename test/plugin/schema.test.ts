/**
 * GetSchema: the `wallaroo` package schema the plugin serves. It validates against Pulumi's package
 * metaschema (pkg/codegen/schema/pulumi.json of pulumi/pulumi, draft 2020-12, with ajv), names
 * everything as the dynamic resources do, takes each description from the doc comment of the
 * TypeScript declaration it comes from, and marks the credentials secret.
 *
 * The metaschema is in no npm package and CI reaches only the npm registry, so a copy is vendored in
 * test/fixtures/pulumi/pulumi.json (Apache-2.0, see the README beside it); PULUMI_PACKAGE_METASCHEMA
 * (a path) names a newer one to check against instead.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import * as ts from "typescript";
import { PluginProcess, REPO, VERSION } from "./pluginProcess";

function metaschemaPath(): string | undefined {
  const candidates = [
    process.env.PULUMI_PACKAGE_METASCHEMA,
    path.join(REPO, "test", "fixtures", "pulumi", "pulumi.json"),
  ];
  return candidates.find((c): c is string => c !== undefined && c !== "" && fs.existsSync(c));
}

/** The doc comment of a member of an interface or class in one of the repository's files, read by the compiler's JSDoc API. */
function docComment(file: string, container: string, member: string): string {
  const sf = ts.createSourceFile(file, fs.readFileSync(path.join(REPO, file), "utf8"), ts.ScriptTarget.ES2022, true);
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if ((ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node)) && node.name?.text === container) {
      for (const m of node.members) {
        if (m.name?.getText(sf) !== member) continue;
        const doc = ts.getJSDocCommentsAndTags(m).find(ts.isJSDoc);
        found = typeof doc?.comment === "string" ? doc.comment : undefined;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  assert.ok(found, `${file}: ${container}.${member} has a doc comment`);
  return found.replace(/\s+/g, " ").trim();
}

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

describe("GetSchema", function () {
  this.timeout(120_000);
  let plugin: PluginProcess;
  let schema: any;

  before(async () => {
    plugin = await PluginProcess.start({ via: "bin" });
    schema = await plugin.schema();
  });
  after(async () => plugin?.close());

  it("validates against Pulumi's package metaschema, which rejects a broken copy", function () {
    const file = metaschemaPath();
    if (!file) {
      // Not in any npm package; see the header for where the test looks.
      this.skip();
    }
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(file, "utf8")));
    assert.equal(validate(schema), true, JSON.stringify(validate.errors, null, 2));
    // The validator is not vacuous: a token with a space, a property without a type, are refused.
    const broken = structuredClone(schema);
    broken.resources["wallaroo:index:Bad Token"] = broken.resources["wallaroo:index:User"];
    broken.resources["wallaroo:index:User"].inputProperties.email = { description: "no type", type: "strin" };
    assert.equal(validate(broken), false);
  });

  it("is package wallaroo at this version, with the three resources, two functions and their tokens", () => {
    assert.equal(schema.name, "wallaroo");
    assert.equal(schema.version, VERSION);
    assert.deepEqual(Object.keys(schema.resources).sort(), [
      "wallaroo:index:User",
      "wallaroo:index:Workspace",
      "wallaroo:index:WorkspaceMember",
    ]);
    assert.deepEqual(Object.keys(schema.functions).sort(), ["wallaroo:index:listUsers", "wallaroo:index:lookupUser"]);
  });

  it("names inputs and outputs as the dynamic resources do, firstName and lastName included", () => {
    const user = schema.resources["wallaroo:index:User"];
    assert.deepEqual(Object.keys(user.inputProperties), [
      "email",
      "active",
      "password",
      "adoptExisting",
      "firstName",
      "lastName",
    ]);
    assert.deepEqual(user.requiredInputs, ["email"]);
    assert.deepEqual(Object.keys(user.properties), [
      "userId",
      "email",
      "username",
      "active",
      "firstName",
      "lastName",
      "emailVerified",
      "createdTimestamp",
      "initialPassword",
      "adopted",
    ]);
    assert.deepEqual(user.required, ["userId", "email", "username", "active", "adopted"]);
    const ws = schema.resources["wallaroo:index:Workspace"];
    assert.deepEqual(Object.keys(ws.inputProperties), ["name", "adoptExisting"]);
    assert.deepEqual(Object.keys(ws.properties), [
      "workspaceId",
      "name",
      "createdAt",
      "createdBy",
      "archived",
      "adopted",
    ]);
    assert.equal(ws.properties.workspaceId.type, "integer");
    const member = schema.resources["wallaroo:index:WorkspaceMember"];
    assert.deepEqual(Object.keys(member.inputProperties), ["workspaceId", "email", "role"]);
    assert.deepEqual(member.requiredInputs, ["workspaceId", "email"]);
    assert.deepEqual(Object.keys(member.properties), ["workspaceId", "email", "userId", "role", "adopted"]);
    assert.deepEqual(schema.functions["wallaroo:index:lookupUser"].inputs.required, ["email"]);
    assert.deepEqual(schema.functions["wallaroo:index:listUsers"].outputs.properties.users.items, {
      $ref: "#/types/wallaroo:index:WallarooUser",
    });
  });

  it("takes every description from the doc comment of the TypeScript declaration", () => {
    const sources = {
      "wallaroo:index:User": ["provider/user.ts", "UserArgs", "User"],
      "wallaroo:index:Workspace": ["provider/workspace.ts", "WorkspaceArgs", "Workspace"],
      "wallaroo:index:WorkspaceMember": ["provider/member.ts", "WorkspaceMemberArgs", "WorkspaceMember"],
    } as const;
    for (const [token, [file, args, cls]] of Object.entries(sources)) {
      const r = schema.resources[token];
      for (const [name, p] of Object.entries<any>(r.inputProperties)) {
        assert.equal(squash(p.description), docComment(file, args, name), `${token} input ${name}`);
      }
      for (const [name, p] of Object.entries<any>(r.properties)) {
        assert.equal(squash(p.description), docComment(file, cls, name), `${token} output ${name}`);
      }
    }
    for (const [name, p] of Object.entries<any>(schema.types["wallaroo:index:WallarooUser"].properties)) {
      assert.equal(squash(p.description), docComment("sdk/types.ts", "WallarooUser", name), `WallarooUser.${name}`);
    }
    assert.equal(
      squash(schema.config.variables.url.description),
      docComment("sdk/options.ts", "WallarooClientOptions", "url"),
    );
  });

  it("has the provider configuration url … edition, without namespace, token and password secret", () => {
    const keys = [
      "url",
      "authUrl",
      "username",
      "password",
      "token",
      "caCertPath",
      "insecureSkipTlsVerify",
      "maxRetries",
      "retryTimeoutSeconds",
      "edition",
    ];
    assert.deepEqual(Object.keys(schema.config.variables), keys);
    assert.deepEqual(Object.keys(schema.provider.inputProperties), keys);
    const secret = (props: Record<string, any>) => Object.keys(props).filter((k) => props[k].secret === true);
    assert.deepEqual(secret(schema.config.variables), ["password", "token"]);
    assert.equal(schema.config.variables.insecureSkipTlsVerify.type, "boolean");
    assert.equal(schema.config.variables.maxRetries.type, "integer");
    // Secret inputs and outputs of the resources.
    const user = schema.resources["wallaroo:index:User"];
    assert.deepEqual(secret(user.inputProperties), ["password"]);
    assert.deepEqual(secret(user.properties), ["initialPassword"]);
  });

  it("has language sections for nodejs, python (pulumi_wallaroo), go and csharp", () => {
    assert.deepEqual(Object.keys(schema.language).sort(), ["csharp", "go", "nodejs", "python"]);
    assert.equal(schema.language.python.packageName, "pulumi_wallaroo");
    assert.notEqual(schema.language.nodejs.packageName, "pulumi-wallaroo", "not the dynamic resources' package");
    assert.equal(typeof schema.language.go.importBasePath, "string");
  });
});
