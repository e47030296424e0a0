/**
 * Decides what one resource registration becomes: check the new inputs, diff
 * them against the old state, and choose create, same, update or replace;
 * ./steps.ts then applies that choice.
 *
 * Reproduces pulumi/pulumi's step generator (pkg/resource/deploy/step_generator.go:
 * `generateResourceSteps`, `continueStepsFromDiff`, `diff`): components and
 * explicit providers take no provider calls; `import` is a Read with an id and
 * no state (facts file, "The host that runs the provider"); `ignoreChanges`
 * keeps old input values before Check; the provider's Diff decides, or, when it
 * answers "unknown", the engine compares the inputs (`diffResource`);
 * `replaceOnChanges` turns a change of a key the diff reports as changed into a
 * replacement (`applyReplaceOnChanges`: ChangedKeys come from the provider's
 * `diffs`, which the dynamic host never fills, so on DIFF_SOME it has no
 * effect; only on DIFF_UNKNOWN does the engine compute them); an explicit
 * `deleteBeforeReplace` (true or false) overrides the provider's answer
 * (`goal.DeleteBeforeReplace != nil`); `--replace` forces a replacement
 * (`isTargetedReplace`); a resource whose create failed to initialize is
 * updated even without changes; a protected resource is never replaced; an old
 * state already deleted by a delete-before-replace (`pendingReplacement`) is
 * only created again. The old state comes from ./aliases.ts (the resource's
 * URN, or an alias).
 *
 * A resource whose provider reference changed (a new provider, e.g. the same
 * resource moved from the dynamic provider to a plugin's) is replaced only if
 * the new provider's DiffConfig of the old provider's inputs asks for it
 * (`providerChanged`); otherwise the new provider's Diff decides as for any
 * other resource. An explicit provider of a resource plugin is registered
 * like the default one (./providerResource.ts `registerProvider`), and its
 * plugin is started, checked and configured before its registration is
 * answered, so a CheckConfig failure fails it.
 */
import type { ResourceState } from "./checkpoint";
import { operationHost, usePluginProvider, type EngineCore, type RunContext } from "./operation";
import type { ChildToParent } from "./protocol";
import type { CheckFailure } from "./providerHost";
import { DYNAMIC_PACKAGE, isProviderType, packageOfType, providerPackage } from "./providerPlugins";
import { providerRefUrn, registerProvider, versionedInputs } from "./providerResource";
import { PROVIDER_KEY } from "./state";
import { applyCreate, applyReplace, applySame, applyUpdate, StepInput, StepResult } from "./steps";
import { changedKeys } from "./wire";

export interface Registration {
  urn: string;
  m: Extract<ChildToParent, { kind: "register" }>;
  old?: ResourceState;
  aliasedFrom?: string;
  preview: boolean;
  /** Old halves of create-before-delete replacements, deleted at the end of the update. */
  pendingDeletes: ResourceState[];
  /** The `provider` reference recorded on the resource (the default provider's, or the explicit one). */
  providerRef?: string;
  /** `--replace` names this resource. */
  forceReplace?: boolean;
}

export function formatCheckFailures(urn: string, failures: CheckFailure[]): string {
  const name = urn.split("::").pop();
  return failures.map((f) => `${name}: property ${f.property}: ${f.reason}`).join("; ");
}

export async function planRegister(core: EngineCore, ctx: RunContext, reg: Registration): Promise<StepResult> {
  const { urn, m, preview, aliasedFrom } = reg;
  let old = reg.old;
  const o = m.options;
  const now = new Date().toISOString();
  const base: ResourceState = {
    urn,
    type: m.type,
    custom: m.custom,
    parent: o.parent,
    inputs: m.inputs,
    outputs: {},
    dependencies: o.dependencies?.length ? o.dependencies : undefined,
    protect: o.protect || undefined,
    retainOnDelete: o.retainOnDelete || undefined,
    additionalSecretOutputs: o.additionalSecretOutputs?.length ? o.additionalSecretOutputs : undefined,
    deleteBeforeReplace: o.deleteBeforeReplace,
    replaceOnChanges: o.replaceOnChanges?.length ? o.replaceOnChanges : undefined,
    ignoreChanges: o.ignoreChanges?.length ? o.ignoreChanges : undefined,
    provider: m.custom && !m.type.startsWith("pulumi:providers:") ? reg.providerRef : undefined,
    deletedWith: o.deletedWith,
    onErrorHooks: o.onErrorHooks?.length ? o.onErrorHooks : undefined,
    created: old?.created ?? now,
    modified: now,
  };
  core.state.noteProvider(m.inputs[PROVIDER_KEY]);

  // Components (the stack included): recorded, no provider calls; outputs come with registerOutputs.
  if (!m.custom) {
    core.state.upsert({ ...base, outputs: old?.outputs ?? {} }, aliasedFrom);
    ctx.steps.push({ op: old ? "same" : "create", urn, aliasedFrom });
    return { outputs: {} };
  }
  // Explicit providers of a resource plugin: a provider resource with its own plugin process.
  if (isProviderType(m.type) && providerPackage(m.type) !== DYNAMIC_PACKAGE) {
    return registerExplicitProvider(core, ctx, reg);
  }
  // Explicit dynamic providers: recorded with their inputs as outputs.
  if (m.type.startsWith("pulumi:providers:")) {
    const r: ResourceState = { ...base, id: old?.id ?? `${m.name}-provider-id`, outputs: m.inputs };
    core.state.upsert(r, aliasedFrom);
    ctx.steps.push({ op: old ? "same" : "create", urn, id: r.id, aliasedFrom });
    return { id: r.id, outputs: r.outputs };
  }
  const dynamic = packageOfType(m.type) === DYNAMIC_PACKAGE;
  if (dynamic && m.inputs[PROVIDER_KEY] === undefined && old?.inputs[PROVIDER_KEY] === undefined) {
    throw new Error(`${urn}: a dynamic resource without a ${PROVIDER_KEY} input`);
  }

  const host = await operationHost(core, ctx, reg.providerRef);
  let news = { ...m.inputs };

  // Import: a Read with the id and no state, as the engine does it.
  if (o.importId && !old) {
    const read = await host.importRead(urn, o.importId);
    if (!read.id) {
      throw new Error(`resource '${o.importId}' does not exist`);
    }
    old = { ...base, id: read.id, outputs: read.properties, inputs: read.inputs ?? {} };
    ctx.steps.push({ op: "import", urn, id: read.id });
  }

  // ignoreChanges (top-level properties): keep the old input values.
  if (old && o.ignoreChanges?.length) {
    for (const k of o.ignoreChanges) {
      if (k in old.inputs) {
        news[k] = old.inputs[k];
      } else {
        delete news[k];
      }
    }
  }

  const check = await host.check(urn, old ? old.inputs : {}, news);
  if (check.failures.length > 0) {
    const message = formatCheckFailures(urn, check.failures);
    ctx.failed.push({ urn, message, failures: check.failures });
    throw new Error(message);
  }
  news = check.inputs;
  const s: StepInput = { core, ctx, host, urn, base, news, o, old, aliasedFrom, preview };
  if (!old || old.pendingReplacement) {
    // step_generator.go: a resource pending replacement was deleted already; its create completes the replacement.
    return applyCreate(s);
  }

  // step_generator.go `diff`: a change of provider that forces a replacement is decided before, and instead of,
  // the resource's Diff (a replace blaming "provider").
  const diff =
    old.provider && reg.providerRef && (await providerChanged(core, ctx, old.provider, reg.providerRef))
      ? {
          changes: "some" as const,
          replaces: ["provider"],
          stables: [],
          deleteBeforeReplace: false,
          diffs: ["provider"],
        }
      : await host.diff(urn, old.id!, old.outputs, news, old.inputs, o.ignoreChanges ?? []);
  if (diff.unavailable) {
    ctx.warnings.push(`${urn}: ${diff.unavailable}`); // step_generator.go: assumed an update, with a warning
  }
  const engineKeys = changedKeys(old.inputs, news);
  let changed: string[];
  let hasChanges: boolean;
  // What `applyReplaceOnChanges` sees as ChangedKeys: the provider's `diffs`, or on DIFF_UNKNOWN the engine's own.
  let reportedKeys: string[];
  if (diff.changes === "unknown") {
    changed = reportedKeys = engineKeys;
    hasChanges = changed.length > 0;
  } else {
    hasChanges = diff.changes === "some";
    reportedKeys = diff.diffs;
    // For the summary only: the keys that differ, when the provider names none.
    changed = diff.diffs.length > 0 ? diff.diffs : hasChanges ? engineKeys : [];
  }
  // A resource whose create failed to initialize is updated even without changes, as the engine does.
  if (old.initErrors?.length) {
    hasChanges = true;
  }
  const replaceKeys = [...diff.replaces];
  if (hasChanges && o.replaceOnChanges?.length) {
    for (const k of reportedKeys) {
      if ((o.replaceOnChanges.includes(k) || o.replaceOnChanges.includes("*")) && !replaceKeys.includes(k)) {
        replaceKeys.push(k);
      }
    }
  }

  if (reg.forceReplace && replaceKeys.length === 0) {
    replaceKeys.push("(--replace)");
  }
  if (!hasChanges && replaceKeys.length === 0) {
    return applySame(s, old);
  }
  if (replaceKeys.length === 0) {
    return applyUpdate(s, old, changed);
  }
  const deleteBeforeReplace = o.deleteBeforeReplace ?? diff.deleteBeforeReplace;
  return applyReplace(s, old, { deleteBeforeReplace, changed, replaceKeys, pendingDeletes: reg.pendingDeletes });
}

/**
 * step_generator.go `providerChanged`: whether a change of provider reference forces a replacement.
 * The same provider, or a new dynamic one (whose host leaves DiffConfig unimplemented: DiffUnknown),
 * never does; a plugin's DiffConfig of the old provider's inputs with the new one's decides. (The
 * engine also treats a resource without an old reference as changed; every state it writes has one,
 * and the harness's own old fixtures, written before it recorded them, are left as they are.)
 */
async function providerChanged(core: EngineCore, ctx: RunContext, oldRef: string, newRef: string): Promise<boolean> {
  const oldUrn = providerRefUrn(oldRef);
  const newUrn = providerRefUrn(newRef);
  if (oldRef === newRef || oldUrn === newUrn) {
    return false;
  }
  const newUse = ctx.providers.get(newUrn);
  if (!newUse) {
    // Not a plugin provider registered in this operation: the dynamic one, whose DiffConfig is unimplemented.
    return false;
  }
  const oldProvider = core.state.resources.find((r) => r.urn === oldUrn);
  if (!oldProvider) {
    throw new Error(`the old provider ${oldUrn} is not in the state`);
  }
  const host = await operationHost(core, ctx, newRef);
  const diff = await host.diffConfig(newUrn, oldProvider.inputs, oldProvider.outputs, newUse.inputs);
  return diff.replaces.length > 0;
}

/** An explicit provider of a resource plugin: registered, then its plugin started, checked and configured. */
async function registerExplicitProvider(core: EngineCore, ctx: RunContext, reg: Registration): Promise<StepResult> {
  const { urn, m, preview } = reg;
  const inputs = versionedInputs(m.inputs, m.options.version);
  const p = registerProvider(core.state, { urn, type: m.type, inputs, parent: m.options.parent }, preview, ctx.steps);
  usePluginProvider(ctx, providerPackage(m.type), p, true);
  // A provider that fails its check is neither created nor updated (./operation.ts `failProviderStep`).
  await operationHost(core, ctx, p.ref);
  return { id: p.ref.slice(p.ref.lastIndexOf("::") + 2), outputs: inputs };
}
