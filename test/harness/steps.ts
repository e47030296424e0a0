/**
 * Applies the step the plan chose for one registration — create, same,
 * update, replace (either order), read — with the provider calls it takes,
 * and writes the result into the state.
 *
 * Reproduces the steps of pulumi/pulumi's pkg/resource/deploy/step.go
 * (CreateStep, SameStep, UpdateStep, ReplaceStep + the create-replacement and
 * delete-replaced halves, ReadStep): a same keeps the old outputs; a replace
 * creates the new resource first and marks the old one `delete` for the end of
 * the update, unless `deleteBeforeReplace` (the option or the provider's
 * diff) asks for the opposite order; a create that fails with
 * ErrorResourceInitFailed still records the resource (see the facts file,
 * /work/shared/PULUMI-RUNTIME-FACTS.md, "The host that runs the provider").
 * Outputs named in `additionalSecretOutputs` are marked secret by the engine.
 * In a delete-before-replace the old resource stays in the state marked
 * `pendingReplacement` once its delete succeeded, until the create replaces it
 * (step.go `DeleteStep.Apply`). A failed Create is retried in the same step and
 * host while an `onError` hook asks for it (./hooks.ts).
 */
import type { ResourceState } from "./checkpoint";
import { operationHost, type EngineCore, type RunContext } from "./operation";
import type { RegisterOptions } from "./protocol";
import { MAX_ERROR_HOOK_RETRIES, runErrorHooks } from "./hooks";
import { ProviderHost, ProviderHostError, type CreateResult } from "./providerHost";
import { errorMessage } from "./summaries";
import { isSecret, secret, WireObject } from "./wire";

/** Everything a step needs about the registration it applies. */
export interface StepInput {
  core: EngineCore;
  ctx: RunContext;
  host: ProviderHost;
  urn: string;
  /** The new state without id and outputs. */
  base: ResourceState;
  /** Checked inputs. */
  news: WireObject;
  o: RegisterOptions;
  old?: ResourceState;
  /** The old URN whose state this resource takes over (an alias matched). */
  aliasedFrom?: string;
  preview: boolean;
}

export type StepResult = { id?: string; outputs: WireObject };

export function markSecretKeys(outputs: WireObject, keys: string[] | undefined): WireObject {
  if (!keys || keys.length === 0) {
    return outputs;
  }
  const out = { ...outputs };
  for (const k of keys) {
    if (k in out && !isSecret(out[k])) {
      out[k] = secret(out[k]);
    }
  }
  return out;
}

/**
 * What a preview's Create or Update answers (provider_plugin.go): nothing when the provider's
 * configuration is unknown, so the program sees every output as unknown; else the inputs, since
 * neither of our providers previews (supportsPreview false).
 */
function previewOutputs(s: StepInput, props: WireObject): WireObject {
  return s.host.configKnown ? markSecretKeys(props, s.o.additionalSecretOutputs) : {};
}

export async function applyCreate(s: StepInput): Promise<StepResult> {
  if (s.preview) {
    s.ctx.steps.push({ op: "create", urn: s.urn });
    return { id: "", outputs: previewOutputs(s, s.news) };
  }
  const r = await createResource(s);
  s.ctx.steps.push({ op: "create", urn: s.urn, id: r.id });
  return { id: r.id, outputs: r.outputs };
}

export function applySame(s: StepInput, old: ResourceState): StepResult {
  const r: ResourceState = {
    ...s.base,
    id: old.id,
    inputs: s.news,
    outputs: markSecretKeys(old.outputs, s.o.additionalSecretOutputs),
  };
  if (!s.preview) {
    s.core.state.upsert(r, s.aliasedFrom);
  }
  s.ctx.steps.push({ op: "same", urn: s.urn, id: old.id, aliasedFrom: s.aliasedFrom });
  return { id: old.id, outputs: r.outputs };
}

export async function applyUpdate(s: StepInput, old: ResourceState, changed: string[]): Promise<StepResult> {
  const record = { op: "update" as const, urn: s.urn, id: old.id, changedKeys: changed, aliasedFrom: s.aliasedFrom };
  if (s.preview) {
    s.ctx.steps.push(record);
    // step.go `UpdateStep.Apply`: the outputs are what Update answered, in a preview the new inputs alone.
    return { id: old.id, outputs: previewOutputs(s, s.news) };
  }
  const upd = await s.host.update(s.urn, old.id!, old.outputs, s.news, old.inputs, {
    ignoreChanges: s.o.ignoreChanges,
  });
  const r: ResourceState = {
    ...s.base,
    id: old.id,
    inputs: s.news,
    outputs: markSecretKeys(upd.properties, s.o.additionalSecretOutputs),
  };
  s.core.state.upsert(r, s.aliasedFrom);
  s.ctx.steps.push(record);
  return { id: old.id, outputs: r.outputs };
}

export async function applyReplace(
  s: StepInput,
  old: ResourceState,
  how: { deleteBeforeReplace: boolean; changed: string[]; replaceKeys: string[]; pendingDeletes: ResourceState[] },
): Promise<StepResult> {
  const { urn, ctx } = s;
  const dbr = how.deleteBeforeReplace;
  if (old.protect || s.o.protect) {
    throw new Error(`unable to replace resource "${urn}" as it is currently marked for protection`);
  }
  ctx.steps.push({
    op: "replace",
    urn,
    id: old.id,
    deleteBeforeReplace: dbr,
    changedKeys: how.changed,
    replaceKeys: how.replaceKeys,
    aliasedFrom: s.aliasedFrom,
  });
  if (s.preview) {
    return { id: "", outputs: previewOutputs(s, s.news) };
  }
  if (dbr) {
    if (!old.retainOnDelete) {
      await s.host.delete(old.urn, old.id!, old.outputs, old.inputs);
    }
    ctx.steps.push({ op: "delete-replaced", urn, id: old.id, deleteBeforeReplace: true });
    // Kept, marked, until the create below replaces it: an interrupted replacement is not deleted again.
    const gone = s.core.state.live(old.urn);
    if (gone && !gone.pendingReplacement) {
      s.core.state.upsert({ ...gone, pendingReplacement: true });
    }
  } else {
    const marked = s.core.state.markPendingDelete(old.urn);
    if (marked) {
      how.pendingDeletes.push(marked);
    }
  }
  const r = await createResource(s);
  ctx.steps.push({ op: "create-replacement", urn, id: r.id, deleteBeforeReplace: dbr });
  return { id: r.id, outputs: r.outputs };
}

/** A ReadResource registration (`Resource.get`): Read with the id and the given properties. */
export async function applyRead(
  core: EngineCore,
  ctx: RunContext,
  read: { urn: string; type: string; id: string; props: WireObject; o: RegisterOptions; providerRef?: string },
): Promise<StepResult> {
  const host = await operationHost(core, ctx, read.providerRef);
  const res = await host.read(read.urn, read.id, read.props, {});
  if (!res.id) {
    throw new Error(`resource '${read.id}' does not exist`);
  }
  const outputs = markSecretKeys(res.properties, read.o.additionalSecretOutputs);
  core.state.upsert({
    urn: read.urn,
    type: read.type,
    custom: true,
    id: res.id,
    parent: read.o.parent,
    provider: read.providerRef,
    inputs: res.inputs ?? read.props,
    outputs,
    external: true,
  });
  ctx.steps.push({ op: "read", urn: read.urn, id: res.id });
  return { id: res.id, outputs };
}

async function createResource(s: StepInput): Promise<ResourceState & { id: string }> {
  const created = await createWithRetries(s).catch((e: unknown) => keepInitFailed(e, s));
  if (!created.id) {
    throw new Error(`provider did not return an ID from Create for ${s.urn}`);
  }
  const r = {
    ...s.base,
    id: created.id,
    inputs: s.news,
    outputs: markSecretKeys(created.properties, s.o.additionalSecretOutputs),
  };
  s.core.state.upsert(r, s.aliasedFrom);
  return r;
}

/**
 * Create, sent again while an `onError` hook asks for it (step.go `CreateStep.Apply` with
 * retries.go `withRetries`): the hooks get every error so far, the newest first; the same inputs
 * are sent each time; after MAX_ERROR_HOOK_RETRIES failures the step fails. Only the last
 * attempt's error (and partial-failure properties) counts.
 */
async function createWithRetries(s: StepInput): Promise<CreateResult> {
  const hooks = s.o.onErrorHooks ?? [];
  const failures: string[] = [];
  for (;;) {
    try {
      return await s.host.create(s.urn, s.news, false);
    } catch (e) {
      failures.unshift(errorMessage(e));
      if (hooks.length === 0) {
        throw e;
      }
      if (failures.length >= MAX_ERROR_HOOK_RETRIES) {
        throw new Error(`${s.urn}: maximum number of error hook retries (${MAX_ERROR_HOOK_RETRIES}) reached`);
      }
      const parts = s.urn.split("::");
      const retry = await runErrorHooks(s.core.opts.projectDir, s.ctx.errorHooks, hooks, {
        urn: s.urn,
        id: "",
        name: parts.slice(3).join("::"),
        type: parts[2].split("$").pop()!,
        newInputs: s.news,
        failedOperation: "create",
        errors: [...failures],
      });
      if (!retry) {
        throw e;
      }
      s.ctx.hookRetries.push({ urn: s.urn, failedOperation: "create", errors: [...failures] });
    }
  }
}

/**
 * A create that failed with ErrorResourceInitFailed: the resource exists, so, as the
 * engine does, it is kept in the state with its id, its properties and the init
 * errors (the next up updates it); the error still fails the step.
 */
function keepInitFailed(e: unknown, s: StepInput): never {
  if (e instanceof ProviderHostError && e.initFailed?.id) {
    const f = e.initFailed;
    s.core.state.upsert(
      {
        ...s.base,
        id: f.id,
        inputs: s.news,
        outputs: markSecretKeys(f.properties, s.o.additionalSecretOutputs),
        initErrors: f.reasons.length > 0 ? f.reasons : [e.message],
      },
      s.aliasedFrom,
    );
  }
  throw e;
}
