/**
 * `pulumi up` and `pulumi preview`: run the program, turn each registration
 * into a step as it arrives, then delete what the program no longer registers.
 *
 * Reproduces pulumi/pulumi's deployment executor
 * (pkg/resource/deploy/deployment_executor.go) with its step generator
 * (pkg/resource/deploy/step_generator.go): the provider host starts while the
 * program runs; registrations are stepped concurrently, `--parallel` at a time;
 * a URN registered twice is an error; after the program ends come the deletes
 * — old halves of replacements, then resources not registered and not taken
 * over by an alias (`isOperatedOn`) — and they are skipped when anything
 * failed, as the CLI does. A preview works on a copy of the state and calls no
 * Create/Update/Delete. Alias matching is in ./aliases.ts, the choice of step
 * in ./plan.ts.
 */
import { AliasBook, findOld, type OldLookup } from "./aliases";
import type { ResourceState } from "./checkpoint";
import { runDeletes } from "./deletes";
import { operationHost, parallelism, runOperation, Semaphore, type EngineCore } from "./operation";
import { planRegister } from "./plan";
import { runProgram, type ProgramRun } from "./program";
import { applyRead } from "./steps";
import { errorMessage, ROOT_STACK_TYPE, urnsOf, type UpSummary } from "./summaries";
import { containsSecrets, unwrapSecrets, type WireObject } from "./wire";

export function runUp(core: EngineCore, run: ProgramRun, program: string, preview: boolean): Promise<UpSummary> {
  const state = core.state;
  // Preview must not touch the state: work on a copy, restored at the end.
  const saved = preview ? state.resources.map((r) => structuredClone(r)) : undefined;
  state.suspended = preview;
  const restore = () => {
    if (preview) {
      state.suspended = false;
      state.resources = saved!;
    } else {
      state.save();
    }
  };
  return runOperation(
    core,
    preview ? "preview" : "up",
    async (ctx) => {
      const sem = new Semaphore(parallelism(core));
      const olds = new Map(state.resources.filter((r) => !r.delete).map((r) => [r.urn, r]));
      const seen = new Set<string>();
      const book = new AliasBook();
      const pendingDeletes: ResourceState[] = state.resources.filter((r) => r.delete);
      const stepPromises: Array<Promise<void>> = [];
      let rawOutputs: WireObject = {};
      let stackUrn: string | undefined;

      // Start the host alongside the program, as the CLI loads plugins while the program runs.
      operationHost(core, ctx).catch(() => undefined);
      const tProgram = performance.now();
      const result = await runProgram(run, program, preview, (m, reply) => {
        if (m.kind === "done") {
          return;
        }
        if (m.kind === "outputs") {
          const r = state.live(m.urn);
          if (r) {
            r.outputs = m.outputs;
            state.upsert(r);
          }
          if (m.urn === stackUrn) {
            rawOutputs = m.outputs;
          }
          return;
        }
        const urn = state.makeUrn(m.type, m.name, m.options.parent);
        const fail = (message: string) => {
          if (!ctx.failed.some((f) => f.urn === urn)) {
            ctx.failed.push({ urn, message });
          }
          core.artifacts.record(`error:${urn}`, message);
          reply({ kind: "registered", reqId: m.reqId, urn, error: message });
        };
        if (m.type === ROOT_STACK_TYPE) {
          stackUrn = urn;
        }
        if (seen.has(urn)) {
          reply({
            kind: "registered",
            reqId: m.reqId,
            urn,
            error: `Duplicate resource URN '${urn}'; try giving it a unique name`,
          });
          ctx.failed.push({ urn, message: `Duplicate resource URN '${urn}'` });
          return;
        }
        seen.add(urn);
        // Old state found here, synchronously, so that alias claims are settled in registration order.
        let found: OldLookup;
        try {
          found = m.kind === "read" ? {} : findOld(state, book, olds, seen, { ...m, urn, ...m.options });
        } catch (e) {
          fail(errorMessage(e));
          return;
        }
        const p = (async () => {
          try {
            const res =
              m.kind === "read"
                ? await sem.run(() =>
                    applyRead(core, ctx, { urn, type: m.type, id: m.id, props: m.inputs, o: m.options }),
                  )
                : await sem.run(() => planRegister(core, ctx, { urn, m, ...found, preview, pendingDeletes }));
            reply({ kind: "registered", reqId: m.reqId, urn, id: res.id, state: res.outputs });
          } catch (e) {
            fail(errorMessage(e));
          }
        })();
        stepPromises.push(p);
      });
      await Promise.all(stepPromises);
      ctx.timings.program = performance.now() - tProgram;
      const programErrors = result.errors;
      const ok0 = ctx.failed.length === 0 && programErrors.length === 0;

      // Deletions: replaced resources (create-before-delete), then resources the program no longer registers.
      const tDeletes = performance.now();
      const toDelete: ResourceState[] = [...pendingDeletes];
      let deletesSkipped = false;
      const unregistered = state.resources.filter((r) => !r.delete && !seen.has(r.urn) && !book.aliased.has(r.urn));
      if (ok0) {
        toDelete.push(...unregistered);
      } else if (unregistered.length > 0) {
        deletesSkipped = true;
      }
      if (toDelete.length > 0) {
        await runDeletes(core, ctx, toDelete, preview, (r) => (r.delete ? "delete-replaced" : "delete"));
      }
      ctx.timings.deletes = performance.now() - tDeletes;

      return {
        operation: preview ? "preview" : "up",
        created: urnsOf(ctx.steps, "create"),
        updated: urnsOf(ctx.steps, "update"),
        replaced: urnsOf(ctx.steps, "replace"),
        deleted: urnsOf(ctx.steps, "delete"),
        same: urnsOf(ctx.steps, "same"),
        failed: ctx.failed,
        programErrors,
        outputs: unwrapSecrets(rawOutputs) as Record<string, unknown>,
        rawOutputs,
        secretOutputs: Object.keys(rawOutputs).filter((k) => containsSecrets(rawOutputs[k])),
        deletesSkipped,
        steps: ctx.steps,
        ok: ctx.failed.length === 0 && programErrors.length === 0,
        timings: ctx.timings,
      };
    },
    restore,
  );
}
