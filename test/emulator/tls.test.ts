import { strict as assert } from "node:assert";
import { Agent, request } from "undici";
import { RunningEmulator, startEmulator } from "../../emulator";
import { ADMIN_PASSWORD } from "./helpers";
import { selfSignedLocalhost } from "../support/certs";

describe("emulator over HTTPS (tls option)", () => {
  let emu: RunningEmulator | undefined;
  let cert: Buffer;
  let key: Buffer;

  before(function () {
    const pair = selfSignedLocalhost();
    if (!pair) this.skip(); // no openssl here: nothing to serve
    ({ cert, key } = pair);
  });
  after(() => emu?.close());

  it("serves the API and the token endpoint on an https:// url", async () => {
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, tls: { cert, key } });
    assert.match(emu.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const dispatcher = new Agent({ connect: { ca: cert } });
    try {
      const t = await request(`${emu.url}/auth/realms/master/protocol/openid-connect/token`, {
        method: "POST",
        dispatcher,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          client_id: "sdk-client",
          grant_type: "password",
          username: "admin",
          password: ADMIN_PASSWORD,
        }).toString(),
      });
      assert.equal(t.statusCode, 200);
      const { access_token } = (await t.body.json()) as { access_token: string };
      const q = await request(`${emu.url}/v1/api/users/query`, {
        method: "POST",
        dispatcher,
        headers: { authorization: `Bearer ${access_token}` },
        body: "{}",
      });
      assert.equal(q.statusCode, 200);
      const body = (await q.body.json()) as { users: Record<string, { username: string }> };
      assert.deepEqual(
        Object.values(body.users).map((u) => u.username),
        ["admin"],
      );
    } finally {
      await dispatcher.close();
    }
  });
});
