/**
 * What every operation (up, preview, refresh, destroy) shares: one provider
 * host per provider for the whole operation, started on first need and
 * stopped at its end (the dynamic-provider host for every dynamic resource;
 * for a resource plugin, one process per provider resource, default or
 * explicit, each configured with that resource's inputs);
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
import { DYNAMIC_PACKAGE, providerPackage } from "./providerPlugins";
import { DEFAULT_PROVIDER_TYPE, providerRefUrn, type StackConfig } from "./providerResource";
import type { StackState } from "./state";
import type { WireObject } from "./wire";
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
  /**
   * Starts the resource plugin of a package for the provider resource `use` describes:
   * CheckConfig and DiffConfig when it is registered in this operation, then Configure.
   */
  startPlugin(use: ProviderUse): Promise<ProviderHost>;
}

/** A provider resource of a resource plugin as an operation uses it. */
export interface ProviderUse {
  urn: string;
  pkg: string;
  /** The inputs it is configured with. */
  inputs: WireObject;
  /** Registered in this operation: checked (CheckConfig) first, and diffed (DiffConfig) against `old`. */
  registered?: boolean;
  old?: { inputs: WireObject; outputs: WireObject };
  /** Set by `startPlugin`: DiffConfig found no change, so the provider is a same, configured with its old inputs. */
  same?: boolean;
}

/** One operation's record: its hosts, its steps, its failures, its timings. */
export interface RunContext {
  /** The hosts started, by provider: the dynamic package's name, or a plugin provider's URN. */
  hosts: Map<string, Promise<ProviderHost>>;
  /** Hosts no longer handed out, stopped with the others at the end. */
  retired: Array<Promise<ProviderHost>>;
  /** The plugin providers registered in this operation, by URN (else their stored state is used). */
  providers: Map<string, ProviderUse>;
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
  /** Warnings the engine prints for a resource (`<urn>: <message>`). */
  warnings: string[];
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

/**
 * The host of the provider a resource references (`provider`, `<urn>::<id>`; none: the dynamic
 * provider's), started on first call. Every dynamic resource shares the dynamic-provider host,
 * configured with the operation's configuration; each plugin provider gets its own process,
 * configured with its inputs: registered in this operation, else stored in the state (as
 * registry.go `Same` loads a provider from the old snapshot).
 */
export function operationHost(core: EngineCore, ctx: RunContext, ref?: string): Promise<ProviderHost> {
  const urn = ref === undefined ? undefined : providerRefUrn(ref);
  const pkg = providerPackage(urn === undefined ? DEFAULT_PROVIDER_TYPE : urnType(urn));
  const key = pkg === DYNAMIC_PACKAGE ? DYNAMIC_PACKAGE : urn!;
  let host = ctx.hosts.get(key);
  if (!host) {
    const t0 = performance.now();
    if (pkg === DYNAMIC_PACKAGE) {
      host = core.startHost(ctx.hostConfig);
    } else {
      const use = pluginUse(core, ctx, urn!, pkg);
      host = core.startPlugin(use).then(
        (h) => {
          settleProviderStep(core, ctx, use);
          return h;
        },
        (e: unknown) => {
          failProviderStep(core, ctx, use, e);
          throw e;
        },
      );
    }
    host = host.then((h) => {
      ctx.timings.hostStart ??= performance.now() - t0;
      return h;
    });
    ctx.hosts.set(key, host);
  }
  return host;
}

/**
 * Stops handing out the plugin hosts started so far (`up --refresh`: the refresh phase read through
 * the providers as stored; the update registers them from the program and configures new ones).
 */
export function retirePluginHosts(ctx: RunContext): void {
  for (const [key, host] of ctx.hosts) {
    if (key !== DYNAMIC_PACKAGE) {
      ctx.retired.push(host);
      ctx.hosts.delete(key);
    }
  }
}

/**
 * Hands a plugin provider's inputs to the host that will serve it (a dynamic provider's are the
 * dynamic host's configuration, not this); `checked`: registered in this operation, so CheckConfig
 * and DiffConfig run before Configure.
 */
export function usePluginProvider(
  ctx: RunContext,
  pkg: string,
  p: { urn: string; inputs: WireObject; old?: { inputs: WireObject; outputs: WireObject } },
  checked: boolean,
): void {
  if (pkg === DYNAMIC_PACKAGE) {
    return;
  }
  const old = p.old && { inputs: p.old.inputs, outputs: p.old.outputs };
  ctx.providers.set(p.urn, { urn: p.urn, pkg, inputs: p.inputs, registered: checked, old });
}

/** The step recorded for a provider registered in this operation (./providerResource.ts `registerProvider`). */
function providerStep(ctx: RunContext, urn: string): StepRecord | undefined {
  return [...ctx.steps]
    .reverse()
    .find((s) => s.urn === urn && (s.op === "create" || s.op === "update" || s.op === "same"));
}

/**
 * registry.go `Diff`: the provider's DiffConfig decides between update and same; a same keeps its
 * old state (step.go `SameStep`: the old inputs, which Configure then gets, registry.go `Same`).
 */
function settleProviderStep(core: EngineCore, ctx: RunContext, use: ProviderUse): void {
  if (!use.registered || !use.old || !use.same) {
    return;
  }
  const step = providerStep(ctx, use.urn);
  if (step && step.op === "update") {
    step.op = "same";
    delete step.changedKeys;
  }
  const stored = core.state.live(use.urn);
  if (stored) {
    core.state.upsert({ ...stored, inputs: use.old.inputs, outputs: use.old.outputs });
  }
}

/**
 * registry.go `Check`: a provider whose CheckConfig fails is neither created nor updated; its step
 * fails, and its state (if it had one) stays as it was.
 */
function failProviderStep(core: EngineCore, ctx: RunContext, use: ProviderUse, e: unknown): void {
  if (!use.registered) {
    return;
  }
  const step = providerStep(ctx, use.urn);
  if (step) {
    ctx.steps.splice(ctx.steps.indexOf(step), 1);
  }
  const stored = core.state.live(use.urn);
  if (stored && use.old) {
    core.state.upsert({ ...stored, inputs: use.old.inputs, outputs: use.old.outputs });
  } else if (stored) {
    core.state.remove(stored);
  }
  failStep(ctx, { urn: use.urn, message: e instanceof Error ? e.message : String(e) });
}

/** The type part of a URN (`urn:pulumi:<stack>::<project>::<parent types$>type::<name>`). */
function urnType(urn: string): string {
  return urn.split("::")[2]!.split("$").pop()!;
}

function pluginUse(core: EngineCore, ctx: RunContext, urn: string, pkg: string): ProviderUse {
  const registered = ctx.providers.get(urn);
  if (registered) {
    return registered;
  }
  const stored = core.state.live(urn) ?? core.state.resources.find((r) => r.urn === urn);
  if (!stored) {
    throw new Error(`provider ${urn} is neither registered by the program nor in the state`);
  }
  return { urn, pkg, inputs: stored.inputs };
}

/** Runs one operation: a fresh context, then (whatever happens) host stopped, `finish` run, timings recorded. */
export async function runOperation<T>(
  core: EngineCore,
  name: string,
  body: (ctx: RunContext) => Promise<T>,
  finish: () => void = () => core.state.save(),
): Promise<T> {
  const t0 = performance.now();
  const ctx: RunContext = {
    hosts: new Map(),
    retired: [],
    providers: new Map(),
    steps: [],
    failed: [],
    timings: {},
    skipped: [],
    hookRetries: [],
    warnings: [],
  };
  try {
    return await body(ctx);
  } finally {
    await stopOperationHosts(core, ctx);
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

async function stopOperationHosts(core: EngineCore, ctx: RunContext): Promise<void> {
  await Promise.all(
    [...ctx.hosts.values(), ...ctx.retired].map(async (started) => {
      try {
        const h = await started;
        const mem = h.memory();
        if (mem) {
          core.metrics.hostPeakRssKb.push(mem.peakRssKb);
        }
        const cpu = h.cpuMs();
        if (cpu !== undefined) {
          core.metrics.hostCpuMs.push(cpu);
        }
        await h.stop();
      } catch {
        // start failure already reported
      }
    }),
  );
}
