import { strict as assert } from "node:assert";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_PASSWORD, api } from "./helpers";

describe("emulator licence rules", () => {
  let emu: RunningEmulator;
  afterEach(() => emu.close());

  async function inviteMany(n: number, prefix = "seat"): Promise<void> {
    const call = api(emu);
    for (let i = 0; i < n; i++) {
      const r = await call("invite", { email: `${prefix}${i}@example.com` });
      assert.equal(r.status, 200, r.text);
    }
  }

  describe("community edition", () => {
    beforeEach(async () => {
      emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    });

    it("allows 5 active users besides admin", async () => {
      await inviteMany(5);
      assert.equal(emu.users().filter((u) => u.enabled).length, 6, "admin + 5");
    });

    it("answers 403 to an invite when the community licence is full, creating nobody", async () => {
      await inviteMany(5);
      const r = await api(emu)("invite", { email: "sixth@example.com" });
      assert.equal(r.status, 403);
      assert.equal(r.body.code, 403);
      assert.match(r.body.msg, /User limit reached/);
      assert.match(r.body.msg, /Deactivate/);
      assert.ok(!emu.users().some((u) => u.email === "sixth@example.com"));
    });

    it("does not count deactivated users, so a freed seat can be used", async () => {
      await inviteMany(5);
      const call = api(emu);
      assert.equal((await call("deactivate", { email: "seat0@example.com" })).status, 200);
      assert.equal((await call("invite", { email: "sixth@example.com" })).status, 200);
      assert.equal((await call("invite", { email: "seventh@example.com" })).status, 403);
    });

    it("answers 403 to activating a user past the limit, and leaves them disabled", async () => {
      await inviteMany(5);
      const call = api(emu);
      await call("deactivate", { email: "seat0@example.com" });
      await call("invite", { email: "sixth@example.com" });
      const r = await call("activate", { email: "seat0@example.com" });
      assert.equal(r.status, 403);
      assert.match(r.body.msg, /User limit reached/);
      assert.equal(emu.users().find((u) => u.email === "seat0@example.com")?.enabled, false);
    });

    it("still answers {} to activating an already active user when full", async () => {
      await inviteMany(5);
      const r = await api(emu)("activate", { email: "seat1@example.com" });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, {});
    });

    it("follows setEdition() at run time", async () => {
      await inviteMany(5);
      emu.setEdition("community", 6);
      assert.equal((await api(emu)("invite", { email: "sixth@example.com" })).status, 200);
      assert.equal((await api(emu)("invite", { email: "seventh@example.com" })).status, 403);
      emu.setEdition("enterprise");
      assert.equal((await api(emu)("invite", { email: "seventh@example.com" })).status, 200);
    });
  });

  it("enterprise edition has no limit", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise" });
    await inviteMany(12);
    assert.equal(emu.users().filter((u) => u.enabled).length, 13);
  });

  it("maxActiveUsers overrides the edition's limit", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise", maxActiveUsers: 2 });
    await inviteMany(2);
    assert.equal((await api(emu)("invite", { email: "third@example.com" })).status, 403);
  });

  it("maxActiveUsers 0 refuses every invite", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, maxActiveUsers: 0 });
    assert.equal((await api(emu)("invite", { email: "first@example.com" })).status, 403);
  });

  it("admits concurrent invites only up to the limit", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    const call = api(emu);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => call("invite", { email: `race${i}@example.com` })),
    );
    assert.equal(answers.filter((a) => a.status === 200).length, 5);
    assert.equal(answers.filter((a) => a.status === 403).length, 7);
    assert.equal(emu.users().filter((u) => u.enabled).length, 6);
  });
});
