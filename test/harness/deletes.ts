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
 * Delete call; a resource read with `Resource.get` is only discarded; a
 * resource whose `deletedWith` target is deleted in the same operation leaves
 * the state without a Delete call (step.go `DeleteStep.Apply`, `isDeletedWith`);
 * one already deleted by a delete-before-replace (`pendingReplacement`) makes
 * no call either; a provider goes after the resources that reference it. The
 * first failed delete cancels those not started (step_executor.go), except a
 * refusal to delete a protected resource (`cancelDueToError` continues past
 * `deleteProtectedError`). A
 * resource renamed without an alias is one of these deletes, run in the same
 * host as the update's creates (facts file, "The host that runs the provider").
 */
import type { ResourceState } from "./checkpoint";
import { failStep, operationHost, parallelism, type EngineCore, type RunContext } from "./operation";
import { providerRefUrn } from "./providerResource";
import { errorMessage, type StepOp } from "./summaries";

export async function runDeletes(
  core: EngineCore,
  ctx: RunContext,
  list: ResourceState[],
  preview: boolean,
  opOf: (r: ResourceState) => StepOp,
  limit = parallelism(core),
): Promise<void> {
  const inList = new Set(list);
  const order = core.state.resources.filter((r) => inList.has(r));
  // What each one depends on (positions in `order`), and how many undeleted ones depend on each.
  const depsOf = dependencies(order);
  const dependents = order.map(() => 0);
  for (const deps of depsOf) {
    for (const d of deps) {
      dependents[d]++;
    }
  }
  // Ready to go, the last in state order first: a heap, not a scan of what remains at each turn.
  const ready = new MaxHeap();
  dependents.forEach((n, i) => n === 0 && ready.push(i));
  const running = new Set<Promise<void>>();
  // URNs deleted by this operation (step_generator.go `sg.deletes`), for `deletedWith`.
  const deleting = new Set(order.filter((r) => !r.delete).map((r) => r.urn));
  const started = order.map(() => false);
  for (;;) {
    while (ready.size > 0 && running.size < limit) {
      const i = ready.pop();
      const r = order[i];
      if (ctx.cancelled) {
        continue;
      }
      started[i] = true;
      const p: Promise<void> = (async () => {
        let ok = false;
        try {
          await deleteOne(core, ctx, r, preview, opOf(r), deleting);
          ok = true;
        } catch (e) {
          const failure = { urn: r.urn, message: errorMessage(e) };
          if (e instanceof ProtectedError) {
            ctx.failed.push(failure);
          } else {
            failStep(ctx, failure);
          }
          core.artifacts.record(`error:${r.urn}`, errorMessage(e));
        }
        // A failed delete keeps what it depends on: their counts never reach 0.
        if (ok) {
          for (const d of depsOf[i]) {
            if (--dependents[d] === 0) {
              ready.push(d);
            }
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
  // Not started: cancelled, or waiting on a delete that failed.
  order.forEach((r, i) => !started[i] && ctx.skipped.push(r.urn));
}

/**
 * For each resource of `order`, the positions of the ones it depends on or is
 * parented to. A pending-delete resource and its replacement share a URN:
 * only live ones count as dependencies.
 */
function dependencies(order: ResourceState[]): number[][] {
  const liveAt = new Map<string, number[]>();
  order.forEach((x, i) => {
    if (!x.delete) {
      liveAt.set(x.urn, [...(liveAt.get(x.urn) ?? []), i]);
    }
  });
  return order.map((r, i) => {
    const urns = new Set([
      ...(r.dependencies ?? []),
      ...(r.parent ? [r.parent] : []),
      ...(r.provider ? [providerRefUrn(r.provider)] : []),
    ]);
    return [...urns].flatMap((u) => liveAt.get(u) ?? []).filter((j) => j !== i);
  });
}

/** Positions, the greatest first. */
class MaxHeap {
  private readonly a: number[] = [];

  get size(): number {
    return this.a.length;
  }

  push(v: number): void {
    const a = this.a;
    let i = a.push(v) - 1;
    while (i > 0 && a[(i - 1) >> 1] < v) {
      a[i] = a[(i - 1) >> 1];
      i = (i - 1) >> 1;
    }
    a[i] = v;
  }

  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= a.length) {
          break;
        }
        if (c + 1 < a.length && a[c + 1] > a[c]) {
          c++;
        }
        if (a[c] <= last) {
          break;
        }
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

async function deleteOne(
  core: EngineCore,
  ctx: RunContext,
  r: ResourceState,
  preview: boolean,
  op: StepOp,
  deleting: Set<string>,
): Promise<void> {
  if (r.protect && !r.delete) {
    throw new ProtectedError(`unable to delete resource "${r.urn}" as it is currently marked for protection`);
  }
  const isProviderBacked = r.custom && !r.type.startsWith("pulumi:providers:") && !r.external;
  const deletedWith = r.deletedWith !== undefined && deleting.has(r.deletedWith);
  if (!preview && isProviderBacked && !r.retainOnDelete && !r.pendingReplacement && !deletedWith) {
    const host = await operationHost(core, ctx, r.provider);
    await host.delete(r.urn, r.id!, r.outputs, r.inputs);
  }
  if (!preview) {
    core.state.remove(r);
  }
  ctx.steps.push({ op: r.external ? "discard" : op, urn: r.urn, id: r.id });
}

/** step.go `deleteProtectedError`: the executor carries on past it. */
class ProtectedError extends Error {}
