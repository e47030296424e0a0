/**
 * This package's share of the provider host's CPU, from a V8 CPU profile of the host (`--cpu-prof`).
 * A sample is this package's when any frame of its stack is in pulumi-wallaroo's files (the lifecycle,
 * the client) or in the zod or undici they call: in the host nothing else uses those two (Pulumi's gRPC
 * is @grpc/grpc-js on node:http2, and node's own fetch is node:internal/deps/undici, not node_modules).
 * That counts the builtins they call (JSON, Buffer, socket writes) as theirs, and leaves out the garbage
 * collector (reported apart) and the event-loop plumbing between their callbacks.
 */
import { copyFileSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame belongs, by the path of its script. */
export type Owner = "provider" | "sdk" | "zod" | "undici";

export function ownerOf(url: string): Owner | undefined {
  // The innermost package of the path: undici may be installed inside pulumi-wallaroo's own node_modules.
  const i = url.lastIndexOf("/node_modules/");
  if (i < 0) return undefined;
  const rest = url.slice(i + "/node_modules/".length);
  if (rest.startsWith("zod/")) return "zod";
  if (rest.startsWith("undici/")) return "undici";
  // The response schemas and the part of zod they use are one file (scripts/bundleSchemas.mjs): zod's column.
  if (rest === "pulumi-wallaroo/dist/sdk/schemas.bundle.js") return "zod";
  if (rest.startsWith("pulumi-wallaroo/")) return rest.startsWith("pulumi-wallaroo/dist/sdk/") ? "sdk" : "provider";
  return undefined;
}

export interface HostCpu {
  /** The host process's CPU time (user + system, all threads, getrusage at exit), ms; NaN when unknown. */
  processCpuMs: number;
  /** Profiled time of the host's main thread, ms (from its first to its last sample). */
  profiledMs: number;
  /** Non-idle samples: the host's CPU on its main thread, ms. */
  busyMs: number;
  /** Samples with a frame of this package (or of zod/undici) on the stack, ms. */
  ownMs: number;
  /** ownMs by the innermost owned frame: provider (lifecycle), sdk (client), zod, undici. */
  ownBy: Record<Owner, number>;
  /** Part of ownMs spent loading modules (the CommonJS loader on the stack), ms. */
  ownLoadingMs: number;
  /** The garbage collector's samples, ms (not attributed: it collects everyone's garbage). */
  gcMs: number;
  /** The heaviest functions of this package by self time (incl. builtins they call), ms. */
  topOwn: Array<{ fn: string; ms: number }>;
}

export function analyzeProfile(profile: CpuProfile): HostCpu {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  // Per node: the innermost owned frame on its stack (itself or an ancestor), and whether the loader is there.
  const owned = new Map<number, { owner?: Owner; frame?: ProfileNode; loading: boolean }>();
  const resolve = (id: number): { owner?: Owner; frame?: ProfileNode; loading: boolean } => {
    const known = owned.get(id);
    if (known) return known;
    const n = byId.get(id)!;
    const up = parent.has(id) ? resolve(parent.get(id)!) : { loading: false };
    const own = ownerOf(n.callFrame.url);
    const loading = up.loading || n.callFrame.url === "node:internal/modules/cjs/loader";
    const r = own ? { owner: own, frame: n, loading } : { ...up, loading };
    owned.set(id, r);
    return r;
  };
  const out: HostCpu = {
    processCpuMs: NaN,
    profiledMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: 0,
    ownMs: 0,
    ownBy: { provider: 0, sdk: 0, zod: 0, undici: 0 },
    ownLoadingMs: 0,
    gcMs: 0,
    topOwn: [],
  };
  const self = new Map<string, number>();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample stands for the time until the next one.
    const ms = (timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(samples[i])!;
    const fn = node.callFrame.functionName;
    if (fn === "(idle)") continue;
    out.busyMs += ms;
    if (fn === "(garbage collector)") {
      out.gcMs += ms;
      continue;
    }
    const r = resolve(node.id);
    if (!r.owner || !r.frame) continue;
    out.ownMs += ms;
    out.ownBy[r.owner] += ms;
    if (r.loading) out.ownLoadingMs += ms;
    const f = r.frame.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.slice(f.url.indexOf("node_modules/") + 13)}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + ms);
  }
  out.topOwn = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([fn, ms]) => ({ fn, ms }));
  return out;
}

/** Sums the analyses of several hosts (an operation normally starts one). */
export function addHostCpu(a: HostCpu, b: HostCpu): HostCpu {
  const top = new Map<string, number>();
  for (const t of [...a.topOwn, ...b.topOwn]) top.set(t.fn, (top.get(t.fn) ?? 0) + t.ms);
  return {
    processCpuMs: a.processCpuMs + b.processCpuMs,
    profiledMs: a.profiledMs + b.profiledMs,
    busyMs: a.busyMs + b.busyMs,
    ownMs: a.ownMs + b.ownMs,
    ownBy: {
      provider: a.ownBy.provider + b.ownBy.provider,
      sdk: a.ownBy.sdk + b.ownBy.sdk,
      zod: a.ownBy.zod + b.ownBy.zod,
      undici: a.ownBy.undici + b.ownBy.undici,
    },
    ownLoadingMs: a.ownLoadingMs + b.ownLoadingMs,
    gcMs: a.gcMs + b.gcMs,
    topOwn: [...top.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 8)
      .map(([fn, ms]) => ({ fn, ms })),
  };
}

/** Node arguments that make the provider host write a CPU profile into `dir` when it is stopped. */
export function profilingNodeArgs(dir: string): string[] {
  return ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--require", path.join(__dirname, "hostPreload.js")];
}

/**
 * Reads, analyzes and removes the profiles the hosts with these pids wrote into `dir`; with `keepDir`, moves
 * them there instead of removing them (for a closer look in Chrome DevTools or speedscope).
 */
export function takeHostProfiles(dir: string, pids: number[], keepDir?: string): HostCpu | undefined {
  let total: HostCpu | undefined;
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    const re = new RegExp(`\\.${pid}\\.0\\.\\d+\\.cpuprofile$`);
    for (const f of files.filter((name) => re.test(name))) {
      const file = path.join(dir, f);
      const a = analyzeProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
      const cpuFile = path.join(dir, `cpu.${pid}.json`);
      try {
        const c = JSON.parse(readFileSync(cpuFile, "utf8")) as { userUs: number; systemUs: number };
        a.processCpuMs = (c.userUs + c.systemUs) / 1000;
        rmSync(cpuFile, { force: true });
      } catch {
        // not written (an older preload, or the host was killed)
      }
      if (keepDir) copyFileSync(file, path.join(keepDir, f));
      rmSync(file, { force: true });
      total = total ? addHostCpu(total, a) : a;
    }
  }
  return total;
}
