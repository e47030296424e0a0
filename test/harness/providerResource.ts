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
 *
 * A resource plugin's package (`wallaroo:index:User` → `wallaroo`) gets its own
 * default provider, `pulumi:providers:wallaroo::default`, whose inputs are the
 * keys of its namespace only, the namespace removed (`url`, `password`), as
 * `GetPackageConfig` gives them for any other package; explicit providers
 * (`new pulumi.ProviderResource("wallaroo", name, args)`) are registered the
 * same way with the program's inputs (./plan.ts). The plugin process is then
 * checked, diffed and configured by ./operation.ts.
 */
import * as crypto from "crypto";
import type { ResourceState } from "./checkpoint";
import type { StackState } from "./state";
import { DYNAMIC_PACKAGE } from "./providerPlugins";
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

/** target.go `GetPackageConfig` for a resource plugin's package: the keys of its namespace, namespace removed, secrets kept. */
export function packageConfig(pkg: string, config: StackConfig): WireObject {
  const inputs: WireObject = {};
  for (const k of Object.keys(config.values).sort()) {
    if (k.startsWith(`${pkg}:`)) {
      inputs[k.slice(pkg.length + 1)] = config.secretKeys.includes(k) ? secret(config.values[k]) : config.values[k];
    }
  }
  return inputs;
}

/**
 * pkg/resource/deploy/providers/provider.go `DefaultName`: `default`, or for a version
 * `default_<major>_<minor>_<patch>` followed by `_<part>` for each pre-release and build part.
 */
export function defaultProviderName(version?: string): string {
  const m = version ? /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(version) : null;
  if (!m) {
    return DEFAULT_PROVIDER_NAME;
  }
  const parts = [m[1], m[2], m[3], ...(m[4]?.split(".") ?? []), ...(m[5]?.split(".") ?? [])];
  return [DEFAULT_PROVIDER_NAME, ...parts].join("_");
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

/** The default provider of a package (default: the dynamic one), for a version if the registration names one. */
export function defaultProviderUrn(state: StackState, pkg = DYNAMIC_PACKAGE, version?: string): string {
  return state.makeUrn(`pulumi:providers:${pkg}`, defaultProviderName(version));
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

/** A provider resource registered in an update: its reference, URN, inputs and the state it had. */
export interface RegisteredProvider {
  ref: string;
  urn: string;
  inputs: WireObject;
  old?: ResourceState;
}

/**
 * Registers the default provider of a package (default: the dynamic one) in an update, once: its
 * inputs from the stack configuration (the dynamic package's: every key; another's: its namespace).
 */
export function registerDefaultProvider(
  state: StackState,
  config: StackConfig,
  preview: boolean,
  steps: StepRecord[],
  /** `--target` leaves the provider out: its old state is kept as it is. */
  keepOld = false,
  pkg = DYNAMIC_PACKAGE,
  version?: string,
): RegisteredProvider {
  const urn = defaultProviderUrn(state, pkg, version);
  const inputs = pkg === DYNAMIC_PACKAGE ? providerInputs(config) : packageConfig(pkg, config);
  // default_providers.go `newRegisterDefaultProviderEvent`: a requested version is one of the inputs.
  const withVersion = pkg === DYNAMIC_PACKAGE ? inputs : versionedInputs(inputs, version);
  return registerProvider(
    state,
    { urn, type: `pulumi:providers:${pkg}`, inputs: withVersion },
    preview,
    steps,
    keepOld,
  );
}

/**
 * A plugin provider's inputs with the version its registration asked for (default_providers.go for
 * a default provider, source_eval.go for an explicit one: `SetProviderVersion`).
 */
export function versionedInputs(inputs: WireObject, version: string | undefined): WireObject {
  return version ? { ...inputs, version } : inputs;
}

/**
 * Registers a provider resource: a create (new UUID), an update when its inputs changed (same
 * id), or a same. Synchronous, so that the provider enters the state before the resources that
 * need it. Returns the reference resources record as their `provider`.
 */
export function registerProvider(
  state: StackState,
  p: { urn: string; type: string; inputs: WireObject; parent?: string },
  preview: boolean,
  steps: StepRecord[],
  keepOld = false,
): RegisteredProvider {
  const { urn, inputs } = p;
  const old = state.live(urn);
  if (old && keepOld) {
    steps.push({ op: "same", urn, id: old.id });
    return { ref: providerRef(urn, old.id!), urn, inputs: old.inputs, old };
  }
  const now = new Date().toISOString();
  if (!old) {
    const id = preview ? "" : crypto.randomUUID();
    if (!preview) {
      state.upsert({
        urn,
        type: p.type,
        custom: true,
        id,
        parent: p.parent,
        inputs,
        outputs: inputs,
        created: now,
        modified: now,
      });
    }
    steps.push({ op: "create", urn, id });
    // A preview's new provider has the unknown id (resource/properties.go UnknownStringValue).
    return { ref: providerRef(urn, id || UNKNOWN_ID), urn, inputs };
  }
  // registry.go `Diff`: compare the old outputs with the new inputs (the dynamic host leaves DiffConfig
  // unimplemented; a plugin's DiffConfig is asked by ./operation.ts before it is configured).
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
  return { ref: providerRef(urn, old.id!), urn, inputs, old };
}

/** sdk/go/common/resource/properties.go `UnknownStringValue`: the id of a provider a preview would create. */
const UNKNOWN_ID = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
