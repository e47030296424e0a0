/**
 * `npm run bench -- --users 1000 --parallel 64 --latency-ms 0,30`: the whole path of a stack of
 * users (program → engine → Pulumi's dynamic-provider host over gRPC → the client → the
 * emulator) through up, refresh, update and destroy, at each added latency, against the
 * sequential baseline (one request at a time, one login: what a user does instead) and the
 * floor (the same API calls straight from undici at the same concurrency); this package's
 * share of the host's CPU from a profile of the host; the same for a stack of workspaces and
 * their members (bench/workspaces.ts); the policy pack on big stacks. Prints Markdown tables
 * (bench/report.ts); medians of --runs runs. See docs/benchmarks.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { installedPulumiVersion } from "../test/harness";
import { consumerProject } from "../test/support/world";
import { BenchArgs, parseBenchArgs, USAGE } from "./args";
import { EmulatorProcess } from "./emulator";
import { FloorPhase, runFloor } from "./floor";
import { machine } from "./machine";
import { nativeTable, runNativeComparison } from "./native";
import { CheckpointMode, emptyUpMs, HarnessPhase, PHASES, runHarnessPhases } from "./phases";
import { runPolicyBench } from "./policy";
import {
  checks,
  cpuOf,
  cpuTable,
  emulatorTable,
  phasesOf,
  PhaseSet,
  phaseTable,
  profiled,
  RunResult,
  timeTable,
} from "./report";
import { runSequential } from "./sequential";
import { measureStartCost, StartCost } from "./startCost";
import { max, median } from "./stats";
import { mb, ms, ratio, table } from "./table";
import { workspaceChecks, workspaceRuns, workspaceSection, workspaceTargets } from "./workspaces";

const ADMIN_PASSWORD = "Bench-Admin-Pw-42";

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Host peak RSS at a stack size, and the most heap a host kept after a full collection at its exit. */
type RssPoint = { users: number; peakKb: number; upPeakKb: number; keptKb: number };

/** How much `key` grows from the smallest to the largest stack measured, MB per 100 users. */
function slopeMbPer100(rss: RssPoint[], key: "peakKb" | "upPeakKb" | "keptKb"): number {
  const [lo, hi] = [rss[0], rss[rss.length - 1]];
  return (hi[key] - lo[key]) / 1024 / ((hi.users - lo.users) / 100);
}

interface LatencyResult {
  latencyMs: number;
  runs: RunResult[];
  rss: RssPoint[];
  /** The workspace stack's runs (absent with --skip workspaces). */
  workspaces?: PhaseSet[];
  /**
   * One more pass of the phases with the provider host profiled, for this package's CPU share only: the
   * profiler slows the host (by about a fifth in refresh here), so the timed runs above run without it.
   */
  profile?: HarnessPhase[];
  workspaceProfile?: HarnessPhase[];
}

async function harnessRuns(
  a: BenchArgs,
  mode: CheckpointMode,
  latencyMs: number,
  withRss: boolean,
): Promise<LatencyResult> {
  const emu = await EmulatorProcess.start({ adminPassword: ADMIN_PASSWORD, edition: "enterprise", latencyMs });
  const profileDir = a.skip.has("profile") ? undefined : mkdtempSync(path.join(os.tmpdir(), "bench-prof-"));
  try {
    log(`emulator pid ${emu.pid} at ${emu.url}, +${latencyMs} ms per API call; consumer project (cached)`);
    const projectDir = await consumerProject();
    const common = {
      emu,
      projectDir,
      parallel: a.parallel,
      adminPassword: ADMIN_PASSWORD,
      checkpoints: mode,
      edition: a.edition,
    };
    // Warm the emulator (JIT) so that neither side pays for it.
    await runFloor({ ...common, users: 200, domain: `warmup${latencyMs}.example.com` });
    const runs: RunResult[] = [];
    const tag = `r${latencyMs}ms`;
    for (let r = 1; r <= a.runs; r++) {
      const at = `${latencyMs} ms, run ${r}/${a.runs}`;
      log(`${at}: fixed cost (an up of an empty program)`);
      const emptyUp = await emptyUpMs(common);
      log(`${at}: floor, ${a.users} users at concurrency ${a.parallel}`);
      const floor = await runFloor({ ...common, users: a.users, domain: `floor${r}.${tag}.example.com` });
      let sequential: FloorPhase[] | undefined;
      if (!a.skip.has("sequential")) {
        log(`${at}: sequential baseline, ${a.users} users one request at a time`);
        sequential = await runSequential({ ...common, users: a.users, domain: `seq${r}.${tag}.example.com` });
      }
      log(`${at}: harness, ${a.users} users at --parallel ${a.parallel}, checkpoints ${mode}`);
      const harness = await runHarnessPhases({ ...common, users: a.users, onPhase: (p) => log(`  ${p}`) });
      runs.push({ harness, floor, sequential, emptyUp });
    }
    let profile: HarnessPhase[] | undefined;
    if (profileDir) {
      log(`${latencyMs} ms: the harness once more, with the provider host profiled (CPU share only, not timed)`);
      profile = await runHarnessPhases({
        ...common,
        users: a.users,
        profileDir,
        keepProfilesDir: a.keepProfiles,
        onPhase: (p) => log(`  ${p}`),
      });
    }
    const rss: RssPoint[] = [];
    if (withRss) {
      // Runs of their own: each host also reports the heap it kept (bench/heapPreload.ts), which costs a full
      // collection at its exit, inside the phase; no time is taken from these runs.
      const heapDir = mkdtempSync(path.join(os.tmpdir(), "bench-heap-"));
      try {
        for (const n of a.rssSizes) {
          log(`${latencyMs} ms: peak RSS and kept heap at ${n} users`);
          const phases: HarnessPhase[] = await runHarnessPhases({ ...common, users: n, heapDir });
          rss.push({
            users: n,
            peakKb: max(phases.map((p) => p.hostPeakRssKb)),
            upPeakKb: phases[0].hostPeakRssKb,
            keptKb: max(phases.map((p) => p.hostKeptHeapKb ?? NaN)),
          });
        }
      } finally {
        rmSync(heapDir, { recursive: true, force: true });
      }
    }
    const ws = a.skip.has("workspaces")
      ? undefined
      : await workspaceRuns({
          args: a,
          latencyMs,
          projectDir,
          adminPassword: ADMIN_PASSWORD,
          checkpoints: mode,
          profileDir,
          log,
        });
    return { latencyMs, runs, rss, workspaces: ws?.runs, profile, workspaceProfile: ws?.profile };
  } finally {
    await emu.stop();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}

function targetsTable(a: BenchArgs, results: LatencyResult[]): string {
  const rows: Array<[string, string, string]> = [];
  const yes = (ok: boolean) => (ok ? "**met**" : "**not met**");
  const at: LatencyResult | undefined = results.find((r) => r.latencyMs === 30) ?? results.at(-1);
  if (at && at.runs.every((r) => r.sequential)) {
    for (const [phase, want] of [
      ["up", 6],
      ["refresh", 15],
      ["destroy", 15],
    ] as const) {
      const { h, s } = phasesOf(at.runs, phase);
      const x = median(h.map((p, i) => s[i].wallMs / p.wallMs));
      rows.push([
        `${phase} at +${at.latencyMs} ms, ${a.users} users: ≥ ${want}× faster than sequential`,
        `${ratio(x)} (${ms(median(s.map((p) => p.wallMs)))} against ${ms(median(h.map((p) => p.wallMs)))})`,
        yes(x >= want),
      ]);
    }
  }
  if (!a.skip.has("profile")) {
    // A stack that was not profiled (--skip workspaces) has no share to report.
    const share = (profile: HarnessPhase[] | undefined, stack: string, latencyMs: number) =>
      !profile
        ? []
        : PHASES.map((phase) => ({
            where: `${stack}${phase} +${latencyMs} ms`,
            pct: cpuOf(phasesOf([profiled(profile)], phase).h, (c) => (100 * c.ownMs) / c.busyMs),
          }));
    const shares = results
      .flatMap((r) => [...share(r.profile, "", r.latencyMs), ...share(r.workspaceProfile, "workspaces ", r.latencyMs)])
      .filter((x) => Number.isFinite(x.pct));
    const worst = shares.reduce((w, x) => (x.pct > w.pct ? x : w), shares[0]);
    rows.push([
      "this package's CPU ≤ 10% of the host's, every phase",
      `at most ${worst.pct.toFixed(1)}% (${worst.where})`,
      yes(shares.every((x) => x.pct <= 10)),
    ]);
  }
  const ws = results.find((r) => r.latencyMs === 30) ?? results.at(-1);
  if (ws?.workspaces) rows.push(...workspaceTargets(a.workspaces, ws.latencyMs, ws.workspaces));
  const bound = a.users <= 1000 ? 50 : 200;
  const queries = results.flatMap((r) =>
    r.runs.map((run) => run.harness.find((p) => p.phase === "refresh")!.calls.query || 0),
  );
  rows.push([
    `refresh of ${a.users} users: ≤ ${bound} /users/query`,
    queries.join(", "),
    yes(queries.every((q) => q <= bound)),
  ]);
  const tokens = results.flatMap((r) => r.runs.flatMap((run) => run.harness.map((p) => p.calls.token || 0)));
  rows.push([
    "1 token per operation",
    `${Math.min(...tokens)}–${Math.max(...tokens)}`,
    yes(tokens.every((t) => t === 1)),
  ]);
  const createCall = a.edition === "enterprise" ? "kc:POST users" : "invite";
  const creates = results.flatMap((r) => r.runs.map((run) => run.harness[0].calls[createCall] || 0));
  rows.push([
    a.edition === "enterprise" ? "1 Keycloak POST per user" : "1 invite per user",
    creates.join(", "),
    yes(creates.every((n) => n === a.users)),
  ]);
  const rss = results[0]?.rss ?? [];
  if (rss.length >= 2) {
    const [lo, hi] = [rss[0], rss[rss.length - 1]];
    const slope = slopeMbPer100(rss, "peakKb");
    const keptSlope = slopeMbPer100(rss, "keptKb");
    rows.push([
      "host peak RSS ≤ 0.5 MB more per 100 users",
      `${slope.toFixed(2)} MB per 100 users, ${lo.users} → ${hi.users} (worst phase); heap kept at exit ${keptSlope.toFixed(2)}`,
      yes(slope <= 0.5),
    ]);
  }
  return table(["target", "measured", "met?"], rows);
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
    `users ${a.users} (every tenth inactive), --parallel ${a.parallel}, checkpoints ${a.checkpoints}, +${a.latenciesMs.join(" and +")} ms per API call, medians of ${a.runs} run(s)`,
  );

  if (!a.skip.has("harness")) {
    if (a.keepProfiles) mkdirSync(a.keepProfiles, { recursive: true });
    const results: LatencyResult[] = [];
    for (const [k, latencyMs] of a.latenciesMs.entries())
      results.push(await harnessRuns(a, a.checkpoints, latencyMs, k === 0 && !a.skip.has("rss")));
    json.latencies = results;
    let start: StartCost | undefined;
    try {
      start = measureStartCost(await consumerProject());
      json.startCost = start;
    } catch (e) {
      log(`start cost not measured: ${(e as Error).message.split("\n")[0]}`);
    }
    for (const { latencyMs, runs, workspaces, profile, workspaceProfile } of results) {
      print();
      print(`## Phases at +${latencyMs} ms per API call`);
      print();
      print(
        `Harness (program → engine → dynamic-provider host over gRPC → emulator) against the sequential baseline ` +
          `(one request at a time, one login: what the tutorial does) and the floor (undici, the harness's calls' ` +
          `equivalent at the same concurrency), all against the emulator adding ${latencyMs} ms to every call.`,
      );
      print();
      print(timeTable(runs));
      print();
      print(phaseTable(runs, a.users));
      if (profile) {
        print();
        print(
          `This package's CPU in the provider host (V8 CPU profile of the host's main thread, per phase, from one ` +
            `more run with the host profiled; the times above are from runs without the profiler):`,
        );
        print();
        print(cpuTable([profiled(profile)], a.users));
        const top = PHASES.map((phase) => {
          const h = profile.find((p) => p.phase === phase)!;
          const t = (h.hostCpu?.topOwn ?? []).slice(0, 4).map((x) => `${x.fn} ${ms(x.ms)}`);
          return `- ${phase}: ${t.join("; ") || "–"}`;
        });
        print();
        print(`Heaviest frames of this package (innermost own frame, incl. what it calls):`);
        print(top.join("\n"));
      }
      print();
      print(
        `Fixed cost of an operation (an up of a program without resources: program process, host start, Configure): ${ms(median(runs.map((r) => r.emptyUp.wallMs)))}, of which host start ${ms(median(runs.map((r) => r.emptyUp.hostStartMs)))}.`,
      );
      print();
      print(`The emulator's load (it runs in its own process):`);
      print();
      print(emulatorTable(runs));
      if (workspaces) {
        print();
        print(workspaceSection(a.workspaces, latencyMs, workspaces, workspaceProfile));
      }
    }
    if (start) {
      print();
      print(
        `Host start, what it is made of (fresh node in the consumer project, medians of 5): node ${ms(start.nodeMs)}; ` +
          `require @pulumi/pulumi (+ /dynamic) ${ms(start.pulumiMs)}; then this package's provider entry ` +
          `(pulumi-wallaroo/dist/provider/lifecycle: all that configure, check and diff need) ${ms(start.entryMs)}; then ` +
          `what the first API call loads on demand (undici's pool, the response schemas, zod) ${ms(start.firstCallMs)}. ` +
          `The host loads the entry at the first request that reaches the provider, so this package's part falls ` +
          `inside the phase, not in "host start"; a preview's host never makes an API call and loads only the entry.`,
      );
    }
    const rss = results[0]?.rss ?? [];
    if (rss.length > 0) {
      print();
      print(`## Provider host peak RSS (VmHWM, at +${results[0].latencyMs} ms)`);
      print();
      print(
        table(
          ["users", "up", "max over the 4 phases", "heap kept at exit, after a full GC (max over the phases)"],
          rss.map((r) => [r.users, mb(r.upPeakKb), mb(r.peakKb), mb(r.keptKb)]),
        ),
      );
      if (rss.length >= 2) {
        const [lo, hi] = [rss[0], rss[rss.length - 1]];
        const [slope, upSlope, keptSlope] = (["peakKb", "upPeakKb", "keptKb"] as const).map((k) =>
          slopeMbPer100(rss, k),
        );
        print();
        print(
          `Slope from ${lo.users} to ${hi.users} users: ${slope.toFixed(2)} MB per 100 users (worst phase), ${upSlope.toFixed(2)} (up); ` +
            `of the heap kept at exit, ${keptSlope.toFixed(2)}. What the peak holds beyond the kept heap is garbage not yet collected.`,
        );
      }
    }
    const problems = results.flatMap((r) =>
      [...checks(a, r.runs), ...workspaceChecks(a.workspaces, r.workspaces ?? [])].map(
        (p) => `+${r.latencyMs} ms: ${p}`,
      ),
    );
    print();
    print(
      problems.length
        ? `API-call checks FAILED:\n- ${problems.join("\n- ")}`
        : `API-call checks (${a.edition}): exact (${
            a.edition === "enterprise"
              ? "1 Keycloak POST per user, created enabled or disabled as asked, 1 PUT per user the edit deactivates, 1 PUT per user at destroy, no invite, activate or deactivate"
              : "1 invite per user, 1 deactivate per inactive user, 1 deactivate per user the edit deactivates, 1 deactivate per user still active at destroy"
          }, 1 token per operation${a.skip.has("workspaces") ? "" : "; workspaces: 1 create per workspace, 1 add_user per member and per role change, 1 remove_user per member"}).`,
    );
    print();
    print(`## Targets`);
    print();
    print(targetsTable(a, results));
  }

  if (!a.skip.has("native")) {
    // No added latency: what differs is the provider processes' work, which latency would only hide.
    const emu = await EmulatorProcess.start({ adminPassword: ADMIN_PASSWORD, edition: a.edition, latencyMs: 0 });
    try {
      const runs = await runNativeComparison({
        emu,
        projectDir: await consumerProject(),
        parallel: a.parallel,
        adminPassword: ADMIN_PASSWORD,
        checkpoints: a.checkpoints,
        edition: a.edition,
        users: a.users,
        runs: a.runs,
        log,
      });
      json.native = runs;
      print();
      print(`## The native plugin against the dynamic provider (+0 ms per API call, medians of ${a.runs})`);
      print();
      print(
        `The same ${a.users} users as \`wallaroo.User\` (dynamic: Pulumi's dynamic-provider host, \`__provider\` in every ` +
          `resource) and as \`wallaroo:index:User\` (the plugin process, started as the Node.js language host starts it). ` +
          `Provider CPU: user + system time of the provider processes each phase started (/proc); checkpoint: the ` +
          `state file after the phase.`,
      );
      print();
      print(nativeTable(runs, a.users));
    } finally {
      await emu.stop();
    }
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
