/**
 * The native plugin against the dynamic provider, same stack, same run: N users through up →
 * refresh → update → destroy, once declared as pulumi-wallaroo's dynamic `wallaroo.User` (served
 * by Pulumi's dynamic-provider host, each resource carrying its `__provider`) and once as the
 * plugin's `wallaroo:index:User` (served by the plugin process, started as the Node.js language
 * host starts it). Measured per phase: wall time, the provider processes' CPU (user + system from
 * /proc, every process the phase started) and the checkpoint's size. The dynamic side is the
 * baseline; the two alternate within each run so that drift favours neither.
 */
import * as path from "node:path";
import { type HarnessPhase, PHASES, runHarnessPhases, type StackRunOptions } from "./phases";
import type { ProgramStyle } from "./programs";
import { median } from "./stats";
import { ms, ratio, table } from "./table";

export interface NativeRun {
  dynamic: HarnessPhase[];
  native: HarnessPhase[];
}

export interface NativeComparisonOptions extends StackRunOptions {
  users: number;
  runs: number;
  log?: (line: string) => void;
}

/** Plays the user stack in both styles `runs` times, alternating which goes first. */
export async function runNativeComparison(o: NativeComparisonOptions): Promise<NativeRun[]> {
  const plugins = { wallaroo: path.join(o.projectDir, "node_modules", "pulumi-wallaroo", "plugin") };
  const out: NativeRun[] = [];
  for (let r = 0; r < o.runs; r++) {
    const order: ProgramStyle[] = r % 2 === 0 ? ["dynamic", "native"] : ["native", "dynamic"];
    const run: Partial<NativeRun> = {};
    for (const style of order) {
      o.log?.(`native vs dynamic, run ${r + 1}/${o.runs}: ${style}, ${o.users} users`);
      run[style] = await runHarnessPhases({ ...o, plugins }, style);
    }
    out.push(run as NativeRun);
  }
  return out;
}

function kb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0)} kB` : "–";
}

/** Per phase: wall time, provider CPU and checkpoint size of each style, and native's ratio to dynamic (medians). */
export function nativeTable(runs: NativeRun[], users: number): string {
  const of = (style: ProgramStyle, phase: string, key: "wallMs" | "hostCpuMs" | "checkpointBytes") =>
    median(runs.map((r) => r[style].find((p) => p.phase === phase)![key]));
  const rows = PHASES.map((phase) => {
    const [dw, nw] = [of("dynamic", phase, "wallMs"), of("native", phase, "wallMs")];
    const [dc, nc] = [of("dynamic", phase, "hostCpuMs"), of("native", phase, "hostCpuMs")];
    const [db, nb] = [of("dynamic", phase, "checkpointBytes"), of("native", phase, "checkpointBytes")];
    return [
      phase,
      ms(dw),
      ms(nw),
      ratio(nw / dw),
      ms(dc),
      ms(nc),
      ratio(nc / dc),
      kb(db),
      kb(nb),
      phase === "destroy" ? "–" : `${((db - nb) / users).toFixed(0)} B`,
    ];
  });
  return table(
    [
      "phase",
      "wall, dynamic",
      "wall, native",
      "native/dynamic",
      "provider CPU, dynamic",
      "provider CPU, native",
      "native/dynamic",
      "checkpoint after, dynamic",
      "checkpoint after, native",
      "saved per user",
    ],
    rows,
  );
}
