/**
 * Mistakes in the URL get one clear message naming the fix, in the vocabulary of the surface
 * that was used (a bare client's options, the stack's keys, the CLI's flags), and no retries
 * that cannot help.
 */
import assert from "node:assert/strict";
import { RunningEmulator, startEmulator } from "../../emulator";
import {
  CLI_SETTING_NAMES,
  ConfigurationError,
  NetworkError,
  STACK_SETTING_NAMES,
  WallarooClient,
  WallarooClientOptions,
  WallarooError,
} from "../../sdk";
import { selfSignedLocalhost } from "../support/certs";

const ADMIN_PASSWORD = "s3cret-admin-pw";

async function failure(opts: WallarooClientOptions): Promise<{ e: WallarooError; attempts: number }> {
  let attempts = 0;
  let c: WallarooClient | undefined;
  try {
    c = new WallarooClient({ env: {}, retry: { baseDelayMs: 10 }, onRequest: () => attempts++, ...opts });
    await c.listUsers();
  } catch (e) {
    assert.ok(e instanceof WallarooError, String(e));
    return { e, attempts };
  } finally {
    await c?.close();
  }
  assert.fail("expected a failure");
}

describe("WallarooClient and mistakes in the URL", function () {
  this.timeout(30_000);
  let plain: RunningEmulator;
  let tls: RunningEmulator;
  before(async () => {
    plain = await startEmulator({ adminPassword: ADMIN_PASSWORD });
    const pair = selfSignedLocalhost();
    assert.ok(pair, "openssl makes the test certificate");
    tls = await startEmulator({ adminPassword: ADMIN_PASSWORD, tls: pair });
  });
  after(async () => {
    await plain?.close();
    await tls?.close();
  });

  it("an https URL to a plain-HTTP server says the server does not speak TLS, at once", async () => {
    const url = plain.url.replace("http://", "https://");
    const { e, attempts } = await failure({ url, username: "admin", password: ADMIN_PASSWORD });
    assert.ok(e instanceof NetworkError);
    assert.match(e.message, /does not speak TLS/);
    assert.match(e.message, new RegExp(`use ${plain.url.replace(/[/.]/g, "\\$&")}`));
    assert.equal(attempts, 1, "not retried");
  });

  it("an http URL to a TLS server says it speaks TLS and to use https, without six attempts", async () => {
    const url = tls.url.replace("https://", "http://");
    const { e, attempts } = await failure({ url, username: "admin", password: ADMIN_PASSWORD });
    assert.ok(e instanceof NetworkError);
    assert.match(e.message, /speaks TLS, not plain HTTP/);
    assert.match(e.message, /Use https:\/\/127\.0\.0\.1:\d+ in the url option \(WALLAROO_URL\)/);
    assert.equal(attempts, 1);
  });

  it("a URL that ends in the API's own path (/v1/api) is refused before anything is sent, naming the fix", () => {
    assert.throws(
      () => new WallarooClient({ env: {}, url: "https://wallaroo.example.com/v1/api", token: "t0ken" }),
      (e: unknown) =>
        e instanceof ConfigurationError &&
        /without the API's path/.test(e.message) &&
        /Use https:\/\/wallaroo\.example\.com \(the client adds \/v1\/api/.test(e.message),
    );
  });

  it("a URL with a path prefix takes Keycloak from its origin, so the message blames the URL, not authUrl", async () => {
    const { e } = await failure({ url: `${plain.url}/typo`, username: "admin", password: ADMIN_PASSWORD });
    assert.match(e.message, /typo\/v1\/api\/users\/query answered 404/);
    assert.doesNotMatch(e.message, /authUrl/);
  });

  it("host:port without a scheme says the scheme is missing (not that 'localhost' is one)", () => {
    assert.throws(
      () => new WallarooClient({ env: {}, url: "localhost:8080", token: "t0ken" }),
      /the url option \(WALLAROO_URL\) has no scheme: 'localhost:8080'\. Add it: https:\/\/localhost:8080/,
    );
  });

  it("an untrusted certificate names the setting of the surface: --ca-cert for the CLI", async () => {
    const { e } = await failure({ url: tls.url, token: "t0ken", settingNames: CLI_SETTING_NAMES });
    assert.match(e.message, /not trusted/);
    assert.match(e.message, /set --ca-cert \(or NODE_EXTRA_CA_CERTS\)/);
    assert.doesNotMatch(e.message, /wallaroo:caCertPath/);
  });

  it("... and wallaroo:caCertPath for the provider", async () => {
    const { e } = await failure({ url: tls.url, token: "t0ken", settingNames: STACK_SETTING_NAMES });
    assert.match(e.message, /set wallaroo:caCertPath \(or NODE_EXTRA_CA_CERTS\)/);
  });
});
