/**
 * The sequential baseline: what a user does without this package, the tutorial's way. One login, then
 * one request at a time on one connection: up = invite (+ deactivate for the inactive ones) per user;
 * refresh = one `/users/query` per user; update = the deactivates of the edit; destroy = one deactivate
 * per user. Measured like the harness's phases, against the same emulator at the same latency.
 */
import { DirectClient, FloorPhase } from "./floor";
import { activeAfterEdit, activeAtUp } from "./programs";
import { measured, MeasuredEmulator, PhaseName } from "./phases";

export interface SequentialOptions {
  emu: MeasuredEmulator;
  users: number;
  adminPassword: string;
  /** Emails are `s<i>@<domain>`, distinct from the harness's and the floor's. */
  domain: string;
}

export async function runSequential(o: SequentialOptions): Promise<FloorPhase[]> {
  const client = new DirectClient(o.emu.url, 1);
  const email = (i: number) => `s${i}@${o.domain}`;
  const ids: string[] = new Array<string>(o.users);
  const results: FloorPhase[] = [];
  const phase = async (name: PhaseName, fn: () => Promise<void>) => {
    const m = await measured(o.emu, fn);
    results.push({ phase: name, wallMs: m.wallMs, calls: m.calls, emulator: m.emulator });
  };
  try {
    await phase("up", async () => {
      await client.login(o.adminPassword);
      for (let i = 0; i < o.users; i++) {
        ids[i] = (await client.post<{ id: string }>("invite", { email: email(i) })).id;
        if (!activeAtUp(i)) await client.post("deactivate", { email: email(i) });
      }
    });
    await phase("refresh", async () => {
      for (let i = 0; i < o.users; i++) await client.post("query", { user_ids: [ids[i]] });
    });
    await phase("update", async () => {
      for (let i = 0; i < o.users; i++)
        if (activeAtUp(i) && !activeAfterEdit(i, o.users)) await client.post("deactivate", { email: email(i) });
    });
    await phase("destroy", async () => {
      for (let i = 0; i < o.users; i++) await client.post("deactivate", { email: email(i) });
    });
  } finally {
    await client.pool.close();
  }
  return results;
}
