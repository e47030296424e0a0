/**
 * What every operation (up, preview, refresh, destroy) shares: one provider
 * host for the whole operation, started on first need and stopped at its end;
 * at most `parallel` resource operations at a time; the checkpoint written at
 * the end; timings.
 *
 * Reproduces the CLI's plugin lifetime (pkg/resource/plugin/host.go in
 * pulumi/pulumi: a provider plugin is loaded once per deployment and closed
 * when it ends; for dynamic resources that plugin is the Node.js
 * dynamic-provider host, see "The host that runs the provider" in
 * /work/shared/PULUMI-RUNTIME-FACTS.md) and `--parallel` (default 4 × the CPUs,
 * pkg/cmd/pulumi/operations/up.go `defaultParallel`: GOMAXPROCS × 4, or
 * PULUMI_PARALLEL). The first failed step cancels what has not started
 * (pkg/resource/deploy/step_executor.go `executeChain` / `cancelDueToError`):
 * steps already running finish, none new start.
 */
import * as os from "os";
import type { ArtifactLog } from "./artifacts";
import type { ErrorHookTable } from "./hooks";
import type { ProviderHost } from "./providerHost";
import type { StackConfig } from "./providerResource";
import type { StackState } from "./state";
import type { EngineMetrics, EngineOptions, HookRetry, PhaseTimings, StepFailure, StepRecord } from "./summaries";

/** The parts of the Engine the step modules use. */
export interface EngineCore {
  readonly opts: EngineOptions;
  readonly state: StackState;
  readonly artifacts: ArtifactLog;
  readonly metrics: EngineMetrics;
  /** The current stack configuration (`pulumi config`). */
  config(): StackConfig;
  /** Starts a provider host and sends `Configure` with `config` (default: the current configuration). */
  startHost(config?: StackConfig): Promise<ProviderHost>;
}

/** One operation's record: its host, its steps, its failures, its timings. */
export interface RunContext {
  host?: ProviderHost;
  hostPromise?: Promise<ProviderHost>;
  steps: StepRecord[];
  failed: StepFailure[];
  timings: PhaseTimings;
  /** The configuration the operation's host is configured with (default: the current one). */
  hostConfig?: StackConfig;
  /** Set by the first failed step: nothing new starts. */
  cancelled?: boolean;
  /** Registrations whose step was not started because the operation was cancelled. */
  skipped: string[];
  /** The program's `onError` hooks, by name (./hooks.ts). */
  errorHooks?: ErrorHookTable;
  /** Retries `onError` hooks asked for. */
  hookRetries: HookRetry[];
}

/** Thrown for a step that was not started because an earlier one failed. */
export class StepCancelledError extends Error {
  constructor(urn: string) {
    super(`${urn}: not started: the operation was cancelled after an earlier step failed`);
    this.name = "StepCancelledError";
  }
}

/** Records a failed step and cancels what has not started (step_executor.go `cancelDueToError`). */
export function failStep(ctx: RunContext, failure: StepFailure): void {
  if (!ctx.failed.some((f) => f.urn === failure.urn)) {
    ctx.failed.push(failure);
  }
  ctx.cancelled = true;
}

export class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) {
      await new Promise<void>((r) => this.queue.push(r));
    }
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

export function parallelism(core: EngineCore): number {
  return Math.max(1, core.opts.parallel ?? defaultParallel());
}

/** pkg/cmd/pulumi/operations/up.go `defaultParallel`: PULUMI_PARALLEL if set, else 4 × GOMAXPROCS (the CPUs). */
export function defaultParallel(): number {
  const env = Number(process.env.PULUMI_PARALLEL);
  return Number.isInteger(env) && env > 0 ? env : 4 * (os.availableParallelism?.() ?? os.cpus().length);
}

/** The operation's host, started on first call. */
export function operationHost(core: EngineCore, ctx: RunContext): Promise<ProviderHost> {
  if (!ctx.hostPromise) {
    const t0 = performance.now();
    ctx.hostPromise = core.startHost(ctx.hostConfig).then((h) => {
      ctx.host = h;
      ctx.timings.hostStart = performance.now() - t0;
      return h;
    });
  }
  return ctx.hostPromise;
}

/** Runs one operation: a fresh context, then (whatever happens) host stopped, `finish` run, timings recorded. */
export async function runOperation<T>(
  core: EngineCore,
  name: string,
  body: (ctx: RunContext) => Promise<T>,
  finish: () => void = () => core.state.save(),
): Promise<T> {
  const t0 = performance.now();
  const ctx: RunContext = { steps: [], failed: [], timings: {}, skipped: [], hookRetries: [] };
  try {
    return await body(ctx);
  } finally {
    await stopOperationHost(core, ctx);
    finish();
    ctx.timings.total = performance.now() - t0;
    core.metrics.operations.push({ operation: name, timings: ctx.timings });
  }
}

/** Runs an operation, writing the checkpoint once at its end when `checkpoints: "end"`. */
export async function checkpointed<T>(core: EngineCore, op: () => Promise<T>): Promise<T> {
  if (core.opts.checkpoints !== "end") {
    return op();
  }
  core.state.deferred = true;
  try {
    return await op();
  } finally {
    core.state.deferred = false;
    core.state.save();
  }
}

async function stopOperationHost(core: EngineCore, ctx: RunContext): Promise<void> {
  if (ctx.hostPromise) {
    try {
      const h = await ctx.hostPromise;
      const mem = h.memory();
      if (mem) {
        core.metrics.hostPeakRssKb.push(mem.peakRssKb);
      }
      await h.stop();
    } catch {
      // start failure already reported
    }
  }
}
