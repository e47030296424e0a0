/**
 * A WorkspaceMember create that changed the server and then failed must come back as
 * ErrorResourceInitFailed carrying `__provider` (or the engine strands the resource); one that
 * changed nothing must not. Driven in-process against the emulator, with the read-back made to fail.
 */
import assert from "node:assert/strict";
import { startEmulator, RunningEmulator } from "../../emulator";
import { configure, getClient } from "../../provider/runtime";
import * as member from "../../provider/memberLifecycle";
import { WallarooClient } from "../../sdk";

const PASSWORD = "Admin-Secret-Pw-42";

describe("WorkspaceMember create that fails after a change", function () {
  this.timeout(30_000);
  let emu: RunningEmulator;
  let wsId: number;

  before(async () => {
    emu = await startEmulator({ adminPassword: PASSWORD });
    emu.addUser({ email: "alice@example.com" });
    const c = new WallarooClient({ url: emu.url, username: "admin", password: PASSWORD, env: {} });
    wsId = (await c.createWorkspace("fraud-detection")).id;
    await c.close();
    const config: Record<string, string> = {
      "wallaroo:url": emu.url,
      "wallaroo:username": "admin",
      "wallaroo:password": PASSWORD,
    };
    configure({ get: (k) => config[k] });
  });
  after(async () => {
    configure(undefined);
    await emu?.close();
  });

  it("reports ErrorResourceInitFailed with the id and properties including __provider", async () => {
    const client = getClient();
    const real = client.listWorkspaceMembers.bind(client);
    let calls = 0;
    // The read before the add succeeds; the read-back after it fails.
    client.listWorkspaceMembers = async (id: number) => {
      if (++calls === 2) throw new Error("connection reset while reading back");
      return real(id);
    };
    const err = (await member
      .create({ workspaceId: wsId, email: "alice@example.com", role: "owner", __provider: "PROVIDER-TEXT" })
      .then(
        () => assert.fail("create should fail"),
        (e: unknown) => e,
      )) as Error & { id?: string; properties?: Record<string, unknown> };
    const alice = emu.users().find((u) => u.email === "alice@example.com")!;
    assert.equal(err.id, `${wsId}/${alice.id}`);
    assert.equal(err.properties?.__provider, "PROVIDER-TEXT");
    assert.equal(err.properties?.userId, alice.id);
    assert.match(err.message, /was added as owner, but reading the members back failed: connection reset/);
    assert.doesNotMatch(err.stack ?? "", /\n\s+at /);
    // The membership exists on the server: that is why the resource must be recorded.
    assert.ok(emu.workspaces()[0].members.some((m) => m.user_id === alice.id && m.user_type === "OWNER"));
  });

  it("fails a user that does not exist with a plain error, changing nothing", async () => {
    const before = JSON.stringify(emu.workspaces());
    const err = (await member.create({ workspaceId: wsId, email: "nobody@example.com", role: "owner" }).then(
      () => assert.fail("create should fail"),
      (e: unknown) => e,
    )) as Error & { id?: string };
    assert.equal(err.id, undefined);
    assert.match(err.message, /no Wallaroo user has that email\. Create the user first/);
    assert.equal(JSON.stringify(emu.workspaces()), before);
  });
});
