/** What the client tests share: admin clients of an emulator that are all closed after each test, `rejection`, `allTextOf`. */
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { WallarooClient, WallarooError, type WallarooClientOptions } from "../../sdk";

/** The error a promise rejects with (a WallarooError: every failure of the client is one); fails if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<WallarooError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof WallarooError, `expected a WallarooError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected the call to fail");
}

/** Every way an error can be turned into text, joined: a secret must be in none of them. */
export function allTextOf(e: unknown): string {
  return [String(e), (e as Error).message, (e as Error).stack ?? "", JSON.stringify(e), inspect(e, { depth: 6 })].join(
    "\n",
  );
}

/**
 * Makes clients logged in as admin at the emulator `url()` names (read at each call, as tests
 * restart emulators), with `defaults` and per-call options on top; `closeAll` closes them.
 */
export function adminClients(
  url: () => string,
  password: string,
  defaults: WallarooClientOptions = {},
): {
  client(opts?: WallarooClientOptions): WallarooClient;
  /** Closes `c` with the others. */
  track(c: WallarooClient): WallarooClient;
  closeAll(): Promise<void>;
} {
  const clients: WallarooClient[] = [];
  return {
    client(opts = {}) {
      const c = new WallarooClient({ url: url(), username: "admin", password, env: {}, ...defaults, ...opts });
      clients.push(c);
      return c;
    },
    track(c) {
      clients.push(c);
      return c;
    },
    async closeAll() {
      await Promise.all(clients.splice(0).map((c) => c.close()));
    },
  };
}
