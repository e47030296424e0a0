/**
 * `pulumi refresh`: read every provider-backed resource back and take what the
 * provider says as its new state.
 *
 * Reproduces pulumi/pulumi's RefreshStep (pkg/resource/deploy/step.go) as the
 * dynamic-provider host sees it: Read is sent with the state's id, outputs and
 * inputs (so the host finds `__provider` in them; facts file, "The host that
 * runs the provider"); an empty id means the resource is gone and it leaves the
 * state; inputs returned by the provider replace the stored ones; components,
 * providers and resources pending replacement are not read. The first failed
 * read cancels those not started (step_executor.go).
 *
 * Which configuration the host gets (pkg/resource/deploy/deployment.go,
 * providers/registry.go `Same`): without `--run-program` the provider is
 * loaded from the snapshot and configured with the inputs the last `up`
 * stored; with `--run-program` the program runs and the current stack
 * configuration is used (./runProgramOption.ts).
 */
import type { ResourceState } from "./checkpoint";
import {
  failStep,
  operationHost,
  parallelism,
  runOperation,
  Semaphore,
  type EngineCore,
  type RunContext,
} from "./operation";
import type { ProgramRun } from "./program";
import { storedOrCurrentConfig } from "./providerResource";
import { evaluateForRunProgram } from "./runProgramOption";
import { markSecretKeys } from "./steps";
import { errorMessage, type RefreshSummary } from "./summaries";

export function runRefresh(core: EngineCore, program?: { run: ProgramRun; program: string }): Promise<RefreshSummary> {
  return runOperation(core, "refresh", async (ctx) => {
    let programErrors: string[] = [];
    if (program) {
      programErrors = await evaluateForRunProgram(core, ctx, program.run, program.program);
    } else {
      ctx.hostConfig = storedOrCurrentConfig(core.state, core.config());
    }
    const { refreshed, removed } =
      programErrors.length > 0
        ? { refreshed: [], removed: [] }
        : await refreshResources(core, ctx, core.state.resources);
    return {
      operation: "refresh",
      refreshed,
      removed,
      failed: ctx.failed,
      skipped: ctx.skipped,
      programErrors,
      steps: ctx.steps,
      ok: ctx.failed.length === 0 && programErrors.length === 0,
      timings: ctx.timings,
    };
  });
}

/** Reads back each provider-backed resource of `list` (also `up --refresh`'s first phase). */
export async function refreshResources(
  core: EngineCore,
  ctx: RunContext,
  list: readonly ResourceState[],
  limit = parallelism(core),
): Promise<{ refreshed: string[]; removed: string[] }> {
  const sem = new Semaphore(limit);
  const refreshed: string[] = [];
  const removed: string[] = [];
  const targets = list.filter(
    (r) => r.custom && !r.type.startsWith("pulumi:providers:") && r.id && !r.pendingReplacement,
  );
  await Promise.all(
    targets.map((r) =>
      sem.run(async () => {
        if (ctx.cancelled) {
          ctx.skipped.push(r.urn);
          return;
        }
        try {
          const host = await operationHost(core, ctx, r.provider);
          const read = await host.read(r.urn, r.id!, r.outputs, r.inputs);
          if (!read.id) {
            core.state.remove(r);
            removed.push(r.urn);
            ctx.steps.push({ op: "refresh", urn: r.urn, id: r.id });
            return;
          }
          const next: ResourceState = {
            ...r,
            id: read.id,
            outputs: markSecretKeys(read.properties, r.additionalSecretOutputs),
            inputs: read.inputs ?? r.inputs,
            modified: new Date().toISOString(),
          };
          core.state.replace(r, next);
          refreshed.push(r.urn);
          ctx.steps.push({ op: "refresh", urn: r.urn, id: read.id });
        } catch (e) {
          failStep(ctx, { urn: r.urn, message: errorMessage(e) });
          core.artifacts.record(`error:${r.urn}`, errorMessage(e));
        }
      }),
    ),
  );
  return { refreshed, removed };
}
