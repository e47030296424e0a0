/**
 * The phase tables of `npm run bench` (Markdown), for the user stack and the workspace stack alike, and the
 * exact API-call checks of the user phases; run.ts prints them.
 */
import type { BenchArgs } from "./args";
import type { FloorPhase } from "./floor";
import { HarnessPhase, PHASES } from "./phases";
import type { HostCpu } from "./profile";
import { expectedCalls } from "./programs";
import { median } from "./stats";
import { calls, mb, ms, ratio, table } from "./table";

export function medianCalls(list: Array<Record<string, number>>): Record<string, number> {
  const keys = new Set(list.flatMap((c) => Object.keys(c)));
  return Object.fromEntries([...keys].map((k) => [k, median(list.map((c) => c[k] ?? 0))]));
}

export function apiCalls(c: Record<string, number>): number {
  return Object.entries(c).reduce((n, [k, v]) => (k === "token" ? n : n + v), 0);
}

/** One stack's phases in one run: through the harness, the floor and (unless skipped) the sequential baseline. */
export interface PhaseSet {
  harness: HarnessPhase[];
  floor: FloorPhase[];
  /** The sequential baseline (absent with --skip sequential). */
  sequential?: FloorPhase[];
}

export interface RunResult extends PhaseSet {
  emptyUp: { wallMs: number; hostStartMs: number };
}

/** The profiled pass's phases, as a set for the CPU table (it has no floor or baseline of its own). */
export function profiled(harness: HarnessPhase[]): PhaseSet {
  return { harness, floor: [] };
}

export function phasesOf(runs: PhaseSet[], phase: string) {
  const h = runs.map((r) => r.harness.find((p) => p.phase === phase)!);
  const f = runs.map((r) => r.floor.find((p) => p.phase === phase)!);
  const s = runs.flatMap((r) => r.sequential?.filter((p) => p.phase === phase) ?? []);
  return { h, f, s };
}

/** Wall times: the harness against the sequential baseline (what the user would do instead) and the floor. */
export function timeTable(runs: PhaseSet[]): string {
  const rows = PHASES.map((phase) => {
    const { h, f, s } = phasesOf(runs, phase);
    const seq = s.length === h.length;
    return [
      phase,
      ms(median(h.map((p) => p.wallMs))),
      ms(median(h.map((p) => p.hostStartMs))),
      seq ? ms(median(s.map((p) => p.wallMs))) : "–",
      seq ? ratio(median(h.map((p, i) => p.wallMs / s[i].wallMs))) : "–",
      seq ? ratio(median(h.map((p, i) => s[i].wallMs / p.wallMs))) : "–",
      ms(median(f.map((p) => p.wallMs))),
      ratio(median(h.map((p, i) => p.wallMs / f[i].wallMs))),
      seq ? calls(medianCalls(s.map((p) => p.calls))) : "–",
    ];
  });
  return table(
    [
      "phase",
      "harness wall",
      "of which host start",
      "sequential wall",
      "harness / sequential",
      "speed-up over sequential",
      "floor wall",
      "harness / floor",
      "sequential API calls",
    ],
    rows,
  );
}

export function cpuOf(h: HarnessPhase[], f: (c: HostCpu) => number): number {
  return median(h.map((p) => (p.hostCpu ? f(p.hostCpu) : NaN)));
}

/** The provider host's CPU and this package's part of it, from the host's CPU profile; `resources` in the stack. */
export function cpuTable(runs: PhaseSet[], resources: number): string {
  const rows = PHASES.map((phase) => {
    const { h } = phasesOf(runs, phase);
    const pct = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)}%` : "–");
    const by = (k: keyof HostCpu["ownBy"]) => cpuOf(h, (c) => c.ownBy[k]);
    return [
      phase,
      ms(cpuOf(h, (c) => c.processCpuMs)),
      ms(cpuOf(h, (c) => c.busyMs)),
      ms(cpuOf(h, (c) => c.gcMs)),
      ms(cpuOf(h, (c) => c.ownMs)),
      `${cpuOf(h, (c) => (1000 * c.ownMs) / resources).toFixed(0)} µs`,
      pct(cpuOf(h, (c) => (100 * c.ownMs) / c.busyMs)),
      `${ms(by("provider"))} / ${ms(by("sdk"))} / ${ms(by("zod"))} / ${ms(by("undici"))}`,
      ms(cpuOf(h, (c) => c.ownLoadingMs)),
    ];
  });
  return table(
    [
      "phase",
      "host process CPU",
      "host main thread, sampled",
      "of which GC",
      "this package's CPU",
      "per resource",
      "share of host CPU",
      "lifecycle / client / zod / undici",
      "of which loading its modules",
    ],
    rows,
  );
}

/** API calls and the host's memory, per phase; calls per `unit`, of which the stack has `resources`. */
export function phaseTable(runs: PhaseSet[], resources: number, unit = "user"): string {
  const rows: Array<Array<string | number>> = [];
  for (const phase of PHASES) {
    const { h, f } = phasesOf(runs, phase);
    const hCalls = medianCalls(h.map((p) => p.calls));
    rows.push([
      phase,
      ratio(median(h.map((p, i) => (p.wallMs - p.hostStartMs) / f[i].wallMs))),
      calls(hCalls),
      (apiCalls(hCalls) / resources).toFixed(3),
      calls(medianCalls(f.map((p) => p.calls))),
      median(h.map((p) => p.tokensIssued)),
      mb(median(h.map((p) => p.hostPeakRssKb))),
    ]);
  }
  return table(
    [
      "phase",
      "(harness − host start) / floor",
      "harness API calls",
      `calls / ${unit}`,
      "floor API calls",
      "tokens minted",
      "host peak RSS",
    ],
    rows,
  );
}

export function emulatorTable(runs: PhaseSet[]): string {
  const rows = PHASES.map((phase) => {
    const h = runs.map((r) => r.harness.find((p) => p.phase === phase)!);
    const f = runs.map((r) => r.floor.find((p) => p.phase === phase)!);
    return [
      phase,
      `${median(h.map((p) => p.emulator.requestsPerSecond)).toFixed(0)}/s`,
      `${median(h.map((p) => p.emulator.cpuSeconds)).toFixed(2)} s`,
      `${median(f.map((p) => p.emulator.requestsPerSecond)).toFixed(0)}/s`,
      `${median(f.map((p) => p.emulator.cpuSeconds)).toFixed(2)} s`,
      `${median(h.map((p) => (100 * p.emulator.cpuSeconds) / (p.wallMs / 1000))).toFixed(0)}%`,
    ];
  });
  return table(
    [
      "phase",
      "emulator req/s (harness)",
      "emulator CPU (harness)",
      "emulator req/s (floor)",
      "emulator CPU (floor)",
      "emulator busy (harness)",
    ],
    rows,
  );
}

export function checks(a: BenchArgs, runs: RunResult[]): string[] {
  const want = expectedCalls(a.users, a.edition);
  const out: string[] = [];
  for (const run of runs) {
    for (const phase of ["up", "update", "destroy"] as const) {
      const c = run.harness.find((p) => p.phase === phase)!.calls;
      for (const k of Object.keys(want[phase]) as Array<keyof (typeof want)[typeof phase]>) {
        if ((c[k] ?? 0) !== want[phase][k]) out.push(`${phase}: ${k} ${c[k] ?? 0}, expected ${want[phase][k]}`);
      }
    }
    for (const p of run.harness)
      if (p.tokensIssued !== 1)
        out.push(`${p.phase}: ${p.tokensIssued} tokens minted, expected 1 (one login per host)`);
  }
  return [...new Set(out)];
}
