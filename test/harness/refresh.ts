/**
 * `pulumi refresh`: read every provider-backed resource back and take what the
 * provider says as its new state.
 *
 * Reproduces pulumi/pulumi's RefreshStep (pkg/resource/deploy/step.go) as the
 * dynamic-provider host sees it: Read is sent with the state's id, outputs and
 * inputs (so the host finds `__provider` in them; facts file, "The host that
 * runs the provider"); an empty id means the resource is gone and it leaves the
 * state; inputs returned by the provider replace the stored ones.
 */
import { operationHost, parallelism, runOperation, Semaphore, type EngineCore } from "./operation";
import type { ResourceState } from "./checkpoint";
import { markSecretKeys } from "./steps";
import { errorMessage, type RefreshSummary } from "./summaries";

export function runRefresh(core: EngineCore): Promise<RefreshSummary> {
  return runOperation(core, "refresh", async (ctx) => {
    const sem = new Semaphore(parallelism(core));
    const refreshed: string[] = [];
    const removed: string[] = [];
    const targets = core.state.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && r.id);
    await Promise.all(
      targets.map((r) =>
        sem.run(async () => {
          try {
            const host = await operationHost(core, ctx);
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
            ctx.failed.push({ urn: r.urn, message: errorMessage(e) });
            core.artifacts.record(`error:${r.urn}`, errorMessage(e));
          }
        }),
      ),
    );
    return {
      operation: "refresh",
      refreshed,
      removed,
      failed: ctx.failed,
      steps: ctx.steps,
      ok: ctx.failed.length === 0,
      timings: ctx.timings,
    };
  });
}
