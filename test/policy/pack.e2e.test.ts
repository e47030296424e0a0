import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { activeUserLimitConfigSchema } from "../../policy/config";
import {
  AnalyzeResult,
  AnalyzerResourceInput,
  PACK_DIR,
  PolicyPackProcess,
  UNKNOWN_VALUE,
  userRegistration,
} from "./analyzerClient";

const REPO = path.resolve(__dirname, "../../..");
const packVersion = (JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as { version: string })
  .version;

function registrations(count: number, inputs: Record<string, unknown> = {}, prefix = "user"): AnalyzerResourceInput[] {
  return Array.from({ length: count }, (_, i) =>
    userRegistration(`${prefix}${i + 1}`, {
      email: `${prefix}${i + 1}@example.com`,
      password: "s3cret-Passw0rd",
      ...inputs,
    }),
  );
}

const stackResource: AnalyzerResourceInput = {
  type: "pulumi:pulumi:Stack",
  name: "wallaroo-users-dev",
  urn: "urn:pulumi:dev::wallaroo-users::pulumi:pulumi:Stack::wallaroo-users-dev",
  properties: {},
};

function summary(result: AnalyzeResult): [string, string][] {
  return result.diagnostics.map((d) => [d.policyName, d.enforcementLevel]);
}

describe("wallaroo-licence policy pack, started as the Pulumi CLI starts it and driven over gRPC", function () {
  this.timeout(60_000);
  let pack: PolicyPackProcess;

  before(async () => {
    pack = await PolicyPackProcess.start(PACK_DIR);
  });
  after(async () => {
    await pack?.stop();
  });

  it("answers GetPluginInfo with the @pulumi/policy version", async () => {
    const { version } = await pack.getPluginInfo();
    assert.match(version, /^\d+\.\d+\.\d+/);
  });

  it("advertises its policies, their default enforcement levels and the limit's config schema", async () => {
    const info = await pack.getAnalyzerInfo();
    assert.equal(info.name, "wallaroo-licence");
    assert.equal(info.version, packVersion);
    assert.equal(info.supportsConfig, true);
    assert.deepEqual(
      info.policies.map((p) => [p.name, p.policyType, p.enforcementLevel]),
      [
        ["wallaroo-active-user-limit", "stack", "mandatory"],
        ["wallaroo-user-email", "resource", "mandatory"],
        ["wallaroo-duplicate-email", "stack", "mandatory"],
        ["wallaroo-unknown-values", "stack", "advisory"],
        ["wallaroo-workspace-name", "resource", "mandatory"],
        ["wallaroo-duplicate-membership", "stack", "mandatory"],
        ["wallaroo-member-inactive", "stack", "advisory"],
      ],
    );
    const limit = info.policies[0]!;
    assert.deepEqual(limit.configSchema, { properties: activeUserLimitConfigSchema.properties, required: [] });
    assert.equal(info.policies[1]!.configSchema, undefined);
  });

  describe("wallaroo-active-user-limit", () => {
    it("passes a stack with five active users", async () => {
      await pack.configure({});
      const result = await pack.analyzeStack([stackResource, ...registrations(5)]);
      assert.deepEqual(result.diagnostics, []);
    });

    it("reports six active users as a mandatory violation with counts, limit and emails", async () => {
      await pack.configure({});
      const result = await pack.analyzeStack([stackResource, ...registrations(6)]);
      assert.deepEqual(summary(result), [["wallaroo-active-user-limit", "mandatory"]]);
      const [d] = result.diagnostics;
      assert.equal(d!.policyPackName, "wallaroo-licence");
      assert.equal(d!.policyPackVersion, packVersion);
      assert.equal(
        d!.message,
        `${d!.description}\n6 active Wallaroo users requested in this stack, but the community licence allows 5. ` +
          "Deactivate 1 (set active: false) or raise the limit. Active in this stack: user1@example.com, " +
          "user2@example.com, user3@example.com, user4@example.com, user5@example.com, user6@example.com.",
      );
      assert.doesNotMatch(d!.message, /s3cret/);
    });

    it("passes six users when one of them is deactivated", async () => {
      await pack.configure({});
      const users = [
        ...registrations(5),
        userRegistration("former", { email: "former@example.com", active: false, userId: "id-former" }),
      ];
      assert.deepEqual((await pack.analyzeStack(users)).diagnostics, []);
    });

    it("passes fifty active users on the enterprise edition", async () => {
      await pack.configure({ "wallaroo-active-user-limit": { properties: { edition: "enterprise" } } });
      assert.deepEqual((await pack.analyzeStack(registrations(50))).diagnostics, []);
    });

    it("reports three active users against maxActiveUsers: 2", async () => {
      await pack.configure({ "wallaroo-active-user-limit": { properties: { maxActiveUsers: 2 } } });
      const result = await pack.analyzeStack(registrations(3));
      assert.deepEqual(summary(result), [["wallaroo-active-user-limit", "mandatory"]]);
      assert.match(
        result.diagnostics[0]!.message,
        /\n3 active Wallaroo users requested in this stack, but the configured limit \(maxActiveUsers\) allows 2\. Deactivate 1 /,
      );
    });

    it("reports two active users plus unmanagedActiveUsers: 4", async () => {
      await pack.configure({ "wallaroo-active-user-limit": { properties: { unmanagedActiveUsers: 4 } } });
      const result = await pack.analyzeStack(registrations(2));
      assert.match(
        result.diagnostics[0]!.message,
        /\n6 active Wallaroo users requested \(2 in this stack \+ 4 unmanaged\), but the community licence allows 5\. Deactivate 1 /,
      );
    });

    it("fails the analysis with a clear message when its configuration is invalid", async () => {
      // @pulumi/policy's Configure stores any properties (the CLI validates them against the
      // advertised schema before sending); the policy checks them when it runs.
      await pack.configure({ "wallaroo-active-user-limit": { properties: { maxActiveUsers: -1, edition: "free" } } });
      await assert.rejects(pack.analyzeStack(registrations(1)), (e: Error) => {
        assert.match(
          e.message,
          /Error validating resource with policy 'wallaroo-active-user-limit' from policy pack 'wallaroo-licence@v/,
        );
        assert.match(
          e.message,
          /PolicyConfigError: invalid configuration for policy 'wallaroo-active-user-limit': edition must be one of "community", "enterprise", got "free"; maxActiveUsers must be an integer >= 0, got -1$/,
        );
        assert.doesNotMatch(e.message, /\n\s+at /, "no stack trace");
        return true;
      });
      await pack.configure({ "wallaroo-active-user-limit": { properties: { maxActiveUsers: "five" } } });
      await assert.rejects(pack.analyzeStack(registrations(1)), /maxActiveUsers must be an integer >= 0, got "five"/);
    });

    it("follows the enforcement level set in the configuration", async () => {
      await pack.configure({ "wallaroo-active-user-limit": "advisory" });
      assert.deepEqual(summary(await pack.analyzeStack(registrations(6))), [
        ["wallaroo-active-user-limit", "advisory"],
      ]);
      await pack.configure({
        "wallaroo-active-user-limit": { enforcementLevel: "disabled", properties: { maxActiveUsers: 0 } },
      });
      assert.deepEqual((await pack.analyzeStack(registrations(6))).diagnostics, []);
    });
  });

  describe("wallaroo-duplicate-email", () => {
    it("reports a second user for the same email on that user", async () => {
      await pack.configure({});
      const users = [
        userRegistration("alice", { email: "alice@example.com" }),
        userRegistration("alice2", { email: "ALICE@example.com " }),
      ];
      const result = await pack.analyzeStack(users);
      assert.deepEqual(summary(result), [["wallaroo-duplicate-email", "mandatory"]]);
      const [d] = result.diagnostics;
      assert.equal(d!.urn, "urn:pulumi:dev::wallaroo-users::pulumi-nodejs:dynamic/wallaroo:User::alice2");
      assert.match(d!.message, /Wallaroo users 'alice' and 'alice2' both manage alice@example\.com/);
      assert.match(d!.message, /::alice\n {2}urn:.*::alice2$/);
    });

    it("can be disabled", async () => {
      await pack.configure({ "wallaroo-duplicate-email": "disabled" });
      const users = [
        userRegistration("a", { email: "a@example.com" }),
        userRegistration("b", { email: "a@example.com" }),
      ];
      assert.deepEqual((await pack.analyzeStack(users)).diagnostics, []);
    });
  });

  describe("wallaroo-user-email", () => {
    it("reports a malformed email when the engine analyses the resource", async () => {
      await pack.configure({});
      const result = await pack.analyze(userRegistration("bob", { email: "bob@localhost", password: "pw" }));
      assert.deepEqual(summary(result), [["wallaroo-user-email", "mandatory"]]);
      assert.match(
        result.diagnostics[0]!.message,
        /\nWallaroo user 'bob': email "bob@localhost" has no dot in the domain\./,
      );
    });

    it("passes a well-formed email and does not apply to other resource types", async () => {
      await pack.configure({});
      assert.deepEqual((await pack.analyze(userRegistration("ok", { email: "ok@example.com" }))).diagnostics, []);
      const other = await pack.analyze({ type: "aws:s3/bucket:Bucket", name: "b", properties: { email: "nope" } });
      assert.deepEqual(other.diagnostics, []);
      assert.deepEqual(
        other.notApplicable.map((n) => n.policyName),
        ["wallaroo-user-email", "wallaroo-workspace-name"],
      );
    });
  });

  describe("values unknown during preview", () => {
    it("skip the email check without a crash or a violation", async () => {
      await pack.configure({});
      const result = await pack.analyze(userRegistration("carol", { email: UNKNOWN_VALUE }));
      assert.deepEqual(result.diagnostics, []);
    });

    it("produce only advisory notes on the users concerned, never a mandatory violation", async () => {
      await pack.configure({});
      const users = [
        ...registrations(5),
        userRegistration("carol", { email: UNKNOWN_VALUE }),
        userRegistration("dave", { email: "user1@example.com", active: UNKNOWN_VALUE }),
      ];
      const result = await pack.analyzeStack(users);
      // carol counts (active by default): 6 > 5 is a definite violation; dave is not counted.
      assert.deepEqual(summary(result), [
        ["wallaroo-active-user-limit", "mandatory"],
        ["wallaroo-duplicate-email", "mandatory"],
        ["wallaroo-unknown-values", "advisory"],
        ["wallaroo-unknown-values", "advisory"],
      ]);
      assert.match(
        result.diagnostics[0]!.message,
        /user5@example\.com, carol \(email not known until apply\)\. 1 more user whose active flag/,
      );
      assert.deepEqual(
        result.diagnostics.slice(2).map((d) => d.urn.split("::").pop()),
        ["carol", "dave"],
      );

      const atLimit = [
        ...registrations(4),
        userRegistration("carol", { email: UNKNOWN_VALUE }),
        userRegistration("dave", { email: "d@example.com", active: UNKNOWN_VALUE }),
      ];
      assert.deepEqual(summary(await pack.analyzeStack(atLimit)), [
        ["wallaroo-unknown-values", "advisory"],
        ["wallaroo-unknown-values", "advisory"],
      ]);
    });
  });

  describe("workspace policies", () => {
    const ws = (name: string, props: Record<string, unknown>): AnalyzerResourceInput => ({
      type: "pulumi-nodejs:dynamic/wallaroo:Workspace",
      name,
      properties: props,
    });
    const member = (name: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}) => ({
      type: "pulumi-nodejs:dynamic/wallaroo:WorkspaceMember",
      name,
      properties: props,
      dependencies: Object.values(deps).flat(),
      propertyDependencies: deps,
    });
    const urn = (type: string, name: string) =>
      `urn:pulumi:dev::wallaroo-users::pulumi-nodejs:dynamic/wallaroo:${type}::${name}`;

    it("report a bad workspace name (Analyze), a duplicate membership through unknown values and inactive members (AnalyzeStack)", async () => {
      await pack.configure({});
      const result = await pack.analyzeStack([
        userRegistration("bob", { email: "bob@example.com", active: false }),
        ws("fraud", { name: "fraud-detection" }),
        ws("bad", { name: "bad_name" }),
        member(
          "m1",
          { workspaceId: UNKNOWN_VALUE, email: UNKNOWN_VALUE, role: "owner" },
          {
            workspaceId: [urn("Workspace", "fraud")],
            email: [urn("User", "bob")],
          },
        ),
        member(
          "m2",
          { workspaceId: UNKNOWN_VALUE, email: "Bob@Example.com" },
          { workspaceId: [urn("Workspace", "fraud")] },
        ),
      ]);
      assert.deepEqual(summary(result).sort(), [
        ["wallaroo-duplicate-membership", "mandatory"],
        ["wallaroo-member-inactive", "advisory"],
        ["wallaroo-member-inactive", "advisory"],
      ]);
      const byPolicy = (n: string) => result.diagnostics.filter((d) => d.policyName === n);
      // Resource policies run per resource (Analyze), not in AnalyzeStack.
      const named = await pack.analyze(ws("bad", { name: "bad_name" }));
      assert.deepEqual(summary(named), [["wallaroo-workspace-name", "mandatory"]]);
      assert.match(named.diagnostics[0]!.message, /Wallaroo workspace 'bad': name "bad_name" does not match/);
      const dup = byPolicy("wallaroo-duplicate-membership")[0]!;
      assert.equal(dup.urn, urn("WorkspaceMember", "m2"));
      assert.match(dup.message, /'m1' and 'm2' both manage bob@example\.com in workspace 'fraud-detection'/);
    });

    it("skip a workspace name not known until apply", async () => {
      await pack.configure({});
      const result = await pack.analyze(ws("later", { name: UNKNOWN_VALUE }));
      assert.deepEqual(result.diagnostics, []);
    });
  });

  it("reports its stack policies as not applicable to a stack without Wallaroo users", async () => {
    await pack.configure({});
    const result = await pack.analyzeStack([stackResource]);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.notApplicable.map((n) => n.policyName).sort(), [
      "wallaroo-active-user-limit",
      "wallaroo-duplicate-email",
      "wallaroo-duplicate-membership",
      "wallaroo-member-inactive",
      "wallaroo-unknown-values",
    ]);
  });
});

describe("wallaroo-licence policy pack folder", () => {
  const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;

  it("carries pulumi-wallaroo's version (the pack reports it) and no dependencies of its own", () => {
    const pkg = read(path.join(PACK_DIR, "package.json"));
    assert.equal(pkg.version, read(path.join(REPO, "package.json")).version);
    assert.equal(
      pkg.dependencies,
      undefined,
      "dependencies come from pulumi-wallaroo; none may be installed into policy/",
    );
    assert.equal(path.resolve(PACK_DIR, String(pkg.main)), path.join(REPO, "dist", "policy", "pack.js"));
    assert.match(fs.readFileSync(path.join(PACK_DIR, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
  });
});

describe("wallaroo-licence policy pack installed as node_modules/pulumi-wallaroo/policy in a user's project", function () {
  this.timeout(120_000);
  let project: string;
  let pack: PolicyPackProcess | undefined;

  before(function () {
    // Lay out exactly the files `npm pack` would publish, under a project's node_modules,
    // next to the dependencies (linked from this repository's node_modules).
    project = fs.mkdtempSync(path.join(os.tmpdir(), "wallaroo-policy-"));
    const modules = path.join(project, "node_modules");
    const installed = path.join(modules, "pulumi-wallaroo");
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const out = execFileSync(npm, ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: REPO,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const [{ files }] = JSON.parse(out) as [{ files: { path: string }[] }];
    for (const { path: file } of files) {
      fs.mkdirSync(path.dirname(path.join(installed, file)), { recursive: true });
      fs.copyFileSync(path.join(REPO, file), path.join(installed, file));
    }
    for (const entry of fs.readdirSync(path.join(REPO, "node_modules"))) {
      if (!entry.startsWith(".") && entry !== "pulumi-wallaroo")
        fs.symlinkSync(path.join(REPO, "node_modules", entry), path.join(modules, entry), "junction");
    }
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "my-infra", dependencies: { "pulumi-wallaroo": "*" } }),
    );
  });
  after(async () => {
    await pack?.stop();
    fs.rmSync(project, { recursive: true, force: true });
  });

  it("ships the pack's files and starts from there, analysing a stack", async () => {
    const packDir = path.join(project, "node_modules", "pulumi-wallaroo", "policy");
    for (const file of ["PulumiPolicy.yaml", "package.json", "../dist/policy/pack.js", "../dist/sdk/email.js"]) {
      assert.ok(fs.existsSync(path.join(packDir, file)), `published package lacks policy/${file}`);
    }
    pack = await PolicyPackProcess.start(packDir);
    const info = await pack.getAnalyzerInfo();
    assert.equal(info.name, "wallaroo-licence");
    await pack.configure({});
    const result = await pack.analyzeStack(registrations(6));
    assert.deepEqual(summary(result), [["wallaroo-active-user-limit", "mandatory"]]);
  });
});
