/**
 * The workspace phases of `npm run bench` (#16): a stack of W workspaces × M members (default 20 × 50)
 * through up, refresh, update (one member per workspace made owner) and destroy, through the harness,
 * against the sequential baseline (one request at a time, one login) and the floor (the same calls at
 * --parallel). On an emulator of its own per latency, so that the users the user phases leave behind
 * do not weigh on the member lookups. The programs and the direct calls are in workspaceCalls.ts.
 */
import type { BenchArgs, WorkspaceShape } from "./args";
import { EmulatorProcess } from "./emulator";
import { FloorPhase } from "./floor";
import { CheckpointMode, HarnessPhase, playPhases, StackRunOptions } from "./phases";
import { cpuTable, emulatorTable, phasesOf, PhaseSet, phaseTable, profiled, timeTable } from "./report";
import { median } from "./stats";
import { ms, ratio } from "./table";
import {
  inviteMembers,
  OWNERS_AFTER_EDIT,
  OWNERS_AT_UP,
  promotedPerWorkspace,
  resourcesOf,
  runWorkspaceFloor,
  workspaceProgram,
} from "./workspaceCalls";

export interface WorkspaceRunOptions extends StackRunOptions {
  shape: WorkspaceShape;
  /** The members' users' domain: invited beforehand with inviteMembers. */
  domain: string;
  /** Distinguishes this run's workspace names from every other run's on the same emulator. */
  tag: string;
  /** Also measure the sequential baseline. */
  sequential: boolean;
}

/** One run: the floor, the sequential baseline (if asked), then the harness, each on workspaces of its own. */
export async function runWorkspacePhases(o: WorkspaceRunOptions): Promise<PhaseSet> {
  const direct = { emu: o.emu, adminPassword: o.adminPassword, shape: o.shape, domain: o.domain };
  const floor = await runWorkspaceFloor({ ...direct, parallel: o.parallel, prefix: `${o.tag}-f` });
  let sequential: FloorPhase[] | undefined;
  if (o.sequential) sequential = await runWorkspaceFloor({ ...direct, parallel: 1, prefix: `${o.tag}-s` });
  const prefix = `${o.tag}-h`;
  const harness = await playPhases(o, `bench-${o.tag}`, {
    up: workspaceProgram(o.shape, prefix, o.domain, OWNERS_AT_UP),
    edit: workspaceProgram(o.shape, prefix, o.domain, OWNERS_AFTER_EDIT),
  });
  return { harness, floor, sequential };
}

export interface WorkspaceRunsOptions {
  args: BenchArgs;
  latencyMs: number;
  projectDir: string;
  adminPassword: string;
  checkpoints: CheckpointMode;
  profileDir?: string;
  log: (line: string) => void;
}

/**
 * `--runs` runs of the workspace phases at one latency, on an emulator of their own; with `profileDir`, one
 * more pass of the harness with the host profiled, for the CPU share only (the profiler slows the host).
 */
export async function workspaceRuns(o: WorkspaceRunsOptions): Promise<{ runs: PhaseSet[]; profile?: HarnessPhase[] }> {
  const a = o.args;
  const { workspaces: W, members: M } = a.workspaces;
  const emu = await EmulatorProcess.start({
    adminPassword: o.adminPassword,
    edition: "enterprise",
    latencyMs: o.latencyMs,
  });
  try {
    const common = { emu, adminPassword: o.adminPassword, parallel: a.parallel };
    const domain = `ws.bench.example.com`;
    o.log(`workspaces: emulator pid ${emu.pid}, +${o.latencyMs} ms; inviting ${W * M} member users (not measured)`);
    await inviteMembers({ ...common, shape: a.workspaces, domain });
    // Warm the emulator's workspace endpoints (JIT) so that neither side pays for it.
    // (Within the shape: only its members' users exist.)
    const warmup = { workspaces: Math.min(4, W), members: Math.min(10, M) };
    await runWorkspaceFloor({ ...common, shape: warmup, domain, prefix: "warmup" });
    const play = (tag: string, more: Partial<WorkspaceRunOptions>) =>
      runWorkspacePhases({
        ...common,
        projectDir: o.projectDir,
        checkpoints: o.checkpoints,
        onPhase: (p) => o.log(`  workspaces ${p}`),
        shape: a.workspaces,
        domain,
        tag: `${tag}-${process.pid}-${Date.now().toString(36)}`,
        sequential: false,
        ...more,
      });
    const runs: PhaseSet[] = [];
    for (let r = 1; r <= a.runs; r++) {
      const at = `workspaces ${W}x${M}, ${o.latencyMs} ms, run ${r}/${a.runs}`;
      o.log(`${at}: floor, sequential${a.skip.has("sequential") ? " (skipped)" : ""}, harness`);
      runs.push(await play(`r${r}`, { sequential: !a.skip.has("sequential") }));
    }
    let profile: HarnessPhase[] | undefined;
    if (o.profileDir) {
      o.log(`workspaces ${W}x${M}, ${o.latencyMs} ms: the harness once more, with the host profiled (not timed)`);
      profile = (await play("p", { profileDir: o.profileDir, keepProfilesDir: a.keepProfiles })).harness;
    }
    return { runs, profile };
  } finally {
    await emu.stop();
  }
}

/** The exact calls of the harness's workspace phases, as problems (none when exact). */
export function workspaceChecks(s: WorkspaceShape, runs: PhaseSet[]): string[] {
  const members = s.workspaces * s.members;
  const want: Record<string, Record<string, number>> = {
    up: { "ws:create": s.workspaces, "ws:add_user": members, "ws:remove_user": 0 },
    refresh: { "ws:create": 0, "ws:add_user": 0, "ws:remove_user": 0 },
    update: { "ws:create": 0, "ws:add_user": s.workspaces * promotedPerWorkspace(s), "ws:remove_user": 0 },
    destroy: { "ws:create": 0, "ws:add_user": 0, "ws:remove_user": members },
  };
  const out: string[] = [];
  for (const run of runs)
    for (const p of run.harness) {
      for (const [k, n] of Object.entries(want[p.phase]))
        if ((p.calls[k] ?? 0) !== n) out.push(`workspaces ${p.phase}: ${k} ${p.calls[k] ?? 0}, expected ${n}`);
      if (p.tokensIssued !== 1) out.push(`workspaces ${p.phase}: ${p.tokensIssued} tokens minted, expected 1`);
    }
  return [...new Set(out)];
}

/** The #16 targets: up and refresh at least 10× faster than the sequential baseline. */
export function workspaceTargets(
  s: WorkspaceShape,
  latencyMs: number,
  runs: PhaseSet[],
): Array<[string, string, string]> {
  if (runs.length === 0 || !runs.every((r) => r.sequential)) return [];
  return (["up", "refresh"] as const).map((phase) => {
    const { h, s: seq } = phasesOf(runs, phase);
    const x = median(h.map((p, i) => seq[i].wallMs / p.wallMs));
    return [
      `workspaces ${phase} at +${latencyMs} ms, ${s.workspaces} × ${s.members} members: ≥ 10× faster than sequential`,
      `${ratio(x)} (${ms(median(seq.map((p) => p.wallMs)))} against ${ms(median(h.map((p) => p.wallMs)))})`,
      x >= 10 ? "**met**" : "**not met**",
    ];
  });
}

/** The workspace phases' section at one latency: the same tables as the user phases', per resource. */
export function workspaceSection(
  s: WorkspaceShape,
  latencyMs: number,
  runs: PhaseSet[],
  profile: HarnessPhase[] | undefined,
): string {
  const resources = resourcesOf(s);
  const parts = [
    `### Workspaces at +${latencyMs} ms: ${s.workspaces} workspaces × ${s.members} members (${resources} resources)`,
    "",
    `up creates the workspaces and adds the members (member 0 of each an owner, the rest collaborators; their ` +
      `${s.workspaces * s.members} users were invited beforehand, outside the phases); update makes member 1 of each ` +
      `workspace an owner; destroy removes the members (a workspace's delete makes no call: the API cannot delete ` +
      `one). Sequential: create per workspace, add_user per member; refresh one list per workspace and one ` +
      `list_users per member; update add_user per promoted member; destroy remove_user per member.`,
    "",
    timeTable(runs),
    "",
    phaseTable(runs, resources, "resource"),
  ];
  if (profile) parts.push("", cpuTable([profiled(profile)], resources));
  parts.push("", emulatorTable(runs));
  return parts.join("\n");
}
