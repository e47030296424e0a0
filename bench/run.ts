/**
 * `npm run bench -- --users 1000 --parallel 64`: the whole path of a stack of users
 * (program → engine → Pulumi's dynamic-provider host over gRPC → the client → the
 * emulator) through up, refresh, update and destroy, against the floor (the same API
 * calls straight from undici at the same concurrency), and the policy pack on big
 * stacks. Prints Markdown tables; medians of --runs runs. See docs/benchmarks.md.
 */
import { writeFileSync } from "node:fs";
import { installedPulumiVersion } from "../test/harness";
import { consumerProject } from "../test/support/world";
import { BenchArgs, parseBenchArgs, USAGE } from "./args";
import { EmulatorProcess } from "./emulator";
import { FloorPhase, runFloor } from "./floor";
import { machine } from "./machine";
import { CheckpointMode, emptyUpMs, HarnessPhase, PHASES, runHarnessPhases } from "./phases";
import { runPolicyBench } from "./policy";
import { expectedCalls } from "./programs";
import { max, median } from "./stats";
import { calls, mb, ms, ratio, table } from "./table";

const ADMIN_PASSWORD = "Bench-Admin-Pw-42";

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function medianCalls(list: Array<Record<string, number>>): Record<string, number> {
  const keys = new Set(list.flatMap((c) => Object.keys(c)));
  return Object.fromEntries([...keys].map((k) => [k, median(list.map((c) => c[k] ?? 0))]));
}

function apiCalls(c: Record<string, number>): number {
  return Object.entries(c).reduce((n, [k, v]) => (k === "token" ? n : n + v), 0);
}

interface RunResult {
  harness: HarnessPhase[];
  floor: FloorPhase[];
  emptyUp: { wallMs: number; hostStartMs: number };
}

async function harnessRuns(
  a: BenchArgs,
  mode: CheckpointMode,
): Promise<{ runs: RunResult[]; rss: Array<{ users: number; peakKb: number; upPeakKb: number }> }> {
  const emu = await EmulatorProcess.start({ adminPassword: ADMIN_PASSWORD, edition: "enterprise" });
  try {
    log(`emulator pid ${emu.pid} at ${emu.url}; preparing the consumer project (npm pack + install, cached)`);
    const projectDir = await consumerProject();
    const common = { emu, projectDir, parallel: a.parallel, adminPassword: ADMIN_PASSWORD, checkpoints: mode };
    // Warm the emulator (JIT) so that neither side pays for it.
    await runFloor({ ...common, users: 200, domain: "warmup.example.com" });
    const runs: RunResult[] = [];
    for (let r = 1; r <= a.runs; r++) {
      log(`run ${r}/${a.runs}: fixed cost (an up of an empty program)`);
      const emptyUp = await emptyUpMs(common);
      log(`run ${r}/${a.runs}: floor, ${a.users} users at concurrency ${a.parallel}`);
      const floor = await runFloor({ ...common, users: a.users, domain: `floor${r}.example.com` });
      log(`run ${r}/${a.runs}: harness, ${a.users} users at --parallel ${a.parallel}, checkpoints ${mode}`);
      const harness = await runHarnessPhases({ ...common, users: a.users, onPhase: (p) => log(`  ${p}`) });
      runs.push({ harness, floor, emptyUp });
    }
    const rss: Array<{ users: number; peakKb: number; upPeakKb: number }> = [];
    if (!a.skip.has("rss")) {
      for (const n of a.rssSizes) {
        if (n === a.users && runs.length > 0) {
          const all = runs.map((r) => r.harness);
          rss.push({
            users: n,
            peakKb: median(all.map((h) => max(h.map((p) => p.hostPeakRssKb)))),
            upPeakKb: median(all.map((h) => h[0].hostPeakRssKb)),
          });
          continue;
        }
        log(`peak RSS at ${n} users`);
        const phases: HarnessPhase[] = await runHarnessPhases({ ...common, users: n });
        rss.push({ users: n, peakKb: max(phases.map((p) => p.hostPeakRssKb)), upPeakKb: phases[0].hostPeakRssKb });
      }
    }
    return { runs, rss };
  } finally {
    await emu.stop();
  }
}

function phaseTable(a: BenchArgs, runs: RunResult[]): string {
  const rows: Array<Array<string | number>> = [];
  for (const phase of PHASES) {
    const h = runs.map((r) => r.harness.find((p) => p.phase === phase)!);
    const f = runs.map((r) => r.floor.find((p) => p.phase === phase)!);
    const hWall = median(h.map((p) => p.wallMs));
    const start = median(h.map((p) => p.hostStartMs));
    const fWall = median(f.map((p) => p.wallMs));
    const hCalls = medianCalls(h.map((p) => p.calls));
    rows.push([
      phase,
      ms(hWall),
      ms(start),
      ms(fWall),
      ratio(median(h.map((p, i) => p.wallMs / f[i].wallMs))),
      ratio(median(h.map((p, i) => (p.wallMs - p.hostStartMs) / f[i].wallMs))),
      calls(hCalls),
      (apiCalls(hCalls) / a.users).toFixed(3),
      calls(medianCalls(f.map((p) => p.calls))),
      median(h.map((p) => p.tokensIssued)),
      mb(median(h.map((p) => p.hostPeakRssKb))),
    ]);
  }
  return table(
    [
      "phase",
      "harness wall",
      "of which host start",
      "floor wall",
      "harness / floor",
      "(harness − host start) / floor",
      "harness API calls",
      "calls / user",
      "floor API calls",
      "tokens minted",
      "host peak RSS",
    ],
    rows,
  );
}

function emulatorTable(runs: RunResult[]): string {
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

function checks(a: BenchArgs, runs: RunResult[]): string[] {
  const want = expectedCalls(a.users);
  const out: string[] = [];
  for (const run of runs) {
    for (const phase of ["up", "update", "destroy"] as const) {
      const c = run.harness.find((p) => p.phase === phase)!.calls;
      for (const k of ["invite", "deactivate", "activate"] as const) {
        if ((c[k] ?? 0) !== want[phase][k]) out.push(`${phase}: ${k} ${c[k] ?? 0}, expected ${want[phase][k]}`);
      }
    }
    for (const p of run.harness)
      if (p.tokensIssued !== 1)
        out.push(`${p.phase}: ${p.tokensIssued} tokens minted, expected 1 (one login per host)`);
  }
  return [...new Set(out)];
}

async function main(): Promise<void> {
  let a: BenchArgs | "help";
  try {
    a = parseBenchArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (a === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const m = machine(installedPulumiVersion());
  const out: string[] = [];
  const print = (s = "") => {
    out.push(s);
    process.stdout.write(`${s}\n`);
  };
  const json: Record<string, unknown> = { machine: m, args: { ...a, skip: [...a.skip] } };
  print(`# pulumi-wallaroo benchmark`);
  print();
  print(
    `${m.date} · ${m.cpu} · nproc ${m.nproc} · ${m.memoryGb} GB · Node ${m.node} · @pulumi/pulumi ${m.pulumi} · load average at start ${m.loadAverage}`,
  );
  print(`command: npm run bench -- ${process.argv.slice(2).join(" ")}`.trimEnd());
  print(
    `users ${a.users} (every tenth inactive), --parallel ${a.parallel}, checkpoints ${a.checkpoints}, medians of ${a.runs} run(s)`,
  );

  if (!a.skip.has("harness")) {
    const { runs, rss } = await harnessRuns(a, a.checkpoints);
    json.runs = runs;
    json.rss = rss;
    print();
    print(
      `## Phases: harness (program → engine → dynamic-provider host over gRPC → emulator) against the floor (undici, same calls, same concurrency)`,
    );
    print();
    print(phaseTable(a, runs));
    print();
    print(
      `Fixed cost of an operation (an up of a program without resources: program process, host start, Configure): ${ms(median(runs.map((r) => r.emptyUp.wallMs)))}, of which host start ${ms(median(runs.map((r) => r.emptyUp.hostStartMs)))}.`,
    );
    print();
    print(`## The emulator's load (it runs in its own process)`);
    print();
    print(emulatorTable(runs));
    if (rss.length > 0) {
      print();
      print(`## Provider host peak RSS (VmHWM)`);
      print();
      print(
        table(
          ["users", "up", "max over the 4 phases"],
          rss.map((r) => [r.users, mb(r.upPeakKb), mb(r.peakKb)]),
        ),
      );
      if (rss.length >= 2) {
        const [lo, hi] = [rss[0], rss[rss.length - 1]];
        const slope = (hi.peakKb - lo.peakKb) / 1024 / ((hi.users - lo.users) / 100);
        print();
        print(`Slope from ${lo.users} to ${hi.users} users: ${slope.toFixed(2)} MB per 100 users.`);
      }
    }
    const problems = checks(a, runs);
    print();
    print(
      problems.length
        ? `API-call checks FAILED:\n- ${problems.join("\n- ")}`
        : `API-call checks: exact (1 invite per user, 1 deactivate per inactive user, 1 deactivate per deactivated or deleted user, 1 token per operation).`,
    );
  }

  if (!a.skip.has("policy")) {
    log(`policy pack on stacks of ${a.policySizes.join(", ")} users`);
    const p = await runPolicyBench(a.policySizes, a.policyRuns);
    json.policy = p;
    print();
    print(`## Policy pack (medians of ${a.policyRuns})`);
    print();
    print(
      table(
        [
          "users",
          "limit policy, direct",
          "3 stack policies, direct",
          "AnalyzeStack over gRPC",
          "of which request encoding (client)",
          "pack's share",
          "per user (AnalyzeStack)",
          "diagnostics",
        ],
        p.map((t) => [
          t.users,
          ms(t.limitDirectMs),
          ms(t.allStackDirectMs),
          ms(t.analyzeStackMs),
          ms(t.encodeMs),
          ms(t.analyzeStackMs - t.encodeMs),
          `${((1000 * t.analyzeStackMs) / t.users).toFixed(0)} µs`,
          t.diagnostics,
        ]),
      ),
    );
  }
  if (a.json) writeFileSync(a.json, JSON.stringify(json, null, 2));
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
