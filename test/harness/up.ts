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
 * over by an alias (`isOperatedOn`) — and they run only when every other step
 * succeeded (`Execute`: deletes come from `performPostSteps` after a clean
 * run); the first failed step cancels the steps not yet started
 * (step_executor.go). A preview works on a copy of the state and calls no
 * Create/Update/Delete. Alias matching is in ./aliases.ts, the choice of step
 * in ./plan.ts, the default provider in ./providerResource.ts.
 *
 * Options (pkg/resource/deploy/step_generator.go): `--target` (`isTargetedForUpdate`:
 * an untargeted registration with old state is a same step that keeps the old
 * state, one without is a skipped create that is not recorded; only targeted
 * unregistered resources are deleted), `--replace` (`isTargetedReplace`),
 * `--refresh` (deployment_executor.go `refresh` before the update: the diff is
 * against the refreshed state).
 */
import { AliasBook, findOld, type OldLookup } from "./aliases";
import type { ResourceState } from "./checkpoint";
import { runDeletes } from "./deletes";
import {
  failStep,
  operationHost,
  retirePluginHosts,
  usePluginProvider,
  parallelism,
  runOperation,
  Semaphore,
  StepCancelledError,
  type EngineCore,
  type RunContext,
} from "./operation";
import { planRegister } from "./plan";
import { runProgram, type ProgramRun } from "./program";
import { isProviderType, packageOfType } from "./providerPlugins";
import { defaultProviderUrn, registerDefaultProvider } from "./providerResource";
import { refreshResources } from "./refresh";
import { applyRead } from "./steps";
import { errorMessage, ROOT_STACK_TYPE, urnsOf, type UpOptions, type UpSummary } from "./summaries";
import { containsSecrets, unwrapSecrets, type WireObject } from "./wire";

export function runUp(core: EngineCore, run: ProgramRun, program: string, opts: UpOptions): Promise<UpSummary> {
  const preview = opts.preview === true;
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
  const matches = (list: string[] | undefined, urn: string) =>
    list?.some((t) => t === urn || urn.endsWith(`::${t}`)) === true;
  const targeted = (urn: string) => opts.targets === undefined || matches(opts.targets, urn);
  return runOperation(
    core,
    preview ? "preview" : "up",
    async (ctx) => {
      const limit = opts.parallel ?? parallelism(core);
      const sem = new Semaphore(limit);
      ctx.errorHooks = run.errorHooks = new Map();
      if (opts.refresh) {
        const tRefresh = performance.now();
        await refreshResources(
          core,
          ctx,
          state.resources.filter((r) => !r.delete),
          limit,
        );
        ctx.timings.refresh = performance.now() - tRefresh;
        // The refresh read through each plugin provider as stored; the update configures each anew.
        retirePluginHosts(ctx);
      }
      const olds = new Map(state.resources.filter((r) => !r.delete).map((r) => [r.urn, r]));
      const seen = new Set<string>();
      const book = new AliasBook();
      const pendingDeletes: ResourceState[] = state.resources.filter((r) => r.delete);
      const stepPromises: Array<Promise<void>> = [];
      let rawOutputs: WireObject = {};
      let stackUrn: string | undefined;
      /** The default provider of each package, by package: its reference. */
      const defaultProviders = new Map<string, string>();

      const tProgram = performance.now();
      const result = ctx.cancelled
        ? { errors: [] as string[] }
        : await runProgram(run, program, preview, (m, reply) => {
            if (m.kind === "done" || m.kind === "errorHook") {
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
              failStep(ctx, { urn, message });
              core.artifacts.record(`error:${urn}`, message);
              reply({ kind: "registered", reqId: m.reqId, urn, error: message });
            };
            if (m.type === ROOT_STACK_TYPE) {
              stackUrn = urn;
            }
            if (seen.has(urn)) {
              fail(`Duplicate resource URN '${urn}'; try giving it a unique name`);
              return;
            }
            seen.add(urn);
            // default_providers.go: a package's default provider is registered when the first resource needs it.
            const custom = m.kind === "read" || m.custom;
            const usesDefault = custom && !isProviderType(m.type) && !m.options.provider;
            const pkg = packageOfType(m.type);
            const providerKey = `${pkg}@${m.options.version ?? ""}`;
            if (usesDefault && !defaultProviders.has(providerKey)) {
              const pUrn = defaultProviderUrn(state, pkg, m.options.version);
              const keep = !targeted(pUrn) && olds.has(pUrn);
              const p = registerDefaultProvider(state, core.config(), preview, ctx.steps, keep, pkg, m.options.version);
              defaultProviders.set(providerKey, p.ref);
              seen.add(p.urn);
              usePluginProvider(ctx, pkg, p, !keep);
              // Start the host alongside the program, as the CLI loads plugins while the program runs.
              operationHost(core, ctx, p.ref).catch(() => undefined);
            }
            const providerRef = usesDefault ? defaultProviders.get(providerKey) : m.options.provider;
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
                const res = await sem.run(async () => {
                  // step_executor.go: once a step failed, no new step starts.
                  if (ctx.cancelled) {
                    throw new StepCancelledError(urn);
                  }
                  try {
                    if (m.kind === "read") {
                      return await applyRead(core, ctx, {
                        urn,
                        type: m.type,
                        id: m.id,
                        props: m.inputs,
                        o: m.options,
                        providerRef,
                      });
                    }
                    if (m.type !== ROOT_STACK_TYPE && !targeted(urn)) {
                      return untargeted(ctx, urn, found.old);
                    }
                    return await planRegister(core, ctx, {
                      urn,
                      m,
                      ...found,
                      preview,
                      pendingDeletes,
                      providerRef,
                      forceReplace: matches(opts.replace, urn),
                    });
                  } catch (e) {
                    // Cancelled before this slot is released, so the step waiting for it does not start.
                    ctx.cancelled = true;
                    throw e;
                  }
                });
                reply({ kind: "registered", reqId: m.reqId, urn, id: res.id, state: res.outputs });
              } catch (e) {
                if (e instanceof StepCancelledError) {
                  ctx.skipped.push(urn);
                  reply({ kind: "registered", reqId: m.reqId, urn, error: e.message });
                } else {
                  fail(errorMessage(e));
                }
              }
            })();
            stepPromises.push(p);
          });
      await Promise.all(stepPromises);
      ctx.timings.program = performance.now() - tProgram;
      const programErrors = result.errors;
      const ok0 = ctx.failed.length === 0 && programErrors.length === 0;

      // Deletions: replaced resources (create-before-delete), then resources the program no longer registers.
      // deployment_executor.go: they run only after every other step succeeded; else all stay in the state.
      const tDeletes = performance.now();
      const unregistered = state.resources.filter(
        (r) => !r.delete && !seen.has(r.urn) && !book.aliased.has(r.urn) && targeted(r.urn),
      );
      // step_generator.go `GenerateDeletes`: an old half left pending by an earlier update (`Delete: true` in
      // the snapshot, e.g. its deletes were skipped after a failure) is deleted now too.
      const thisRun = new Set(pendingDeletes);
      const leftPending = state.resources.filter((r) => r.delete && !thisRun.has(r) && targeted(r.urn));
      const toDelete: ResourceState[] = [
        ...pendingDeletes.filter((r) => targeted(r.urn) || seen.has(r.urn)),
        ...leftPending,
        ...unregistered,
      ];
      let skippedDeletes: string[] = [];
      if (!ok0) {
        skippedDeletes = toDelete.map((r) => r.urn);
      } else if (toDelete.length > 0) {
        await runDeletes(core, ctx, toDelete, preview, (r) => (r.delete ? "delete-replaced" : "delete"), limit);
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
        deletesSkipped: skippedDeletes.length > 0,
        skippedDeletes,
        skipped: ctx.skipped,
        hookRetries: ctx.hookRetries,
        warnings: ctx.warnings,
        steps: ctx.steps,
        ok: ctx.failed.length === 0 && programErrors.length === 0,
        timings: ctx.timings,
      };
    },
    restore,
  );
}

/**
 * A registration `--target` leaves out (step_generator.go): with old state, a same step that keeps
 * that state as it is (no Check, no Diff); without, a skipped create, not recorded in the state.
 */
function untargeted(
  ctx: RunContext,
  urn: string,
  old: ResourceState | undefined,
): { id?: string; outputs: WireObject } {
  if (old) {
    ctx.steps.push({ op: "same", urn, id: old.id });
    return { id: old.id, outputs: old.outputs };
  }
  ctx.steps.push({ op: "skipped-create", urn });
  return { id: "", outputs: {} };
}
