/**
 * `pulumi destroy`: delete every resource in the state, pending deletions of
 * earlier replacements included, without running the program.
 *
 * Reproduces the destroy of pulumi/pulumi (pkg/resource/deploy/step_generator.go
 * `GenerateDeletes` over the whole previous snapshot, scheduled by
 * `ScheduleDeletes`); the ordering and the protect / retainOnDelete rules are
 * in ./deletes.ts. Like refresh (./refresh.ts), the host is configured with the
 * configuration the last `up` stored in the default provider resource, or,
 * with `--run-program`, with the current one after the program ran.
 */
import { runDeletes } from "./deletes";
import { runOperation, type EngineCore } from "./operation";
import type { ProgramRun } from "./program";
import { isDefaultProviderUrn } from "./providerPlugins";
import { storedOrCurrentConfig } from "./providerResource";
import { evaluateForRunProgram } from "./runProgramOption";
import type { DestroySummary } from "./summaries";

export function runDestroy(core: EngineCore, program?: { run: ProgramRun; program: string }): Promise<DestroySummary> {
  return runOperation(core, "destroy", async (ctx) => {
    let programErrors: string[] = [];
    if (program) {
      programErrors = await evaluateForRunProgram(core, ctx, program.run, program.program);
    } else {
      ctx.hostConfig = storedOrCurrentConfig(core.state, core.config());
    }
    if (programErrors.length === 0) {
      await runDeletes(core, ctx, [...core.state.resources], false, (r) => (r.delete ? "delete-replaced" : "delete"));
    }
    return {
      operation: "destroy",
      // Default providers' deletes are in `steps`, not in `deleted` (as in the other summaries).
      deleted: ctx.steps
        .filter((s) => (s.op === "delete" || s.op === "delete-replaced") && !isDefaultProviderUrn(s.urn))
        .map((s) => s.urn),
      failed: ctx.failed,
      skipped: ctx.skipped,
      programErrors,
      steps: ctx.steps,
      ok: ctx.failed.length === 0 && programErrors.length === 0,
      timings: ctx.timings,
    };
  });
}
