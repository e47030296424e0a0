/**
 * The bench's own parts, checked by counting (never timing): the sequential baseline makes the calls the
 * tutorial makes, the emulator's latency applies to every endpoint, the profile attribution reads a V8
 * profile the way the bench's tables say, and the command line takes the latency list.
 */
import assert from "node:assert/strict";
import { parseBenchArgs } from "../../bench/args";
import { inProcess } from "../../bench/phases";
import { analyzeProfile, ownerOf } from "../../bench/profile";
import { expectedCalls } from "../../bench/programs";
import { runSequential } from "../../bench/sequential";
import { startEmulator } from "../../emulator";
import { ADMIN_PASSWORD } from "../support/world";

describe("bench parts", function () {
  this.timeout(60_000);

  it("the sequential baseline: one login, one request per user and step, one at a time", async () => {
    const emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise" });
    try {
      const users = 20;
      const phases = await runSequential({
        emu: inProcess(emu),
        users,
        adminPassword: ADMIN_PASSWORD,
        domain: "seq.example.com",
      });
      const calls = Object.fromEntries(phases.map((p) => [p.phase, p.calls]));
      const want = expectedCalls(users);
      assert.deepEqual(calls.up, { token: 1, invite: users, deactivate: want.up.deactivate });
      assert.deepEqual(calls.refresh, { query: users });
      assert.deepEqual(calls.update, { deactivate: want.update.deactivate });
      assert.deepEqual(calls.destroy, { deactivate: users });
    } finally {
      await emu.close();
    }
  });

  it("the sequential baseline on Enterprise: one Keycloak POST per user, then one PUT by id per change", async () => {
    const emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise" });
    try {
      const users = 20;
      const phases = await runSequential({
        emu: inProcess(emu),
        users,
        adminPassword: ADMIN_PASSWORD,
        domain: "seq-ent.example.com",
        edition: "enterprise",
      });
      const calls = Object.fromEntries(phases.map((p) => [p.phase, p.calls]));
      const want = expectedCalls(users, "enterprise");
      assert.deepEqual(calls.up, { token: 1, "kc:POST users": users });
      assert.deepEqual(calls.refresh, { query: users });
      assert.deepEqual(calls.update, { "kc:PUT users/{id}": want.update["kc:PUT users/{id}"] });
      assert.deepEqual(calls.destroy, { "kc:PUT users/{id}": users });
      // Created as asked: the inactive ones disabled from the start.
      const enabled = emu.users().filter((u) => u.email?.endsWith("@seq-ent.example.com") && u.enabled);
      assert.equal(enabled.length, 0, "every user disabled after destroy");
    } finally {
      await emu.close();
    }
  });

  it("the latency rule on endpoint '*' delays every counted endpoint, the token endpoint included", async () => {
    const emu = await startEmulator({
      adminPassword: ADMIN_PASSWORD,
      faults: [{ endpoint: "*", latencyMs: 150 }],
    });
    try {
      const body = new URLSearchParams({
        client_id: "sdk-client",
        grant_type: "password",
        username: "admin",
        password: ADMIN_PASSWORD,
      });
      const t0 = Date.now();
      const res = await fetch(`${emu.url}/auth/realms/master/protocol/openid-connect/token`, { method: "POST", body });
      // A lower bound on a sleep, not a timing assertion: the response cannot come before the delay.
      assert.ok(Date.now() - t0 >= 140, "the token endpoint answered before the latency");
      const { access_token } = (await res.json()) as { access_token: string };
      const t1 = Date.now();
      await fetch(`${emu.url}/v1/api/users/query`, {
        method: "POST",
        headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
        body: "{}",
      });
      assert.ok(Date.now() - t1 >= 140, "the users API answered before the latency");
    } finally {
      await emu.close();
    }
  });

  it("--latency-ms takes a list with 0; the default is 0 and 30", () => {
    const a = parseBenchArgs(["--latency-ms", "0,30,30"]);
    assert.ok(a !== "help");
    assert.deepEqual(a.latenciesMs, [0, 30]);
    const d = parseBenchArgs([]);
    assert.ok(d !== "help");
    assert.deepEqual(d.latenciesMs, [0, 30]);
    assert.throws(() => parseBenchArgs(["--latency-ms", "-1"]));
    assert.throws(() => parseBenchArgs(["--skip", "nothing"]));
    assert.equal(d.edition, "enterprise", "the bench runs on Enterprise unless told");
    assert.throws(() => parseBenchArgs(["--edition", "enterprize"]), /--edition takes community or enterprise/);
  });

  it("--workspaces takes WxM; the default is 20x50; --skip workspaces is a part", () => {
    const a = parseBenchArgs(["--workspaces", "4x10", "--skip", "workspaces"]);
    assert.ok(a !== "help");
    assert.deepEqual(a.workspaces, { workspaces: 4, members: 10 });
    assert.ok(a.skip.has("workspaces"));
    const d = parseBenchArgs([]);
    assert.ok(d !== "help");
    assert.deepEqual(d.workspaces, { workspaces: 20, members: 50 });
    for (const bad of ["20", "20x", "x50", "0x5", "2x0", "2x3x4"])
      assert.throws(() => parseBenchArgs(["--workspaces", bad]), bad);
  });

  it("profile attribution: by the innermost package of the path, inclusive of what it calls", () => {
    assert.equal(ownerOf("file:///p/node_modules/pulumi-wallaroo/dist/provider/lifecycle.js"), "provider");
    assert.equal(ownerOf("file:///p/node_modules/pulumi-wallaroo/dist/sdk/client.js"), "sdk");
    assert.equal(ownerOf("file:///p/node_modules/pulumi-wallaroo/node_modules/undici/index.js"), "undici");
    assert.equal(ownerOf("file:///p/node_modules/zod/v4/core/core.cjs"), "zod");
    assert.equal(ownerOf("file:///p/node_modules/pulumi-wallaroo/dist/sdk/schemas.bundle.js"), "zod");
    assert.equal(ownerOf("file:///p/node_modules/@grpc/grpc-js/build/src/server.js"), undefined);
    assert.equal(ownerOf("node:internal/deps/undici/undici"), undefined);
    const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
      id,
      callFrame: { functionName, url, lineNumber: 0 },
      children,
    });
    const profile = {
      nodes: [
        frame(1, "(root)", "", [2, 3, 4, 6]),
        frame(2, "(idle)", ""),
        frame(3, "(garbage collector)", ""),
        frame(4, "read", "file:///p/node_modules/pulumi-wallaroo/dist/provider/lifecycle.js", [5]),
        frame(5, "stringify", ""),
        frame(6, "onData", "file:///p/node_modules/@grpc/grpc-js/build/src/server.js"),
      ],
      startTime: 0,
      endTime: 10_000,
      // One sample each 1 ms: idle 4, GC 1, the lifecycle 3 (2 of them in a builtin it calls), gRPC 2.
      samples: [2, 2, 2, 2, 3, 4, 5, 5, 6, 6],
      timeDeltas: Array.from({ length: 10 }, () => 1000),
    };
    const cpu = analyzeProfile(profile);
    assert.equal(cpu.busyMs, 5); // the last sample has no successor: 6 busy samples, 5 ms
    assert.equal(cpu.gcMs, 1);
    assert.equal(cpu.ownMs, 3);
    assert.equal(cpu.ownBy.provider, 3);
  });
});
