/**
 * The whole path through the test harness: a program in a consumer project
 * with the packed package, Pulumi's real dynamic-provider host over gRPC, and
 * the emulator. Four phases: up (create all), refresh, update (an edit),
 * destroy. Each is measured on its own: wall time, API calls by endpoint,
 * token requests, the host's peak RSS, the emulator's load. The user stack
 * is here; the workspace stack (bench/workspaces.ts) plays its own programs
 * through the same `playPhases`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assertOk, DestroySummary, Engine, PhaseTimings, RefreshSummary, UpSummary } from "../test/harness";
import { PROJECT } from "../test/support/world";
import type { RunningEmulator } from "../emulator";
import type { EmulatorStats } from "../emulator/types";
import { editProgram, EMAIL_DOMAIN, type ProgramStyle, upProgram } from "./programs";
import { HostCpu, profilingNodeArgs, takeHostProfiles } from "./profile";

export type PhaseName = "up" | "refresh" | "update" | "destroy";
export const PHASES: PhaseName[] = ["up", "refresh", "update", "destroy"];

/**
 * API calls by endpoint, short names: the users API's invite, activate, deactivate, query; the workspace
 * API's as `ws:<op>` (ws:create, ws:add_user, ws:list_users, ws:list, ws:remove_user); token.
 */
export type Calls = Record<string, number>;

export interface EmulatorLoad {
  /** Requests the emulator answered in the phase, per second of wall time. */
  requestsPerSecond: number;
  /** CPU seconds the emulator used in the phase. */
  cpuSeconds: number;
}

export interface HarnessPhase {
  phase: PhaseName;
  wallMs: number;
  /** Time from spawning the provider host until it was configured: the fixed start-up of each operation. */
  hostStartMs: number;
  calls: Calls;
  /** Access tokens the emulator minted during the phase. */
  tokensIssued: number;
  /** VmHWM of the phase's provider host, kB. */
  hostPeakRssKb: number;
  /** gRPC calls to the host, by method. */
  grpc: Record<string, number>;
  /** Summed latency of the gRPC calls, by method, ms (concurrent calls overlap). */
  grpcMs: Record<string, number>;
  /** The engine's own timings of the operation (program, deletes, hostStart, total), ms. */
  timings: PhaseTimings;
  emulator: EmulatorLoad;
  /** The host's CPU and this package's share of it, from a CPU profile (when profiling). */
  hostCpu?: HostCpu;
  /** The heap the phase's host still used at exit after a full collection, kB (with `heapDir`). */
  hostKeptHeapKb?: number;
  /** CPU time (user + system) of the phase's provider processes, from /proc, ms. */
  hostCpuMs: number;
  /** The checkpoint file's size after the phase, bytes. */
  checkpointBytes: number;
}

/** What the benchmark needs from an emulator: the in-process one (tests) or the one in its own process (bench). */
export interface MeasuredEmulator {
  url: string;
  stats(): Promise<EmulatorStats> | EmulatorStats;
  resetStats(): Promise<void> | void;
  /** CPU seconds used so far by the emulator (NaN when it cannot be told apart). */
  cpuSeconds(): number;
}

/** The emulator running in this process (tests), measured as the bench measures the one in its own process. */
export function inProcess(emu: RunningEmulator): MeasuredEmulator {
  return { url: emu.url, stats: () => emu.stats(), resetStats: () => emu.resetStats(), cpuSeconds: () => NaN };
}

const USERS_PREFIX = "/v1/api/users/";
const WORKSPACES_PREFIX = "/v1/api/workspaces/";
const TOKEN_PATH = "/auth/realms/master/protocol/openid-connect/token";

/** The stack configuration of a benchmark stack: the emulator, the admin, and the edition. */
function benchConfig(o: Pick<StackRunOptions, "emu" | "adminPassword" | "edition">): Record<string, string> {
  return {
    "wallaroo:url": o.emu.url,
    "wallaroo:username": "admin",
    "wallaroo:password": o.adminPassword,
    "wallaroo:edition": o.edition ?? "community",
  };
}

const KEYCLOAK_USERS = "/auth/admin/realms/master/users";

/** A request path's short name in {@link Calls}. */
function callName(p: string): string {
  if (p === TOKEN_PATH) return "token";
  if (p.startsWith(USERS_PREFIX)) return p.slice(USERS_PREFIX.length);
  if (p.startsWith(WORKSPACES_PREFIX)) return `ws:${p.slice(WORKSPACES_PREFIX.length)}`;
  return p;
}

export function callsFrom(stats: EmulatorStats): Calls {
  const calls: Calls = {};
  for (const [p, n] of Object.entries(stats.requests)) {
    // Keycloak's admin API: by method too (a POST creates, a PUT changes), from `calls` below.
    if (n === 0 || p.startsWith(KEYCLOAK_USERS)) continue;
    const name = callName(p);
    calls[name] = (calls[name] ?? 0) + n;
  }
  for (const [call, n] of Object.entries(stats.calls)) {
    const [method, p] = call.split(" ");
    if (n === 0 || !p.startsWith(KEYCLOAK_USERS)) continue;
    const name = `kc:${method} ${p.slice(KEYCLOAK_USERS.length - "users".length)}`;
    calls[name] = (calls[name] ?? 0) + n;
  }
  return calls;
}

/** Runs `fn` and measures it against the emulator's counters. */
export async function measured<T>(
  emu: MeasuredEmulator,
  fn: () => Promise<T>,
): Promise<{ value: T; wallMs: number; calls: Calls; tokensIssued: number; emulator: EmulatorLoad }> {
  await emu.resetStats();
  const cpu0 = emu.cpuSeconds();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const cpuSeconds = emu.cpuSeconds() - cpu0;
  const stats = await emu.stats();
  return {
    value,
    wallMs,
    calls: callsFrom(stats),
    tokensIssued: stats.tokensIssued,
    emulator: { requestsPerSecond: stats.total / (wallMs / 1000), cpuSeconds },
  };
}

function diffCounts(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

/** How a stack is played through the harness, whatever its program. */
export interface StackRunOptions {
  emu: MeasuredEmulator;
  /** A consumer project with the packed pulumi-wallaroo installed. */
  projectDir: string;
  parallel: number;
  adminPassword: string;
  /**
   * "every-step" (the harness as it is, like the Pulumi CLI by default): the whole
   * checkpoint is written after every resource step, O(N) each, O(N²) per operation.
   * "end": written once when the operation ends, like the CLI with
   * PULUMI_EXPERIMENTAL=1 PULUMI_SKIP_CHECKPOINTS=1 (pulumi/pulumi#10750); the final
   * write is included in the phase's time.
   */
  checkpoints?: CheckpointMode;
  /** Extra node arguments of the provider host (investigations only). */
  hostNodeArgs?: string[];
  /** `wallaroo:edition` (default community). */
  edition?: "community" | "enterprise";
  /**
   * Profile each phase's provider host (`--cpu-prof` into this directory) and report this package's share of
   * its CPU. The host writes its profile as it exits, inside the phase's time (tens of ms at 1,000 users).
   */
  profileDir?: string;
  /** Keep the hosts' profiles here (moved from profileDir) instead of removing them. */
  keepProfilesDir?: string;
  /** Have each host report the heap it still uses at exit after a full collection (bench/heapPreload.ts), into this directory. */
  heapDir?: string;
  /** Called before each phase starts (progress output). */
  onPhase?: (phase: PhaseName) => void;
  /** Resource plugin folders by package, for programs of native types (the engine's `plugins`). */
  plugins?: Record<string, string>;
}

export interface HarnessRunOptions extends StackRunOptions {
  users: number;
}

export type CheckpointMode = "every-step" | "end";

/**
 * Plays the user stack, up → refresh → update → destroy, on a fresh stack and measures each phase;
 * `style` "native" declares the users as the plugin's `wallaroo:index:User` (bench/programs.ts).
 */
export async function runHarnessPhases(o: HarnessRunOptions, style: ProgramStyle = "dynamic"): Promise<HarnessPhase[]> {
  const tag = `bench-${style}-${o.users}-${process.pid}-${Date.now()}`;
  // Each stack its own emails, so that runs can share one emulator.
  const domain = `${tag}.${EMAIL_DOMAIN}`;
  return playPhases(o, tag, { up: upProgram(o.users, domain, style), edit: editProgram(o.users, domain, style) });
}

/**
 * Plays up (program `up`) → refresh → update (program `edit`) → destroy on a fresh stack named `tag`,
 * and measures each phase.
 */
export async function playPhases(
  o: StackRunOptions,
  tag: string,
  programs: { up: string; edit: string },
): Promise<HarnessPhase[]> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const upFile = `${tag}.ts`;
  const editFile = `${tag}-edit.ts`;
  fs.writeFileSync(path.join(o.projectDir, upFile), programs.up);
  fs.writeFileSync(path.join(o.projectDir, editFile), programs.edit);
  const engine = new Engine({
    projectDir: o.projectDir,
    projectName: PROJECT,
    stackName: tag,
    parallel: o.parallel,
    programTimeoutMs: 900_000,
    checkpoints: o.checkpoints,
    hostNodeArgs: [
      ...(o.hostNodeArgs ?? []),
      ...(o.profileDir ? profilingNodeArgs(o.profileDir) : []),
      ...(o.heapDir ? ["--expose-gc", "--require", path.join(__dirname, "heapPreload.js")] : []),
    ],
    env: o.heapDir ? { BENCH_HEAP_DIR: o.heapDir } : undefined,
    config: benchConfig(o),
    secretConfigKeys: ["wallaroo:password"],
    plugins: o.plugins,
  });
  const results: HarnessPhase[] = [];
  const phase = async (name: PhaseName, op: () => Promise<UpSummary | RefreshSummary | DestroySummary>) => {
    o.onPhase?.(name);
    const grpcBefore = { ...engine.metrics.grpcCalls };
    const grpcMsBefore = { ...engine.metrics.grpcMs };
    const rssBefore = engine.metrics.hostPeakRssKb.length;
    const cpuBefore = engine.metrics.hostCpuMs.length;
    const pidsBefore = engine.metrics.hostPids.length;
    const m = await measured(o.emu, op);
    try {
      assertOk(m.value);
    } catch (e) {
      const lines = (e as Error).message.split("\n");
      throw new Error(
        `${name} failed: ${lines.slice(0, 4).join("\n")}${lines.length > 4 ? `\n  ... ${lines.length - 4} more` : ""}`,
      );
    }
    const rss = engine.metrics.hostPeakRssKb.slice(rssBefore);
    results.push({
      phase: name,
      wallMs: m.wallMs,
      hostStartMs: m.value.timings.hostStart ?? NaN,
      calls: m.calls,
      tokensIssued: m.tokensIssued,
      hostPeakRssKb: rss.length ? Math.max(...rss) : NaN,
      grpc: diffCounts(engine.metrics.grpcCalls, grpcBefore),
      grpcMs: diffCounts(engine.metrics.grpcMs, grpcMsBefore),
      timings: { ...m.value.timings },
      emulator: m.emulator,
      hostCpu: o.profileDir
        ? takeHostProfiles(o.profileDir, engine.metrics.hostPids.slice(pidsBefore), o.keepProfilesDir)
        : undefined,
      hostKeptHeapKb: o.heapDir ? keptHeapKb(o.heapDir, engine.metrics.hostPids.slice(pidsBefore)) : undefined,
      hostCpuMs: engine.metrics.hostCpuMs.slice(cpuBefore).reduce((a, b) => a + b, 0),
      checkpointBytes: Buffer.byteLength(engine.stateText()),
    });
  };
  try {
    await phase("up", () => engine.up(upFile));
    await phase("refresh", () => engine.refresh());
    await phase("update", () => engine.up(editFile));
    await phase("destroy", () => engine.destroy());
  } finally {
    await engine.close();
    for (const f of [upFile, editFile, upFile.replace(/\.ts$/, ".js"), editFile.replace(/\.ts$/, ".js")])
      fs.rmSync(path.join(o.projectDir, f), { force: true });
  }
  return results;
}

/** The largest heap the hosts with these pids reported keeping at exit (bench/heapPreload.ts), kB; NaN if none did. */
function keptHeapKb(dir: string, pids: number[]): number {
  const kept = pids.flatMap((pid) => {
    try {
      return [
        (JSON.parse(readFileSync(join(dir, `heap.${pid}.json`), "utf8")) as { keptBytes: number }).keptBytes / 1024,
      ];
    } catch {
      return [];
    }
  });
  return kept.length ? Math.max(...kept) : NaN;
}

/**
 * The fixed cost of an operation, whatever the number of resources: an up of
 * a program with no resources (program process, provider host start, Configure).
 */
export async function emptyUpMs(
  o: Pick<StackRunOptions, "emu" | "projectDir" | "adminPassword" | "parallel" | "edition">,
): Promise<{ wallMs: number; hostStartMs: number }> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const file = `bench-empty-${process.pid}.ts`;
  fs.writeFileSync(path.join(o.projectDir, file), `import * as wallaroo from "pulumi-wallaroo";\nvoid wallaroo;\n`);
  const engine = new Engine({
    projectDir: o.projectDir,
    projectName: PROJECT,
    stackName: `bench-empty-${Date.now()}`,
    parallel: o.parallel,
    config: benchConfig(o),
    secretConfigKeys: ["wallaroo:password"],
  });
  try {
    const t0 = performance.now();
    const up = assertOk(await engine.up(file));
    return { wallMs: performance.now() - t0, hostStartMs: up.timings.hostStart ?? NaN };
  } finally {
    await engine.close();
    fs.rmSync(path.join(o.projectDir, file), { force: true });
    fs.rmSync(path.join(o.projectDir, file.replace(/\.ts$/, ".js")), { force: true });
  }
}
