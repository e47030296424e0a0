/**
 * The floor: the API calls of each phase issued directly with undici, at the
 * same concurrency, with no Pulumi at all: one login, then a pool of `parallel`
 * workers. Refresh is the naive floor, one `/users/query` per user.
 */
import { Pool } from "undici";
import { activeAfterEdit, activeAtUp } from "./programs";
import { Calls, EmulatorLoad, measured, MeasuredEmulator, PhaseName } from "./phases";

export interface FloorPhase {
  phase: PhaseName;
  wallMs: number;
  calls: Calls;
  emulator: EmulatorLoad;
}

const TOKEN_PATH = "/auth/realms/master/protocol/openid-connect/token";

/** Runs `work(i)` for i in [0, n) with at most `parallel` in flight. */
export async function pooled(n: number, parallel: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, worker));
}

/** The two APIs of a Wallaroo instance: `/v1/api/users/<op>` and `/v1/api/workspaces/<op>`. */
export type ApiArea = "users" | "workspaces";

/** One login, then POSTs straight through an undici pool of `connections`: no retries, no parsing beyond JSON. */
export class DirectClient {
  readonly pool: Pool;
  token = "";
  constructor(
    readonly url: string,
    connections: number,
  ) {
    this.pool = new Pool(url, { connections, keepAliveTimeout: 10_000 });
  }

  async login(password: string): Promise<void> {
    const res = await this.pool.request({
      method: "POST",
      path: TOKEN_PATH,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: "sdk-client",
        grant_type: "password",
        username: "admin",
        password,
      }).toString(),
    });
    const body = (await res.body.json()) as { access_token: string };
    if (res.statusCode !== 200) throw new Error(`floor login failed: ${res.statusCode}`);
    this.token = body.access_token;
  }

  /** POST /v1/api/<area>/<op>; anything but a 200 throws. */
  async post<T>(area: ApiArea, op: string, body: unknown): Promise<T> {
    const res = await this.pool.request({
      method: "POST",
      path: `/v1/api/${area}/${op}`,
      headers: {
        authorization: `Bearer ${this.token}`,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`floor ${area}/${op} failed: ${res.statusCode} ${text}`);
    return JSON.parse(text) as T;
  }
}

export interface FloorOptions {
  emu: MeasuredEmulator;
  users: number;
  parallel: number;
  adminPassword: string;
  /** Emails are `<emailPrefix><i>@<domain>`, distinct from the harness's. */
  domain: string;
  /** Default "f". */
  emailPrefix?: string;
}

/** Measures `fn` against the emulator's counters as the phase `name`, and records it in `into`. */
export async function measuredPhase(
  emu: MeasuredEmulator,
  into: FloorPhase[],
  name: PhaseName,
  fn: () => Promise<void>,
): Promise<void> {
  const m = await measured(emu, fn);
  into.push({ phase: name, wallMs: m.wallMs, calls: m.calls, emulator: m.emulator });
}

/** The four phases, each measured like the harness's (the login counts in up, as it does there). */
export async function runFloor(o: FloorOptions): Promise<FloorPhase[]> {
  const client = new DirectClient(o.emu.url, o.parallel);
  const prefix = o.emailPrefix ?? "f";
  const email = (i: number) => `${prefix}${i}@${o.domain}`;
  const ids: string[] = new Array(o.users);
  const results: FloorPhase[] = [];
  const phase = (name: PhaseName, fn: () => Promise<void>) => measuredPhase(o.emu, results, name, fn);
  try {
    await phase("up", async () => {
      await client.login(o.adminPassword);
      await pooled(o.users, o.parallel, async (i) => {
        ids[i] = (await client.post<{ id: string }>("users", "invite", { email: email(i) })).id;
        if (!activeAtUp(i)) await client.post("users", "deactivate", { email: email(i) });
      });
    });
    await phase("refresh", () =>
      pooled(o.users, o.parallel, async (i) => {
        await client.post("users", "query", { user_ids: [ids[i]] });
      }),
    );
    const toDeactivate = Array.from({ length: o.users }, (_, i) => i).filter(
      (i) => activeAtUp(i) && !activeAfterEdit(i, o.users),
    );
    await phase("update", () =>
      pooled(toDeactivate.length, o.parallel, async (k) => {
        await client.post("users", "deactivate", { email: email(toDeactivate[k]) });
      }),
    );
    await phase("destroy", () =>
      pooled(o.users, o.parallel, async (i) => {
        await client.post("users", "deactivate", { email: email(i) });
      }),
    );
  } finally {
    await client.pool.close();
  }
  return results;
}
