/**
 * The floor: the API calls of each phase issued directly with undici, at the
 * same concurrency, with no Pulumi at all: one login, then a pool of `parallel`
 * workers. Refresh is the naive floor, one `/users/query` per user. The edition's calls are the
 * provider's: Community invites and (de)activates by email; Enterprise creates through Keycloak's
 * admin API (one POST per user) and (de)activates with one PUT by id.
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

  /**
   * A call of Keycloak's admin API (`/auth/admin/realms/master/users...`, on the same server here); a
   * status other than `expect` throws. Answers the Location header (a create's id is only there).
   */
  async keycloak(method: "POST" | "PUT", rest: string, body: unknown, expect: number): Promise<string | undefined> {
    const res = await this.pool.request({
      method,
      path: `/auth/admin/realms/master/users${rest}`,
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode !== expect) throw new Error(`floor ${method} users${rest} failed: ${res.statusCode} ${text}`);
    const location = res.headers.location;
    return typeof location === "string" ? location : undefined;
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
  /** The calls of this edition (default community): see {@link editionCalls}. */
  edition?: "community" | "enterprise";
}

/** What each phase sends for one user, per edition: the calls the provider makes, without Pulumi. */
interface EditionCalls {
  /** Creates user i (active or not, as the program asks) and answers its id. */
  create(i: number, email: string, active: boolean): Promise<string>;
  deactivate(id: string, email: string): Promise<void>;
}

function editionCalls(client: DirectClient, edition: "community" | "enterprise"): EditionCalls {
  if (edition === "enterprise") {
    return {
      // One POST, enabled as asked, with a temporary password (the provider generates one when none is given).
      create: async (i, email, active) => {
        const location = await client.keycloak(
          "POST",
          "",
          {
            username: email,
            email,
            enabled: active,
            credentials: [
              { type: "password", value: `Floor-${i}-${Math.random().toString(36).slice(2)}`, temporary: true },
            ],
          },
          201,
        );
        return location!.slice(location!.lastIndexOf("/") + 1);
      },
      deactivate: async (id) => {
        await client.keycloak("PUT", `/${id}`, { enabled: false }, 204);
      },
    };
  }
  return {
    create: async (_i, email, active) => {
      const id = (await client.post<{ id: string }>("users", "invite", { email })).id;
      if (!active) await client.post("users", "deactivate", { email });
      return id;
    },
    deactivate: async (_id, email) => {
      await client.post("users", "deactivate", { email });
    },
  };
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
  const calls = editionCalls(client, o.edition ?? "community");
  try {
    await phase("up", async () => {
      await client.login(o.adminPassword);
      await pooled(o.users, o.parallel, async (i) => {
        ids[i] = await calls.create(i, email(i), activeAtUp(i));
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
        await calls.deactivate(ids[toDeactivate[k]], email(toDeactivate[k]));
      }),
    );
    await phase("destroy", () =>
      pooled(o.users, o.parallel, async (i) => {
        await calls.deactivate(ids[i], email(i));
      }),
    );
  } finally {
    await client.pool.close();
  }
  return results;
}
