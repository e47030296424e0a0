/**
 * How the harness names, configures and finds the providers of resource plugins, each rule after
 * the engine source it models (cited in test/harness/providerResource.ts and providerPlugins.ts).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  defaultProviderName,
  isDefaultProviderUrn,
  makeTempDir,
  packageConfig,
  pluginCommand,
  projectPluginFolders,
  secret,
} from "../harness";

describe("harness: providers of resource plugins", () => {
  it("names a default provider `default`, or after its version as providers/provider.go DefaultName does", () => {
    assert.equal(defaultProviderName(), "default");
    assert.equal(defaultProviderName("1.2.3"), "default_1_2_3");
    assert.equal(defaultProviderName("v0.1.0"), "default_0_1_0");
    assert.equal(defaultProviderName("1.2.3-alpha.1+build.7"), "default_1_2_3_alpha_1_build_7");
  });

  it("tells default providers' URNs from explicit ones", () => {
    const urn = (type: string, name: string) => `urn:pulumi:dev::p::${type}::${name}`;
    assert.ok(isDefaultProviderUrn(urn("pulumi:providers:wallaroo", "default")));
    assert.ok(isDefaultProviderUrn(urn("pulumi:providers:pulumi-nodejs", "default")));
    assert.ok(isDefaultProviderUrn(urn("pulumi:providers:wallaroo", "default_1_2_3")));
    assert.ok(!isDefaultProviderUrn(urn("pulumi:providers:wallaroo", "east")));
    assert.ok(!isDefaultProviderUrn(urn("wallaroo:index:User", "default")));
  });

  it("configures a package's default provider with its namespace only, the namespace removed, secrets kept (GetPackageConfig)", () => {
    const inputs = packageConfig("wallaroo", {
      values: { "wallaroo:url": "https://x", "wallaroo:password": "pw", "proj:other": "o", "wallarooX:url": "no" },
      secretKeys: ["wallaroo:password"],
    });
    assert.deepEqual(inputs, { password: secret("pw"), url: "https://x" });
  });

  it("finds a plugin folder named in Pulumi.yaml's plugins.providers, relative to the project", () => {
    const dir = makeTempDir("plugins");
    fs.mkdirSync(path.join(dir, "vendor", "wallaroo"), { recursive: true });
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      "name: p\nruntime: nodejs\nplugins:\n  providers:\n    - name: wallaroo\n      path: ./vendor/wallaroo\n",
    );
    assert.deepEqual(projectPluginFolders(dir), { wallaroo: path.join(dir, "vendor", "wallaroo") });
    // A folder without PulumiPlugin.yaml is no plugin; no folder at all is an error naming where to set one.
    assert.throws(() => pluginCommand("wallaroo", dir), /is not a plugin folder \(no PulumiPlugin\.yaml\)/);
    assert.throws(
      () => pluginCommand("okta", dir),
      /no resource plugin for package 'okta'.*Pulumi\.yaml \(plugins\.providers\)/,
    );
  });
});
