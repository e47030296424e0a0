import { strict as assert } from "node:assert";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_PASSWORD, api } from "./helpers";

describe("emulator at scale", () => {
  let emu: RunningEmulator;
  afterEach(() => emu.close());

  it("takes 1,000 invites and lists them all in one query", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise" });
    const call = api(emu);
    const ids = new Set<string>();
    // 10 concurrent streams, as a client with a small pool would send them.
    await Promise.all(
      Array.from({ length: 10 }, async (_, w) => {
        for (let i = 0; i < 100; i++) {
          const r = await call("invite", { email: `bulk${w}-${i}@example.com` });
          assert.equal(r.status, 200);
          ids.add(r.body.id);
        }
      }),
    );
    assert.equal(ids.size, 1000);
    const all = await call("query", {});
    assert.equal(Object.keys(all.body.users).length, 1001);
    for (const id of ids) assert.ok(all.body.users[id], id);
    const some = await call("query", { user_ids: [...ids].slice(0, 100) });
    assert.equal(Object.keys(some.body.users).length, 100);
    assert.equal(emu.stats().requests["/v1/api/users/invite"], 1000);
  });

  it("seeds 10,000 users with addUser and still answers a by-id query", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    let last = "";
    for (let i = 0; i < 10_000; i++) last = emu.addUser({ email: `seed${i}@example.com`, enabled: i % 2 === 0 }).id;
    const r = await api(emu)("query", { user_ids: [last] });
    assert.equal(r.body.users[last].email, "seed9999@example.com");
    assert.equal(r.body.users[last].enabled, false);
  });
});
