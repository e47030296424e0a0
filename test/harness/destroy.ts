/**
 * `pulumi destroy`: delete every resource in the state, pending deletions of
 * earlier replacements included, without running the program.
 *
 * Reproduces the destroy of pulumi/pulumi (pkg/resource/deploy/step_generator.go
 * `GenerateDeletes` over the whole previous snapshot, scheduled by
 * `ScheduleDeletes`); the ordering and the protect / retainOnDelete rules are
 * in ./deletes.ts.
 */
import { runDeletes } from "./deletes";
import { runOperation, type EngineCore } from "./operation";
import type { DestroySummary } from "./summaries";

export function runDestroy(core: EngineCore): Promise<DestroySummary> {
  return runOperation(core, "destroy", async (ctx) => {
    await runDeletes(core, ctx, [...core.state.resources], false, (r) => (r.delete ? "delete-replaced" : "delete"));
    return {
      operation: "destroy",
      deleted: ctx.steps.filter((s) => s.op === "delete" || s.op === "delete-replaced").map((s) => s.urn),
      failed: ctx.failed,
      steps: ctx.steps,
      ok: ctx.failed.length === 0,
      timings: ctx.timings,
    };
  });
}
