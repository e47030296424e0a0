/**
 * The default provider of dynamic resources as the engine keeps it: a resource
 * `pulumi:providers:pulumi-nodejs` named `default` in the checkpoint, whose
 * inputs (and outputs) are every stack configuration key, and which every
 * dynamic resource references in its `provider` field as `<urn>::<id>`.
 *
 * Reproduces pulumi/pulumi:
 * - pkg/resource/deploy/default_providers.go `newRegisterDefaultProviderEvent`:
 *   the default provider is registered (name `default`, no parent) when the
 *   first resource needs it, with `GetPackageConfig` as its inputs;
 * - pkg/resource/deploy/target.go `GetPackageConfig`: for a dynamic provider
 *   every key is passed, namespace kept (`wallaroo:url`), secret-ness from the
 *   stack configuration (`--secret`), so the checkpoint encrypts those values
 *   and stores the others in plain text;
 * - pkg/resource/deploy/providers/registry.go `Create` (a new UUID id, outputs
 *   = the filtered inputs), `Diff` (the dynamic host leaves DiffConfig
 *   unimplemented, provider_plugin.go answers DiffUnknown, and the registry
 *   compares old outputs with new inputs: a change of configuration is an
 *   update of the provider, never a replacement), `Update` and `Same`
 *   (Configure with the resource's inputs);
 * - refresh and destroy without `--run-program` load the provider from the
 *   old snapshot (`Registry.Same` with the stored inputs), so they configure it
 *   with the configuration of the last `up` (`configFromProviderState`).
 */
import * as crypto from "crypto";
import type { ResourceState } from "./checkpoint";
import type { StackState } from "./state";
import type { StepRecord } from "./summaries";
import { changedKeys, isSecret, secret, unwrapSecrets, type WireObject } from "./wire";

export const DEFAULT_PROVIDER_TYPE = "pulumi:providers:pulumi-nodejs";
export const DEFAULT_PROVIDER_NAME = "default";

/** The stack configuration as `pulumi config` holds it: values, and which keys were set with `--secret`. */
export interface StackConfig {
  values: Record<string, string>;
  secretKeys: string[];
}

/** The provider resource's inputs for a configuration (target.go `GetPackageConfig`, dynamic package). */
export function providerInputs(config: StackConfig): WireObject {
  const inputs: WireObject = {};
  for (const k of Object.keys(config.values).sort()) {
    inputs[k] = config.secretKeys.includes(k) ? secret(config.values[k]) : config.values[k];
  }
  return inputs;
}

/** The configuration stored in a provider resource (what `Registry.Same` configures the plugin with). */
export function configFromProviderState(r: ResourceState): StackConfig {
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(r.inputs)) {
    values[k] = String(unwrapSecrets(v));
    if (isSecret(v)) {
      secretKeys.push(k);
    }
  }
  return { values, secretKeys };
}

export function defaultProviderUrn(state: StackState): string {
  return state.makeUrn(DEFAULT_PROVIDER_TYPE, DEFAULT_PROVIDER_NAME);
}

/** A provider reference as the engine writes it into a resource's `provider` field. */
export function providerRef(urn: string, id: string): string {
  return `${urn}::${id}`;
}

/** The URN part of a provider reference. */
export function providerRefUrn(ref: string): string {
  return ref.slice(0, ref.lastIndexOf("::"));
}

/** The default provider's entry in the state, if any (not a pending deletion). */
export function storedDefaultProvider(state: StackState): ResourceState | undefined {
  return state.live(defaultProviderUrn(state));
}

/** The configuration a refresh or destroy without `--run-program` uses: the stored one, else (no provider yet) `current`. */
export function storedOrCurrentConfig(state: StackState, current: StackConfig): StackConfig {
  const stored = storedDefaultProvider(state);
  return stored ? configFromProviderState(stored) : current;
}

/**
 * Registers the default provider in an update, once: a create (new UUID), an
 * update when the configuration changed (same id), or a same. Synchronous, so
 * that the provider enters the state before the resource that needs it.
 * Returns the reference dynamic resources record as their `provider`.
 */
export function registerDefaultProvider(
  state: StackState,
  config: StackConfig,
  preview: boolean,
  steps: StepRecord[],
  /** `--target` leaves the provider out: its old state is kept as it is. */
  keepOld = false,
): string {
  const urn = defaultProviderUrn(state);
  const old = state.live(urn);
  if (old && keepOld) {
    steps.push({ op: "same", urn, id: old.id });
    return providerRef(urn, old.id!);
  }
  const inputs = providerInputs(config);
  const now = new Date().toISOString();
  if (!old) {
    const id = preview ? "" : crypto.randomUUID();
    if (!preview) {
      state.upsert({
        urn,
        type: DEFAULT_PROVIDER_TYPE,
        custom: true,
        id,
        inputs,
        outputs: inputs,
        created: now,
        modified: now,
      });
    }
    steps.push({ op: "create", urn, id });
    return providerRef(urn, id || "04da6b54-80e4-46f7-96ec-b56ff0331ba9");
  }
  // registry.go `Diff`: DiffConfig unimplemented → compare the old outputs with the new inputs.
  // Secret-ness counts too: `config set --secret` on an unchanged value re-encrypts it in the state.
  const changed = changedKeys(old.outputs, inputs).concat(
    Object.keys(inputs).filter((k) => k in old.outputs && isSecret(inputs[k]) !== isSecret(old.outputs[k])),
  );
  if (!preview) {
    state.upsert({ ...old, inputs, outputs: inputs, modified: changed.length ? now : old.modified });
  }
  steps.push(
    changed.length
      ? { op: "update", urn, id: old.id, changedKeys: [...new Set(changed)] }
      : { op: "same", urn, id: old.id },
  );
  return providerRef(urn, old.id!);
}
