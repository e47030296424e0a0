/**
 * The licence policy fed with what a real program run registers: the program
 * runs through the harness (Pulumi's dynamic-provider host, the emulator), and
 * the resources in the resulting state go to the policy pack over AnalyzeStack.
 */
import assert from "node:assert/strict";
import { assertOk, Engine } from "../harness";
import { startWorld, World } from "../support/world";
import { AnalyzerResourceInput, PolicyPackProcess } from "./analyzerClient";

const TYPE = "pulumi-nodejs:dynamic/wallaroo:User";

function program(inactive: number[]): string {
  const users = Array.from(
    { length: 6 },
    (_, i) =>
      `new wallaroo.User("member${i}", { email: "member${i}@example.com"${inactive.includes(i) ? ", active: false" : ""} });`,
  );
  return `import * as wallaroo from "pulumi-wallaroo";\n${users.join("\n")}\n`;
}

function registered(engine: Engine, where: "inputs" | "outputs"): AnalyzerResourceInput[] {
  return engine
    .listResources()
    .filter((r) => r.type === TYPE)
    .map((r) => ({
      type: r.type,
      name: r.urn.split("::").pop()!,
      urn: r.urn,
      properties: r[where] as Record<string, unknown>,
    }));
}

describe("wallaroo-licence pack on resources from a real program run", function () {
  this.timeout(180_000);
  let world: World;
  let engine: Engine;
  let pack: PolicyPackProcess;

  before(async () => {
    // Enterprise on the server, so the program can register six active users; the pack checks them against community.
    world = await startWorld({ edition: "enterprise" });
    engine = world.engine();
    pack = await PolicyPackProcess.start();
    await pack.configure({});
  });
  after(async () => {
    await pack?.stop();
    await world?.close();
  });

  it("passes five active users and one inactive once they exist, as the provider recorded them", async () => {
    world.program("index.ts", program([5]));
    assertOk(await engine.up("index.ts"));
    const resources = registered(engine, "outputs");
    assert.equal(resources.length, 6);
    assert.ok(
      typeof resources[0].properties.__provider === "string",
      "the serialized provider is part of what was registered",
    );
    const result = await pack.analyzeStack(resources);
    assert.deepEqual(
      result.diagnostics.filter((d) => d.enforcementLevel === "mandatory"),
      [],
    );
  });

  it("stops the same six users at their first preview: the inactive one is invited active first", async () => {
    // What the engine sends at the first preview: the checked inputs, no server id yet.
    const result = await pack.analyzeStack(registered(engine, "inputs"));
    const limit = result.diagnostics.find((d) => d.policyName === "wallaroo-active-user-limit");
    assert.match(limit!.message, /6 licence seats are needed during this update, but the community licence allows 5/);
    assert.match(limit!.message, /1 user holds a seat only while it runs.*: member5@example\.com\./);
  });

  it("stops six active users with a message listing them", async () => {
    world.program("index.ts", program([]));
    assertOk(await engine.up("index.ts"));
    const result = await pack.analyzeStack(registered(engine, "outputs"));
    const limit = result.diagnostics.find((d) => d.policyName === "wallaroo-active-user-limit");
    assert.ok(limit, JSON.stringify(result.diagnostics));
    assert.equal(limit.enforcementLevel, "mandatory");
    assert.match(
      limit.message,
      /6 active Wallaroo users requested in this stack, but the community licence allows 5\. Deactivate 1/,
    );
    for (let i = 0; i < 6; i++) assert.match(limit.message, new RegExp(`member${i}@example\\.com`));
  });
});
