/**
 * Deletes resources — at the end of an update (old halves of replacements,
 * resources the program no longer registers) and in a destroy.
 *
 * Reproduces pulumi/pulumi's `GenerateDeletes` and `ScheduleDeletes`
 * (pkg/resource/deploy/step_generator.go) and the deployment executor
 * (pkg/resource/deploy/deployment_executor.go): deletes run after every
 * registration's step, in reverse dependency order (a resource goes only after
 * everything that depends on it or is parented to it), `--parallel` at a time;
 * a failed delete blocks the deletes of what it depends on; a protected
 * resource is not deleted; `retainOnDelete` drops it from the state without a
 * Delete call; a resource read with `Resource.get` is only discarded. A
 * resource renamed without an alias is one of these deletes, run in the same
 * host as the update's creates (facts file, "The host that runs the provider").
 */
import type { ResourceState } from "./checkpoint";
import { operationHost, parallelism, type EngineCore, type RunContext } from "./operation";
import { errorMessage, type StepOp } from "./summaries";

export async function runDeletes(
  core: EngineCore,
  ctx: RunContext,
  list: ResourceState[],
  preview: boolean,
  opOf: (r: ResourceState) => StepOp,
): Promise<void> {
  const order = core.state.resources.filter((r) => list.includes(r));
  const remaining = new Set(order);
  const dependents = new Map<ResourceState, number>();
  const depsOf = (r: ResourceState) => {
    const urns = new Set([...(r.dependencies ?? []), ...(r.parent ? [r.parent] : [])]);
    // A pending-delete resource and its replacement share a URN: only live ones count as dependencies.
    return order.filter((x) => x !== r && !x.delete && urns.has(x.urn));
  };
  for (const r of order) {
    dependents.set(r, 0);
  }
  for (const r of order) {
    for (const d of depsOf(r)) {
      dependents.set(d, dependents.get(d)! + 1);
    }
  }
  const limit = parallelism(core);
  const running = new Set<Promise<void>>();
  const started = new Set<ResourceState>();
  for (;;) {
    const ready = [...remaining].filter((r) => !started.has(r) && dependents.get(r) === 0).reverse();
    while (ready.length > 0 && running.size < limit) {
      const r = ready.shift()!;
      started.add(r);
      const p: Promise<void> = (async () => {
        let ok = false;
        try {
          await deleteOne(core, ctx, r, preview, opOf(r));
          ok = true;
        } catch (e) {
          ctx.failed.push({ urn: r.urn, message: errorMessage(e) });
          core.artifacts.record(`error:${r.urn}`, errorMessage(e));
        }
        remaining.delete(r);
        if (ok) {
          for (const d of depsOf(r)) {
            dependents.set(d, dependents.get(d)! - 1);
          }
        }
      })().finally(() => running.delete(p));
      running.add(p);
    }
    if (running.size === 0) {
      break;
    }
    await Promise.race(running);
  }
}

async function deleteOne(
  core: EngineCore,
  ctx: RunContext,
  r: ResourceState,
  preview: boolean,
  op: StepOp,
): Promise<void> {
  if (r.protect && !r.delete) {
    throw new Error(`unable to delete resource "${r.urn}" as it is currently marked for protection`);
  }
  const isProviderBacked = r.custom && !r.type.startsWith("pulumi:providers:") && !r.external;
  if (!preview && isProviderBacked && !r.retainOnDelete) {
    const host = await operationHost(core, ctx);
    await host.delete(r.urn, r.id!, r.outputs, r.inputs);
  }
  if (!preview) {
    core.state.remove(r);
  }
  ctx.steps.push({ op: r.external ? "discard" : op, urn: r.urn, id: r.id });
}
