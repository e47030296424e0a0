/**
 * The sequential baseline: what a user does without this package, the tutorial's way. One login, then
 * one request at a time on one connection: up = invite (+ deactivate for the inactive ones) per user,
 * or on Enterprise one Keycloak POST per user; refresh = one `/users/query` per user; update = the
 * deactivates of the edit; destroy = one deactivate per user (Enterprise: a PUT by id). Measured like the harness's phases, against the same emulator at the same latency.
 */
import { FloorPhase, runFloor } from "./floor";
import type { MeasuredEmulator } from "./phases";

export interface SequentialOptions {
  emu: MeasuredEmulator;
  users: number;
  adminPassword: string;
  /** Emails are `s<i>@<domain>`, distinct from the harness's and the floor's. */
  domain: string;
  /** The edition's calls, as the floor's (bench/floor.ts). */
  edition?: "community" | "enterprise";
}

/** The floor's calls one at a time on one connection: the same phases, sequential (`pooled` with one worker runs in order). */
export async function runSequential(o: SequentialOptions): Promise<FloorPhase[]> {
  return runFloor({ ...o, parallel: 1, emailPrefix: "s" });
}
