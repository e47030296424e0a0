/**
 * `pulumi import <type> <name> <id>`: brings an existing resource into the state without running
 * the program.
 *
 * Reproduces pulumi/pulumi's import deployment (pkg/resource/deploy/import.go `importer`, and
 * pkg/resource/deploy/step.go `ImportStep.Apply` with `planned`): the root stack is created if the
 * state has none; a provider already in the state is used as stored: the one `--provider name=urn`
 * names, else the package's default provider (`pulumi import` requests no version, so it is the
 * one named `default`), which is registered from the stack configuration only when the state has
 * none; a resource already at that URN with the same id is left as it is (nothing to do), with
 * another id it is an error; the provider is asked to Read the id alone (no properties, no inputs),
 * an empty id means it does not exist and no inputs means the provider cannot import; the inputs
 * the Read answered become the resource's inputs, and Check of those inputs against themselves only
 * warns; the resource is protected unless `--protect=false` (pkg/cmd/pulumi/operations/import.go).
 * Nothing is created, updated or deleted on the provider's side.
 */
import type { ResourceState } from "./checkpoint";
import { operationHost, runOperation, usePluginProvider, type EngineCore } from "./operation";
import { formatCheckFailures } from "./plan";
import { packageOfType } from "./providerPlugins";
import { defaultProviderUrn, providerRef, registerDefaultProvider } from "./providerResource";
import { errorMessage, ROOT_STACK_TYPE, type StepFailure, type StepRecord } from "./summaries";

export interface ImportRequest {
  type: string;
  name: string;
  id: string;
  /** `--provider name=urn`: the URN of a provider resource in the state (default: the package's default provider). */
  provider?: string;
  /** `--protect` (default true, as the CLI's). */
  protect?: boolean;
}

export interface ImportSummary {
  operation: "import";
  imported: string[];
  /** Check failures of the imported inputs: the CLI prints them as warnings, the import proceeds. */
  warnings: string[];
  failed: StepFailure[];
  steps: StepRecord[];
  ok: boolean;
}

export function runImport(
  core: EngineCore,
  req: ImportRequest,
  stackName: string,
  projectName: string,
): Promise<ImportSummary> {
  return runOperation(core, "import", async (ctx) => {
    const state = core.state;
    const warnings: string[] = [];
    const urn = state.makeUrn(req.type, req.name);
    const done = (ok: boolean): ImportSummary => ({
      operation: "import",
      imported: ok ? [urn] : [],
      warnings,
      failed: ctx.failed,
      steps: ctx.steps,
      ok,
    });
    try {
      const existing = state.live(urn);
      if (existing && existing.id === req.id && existing.type === req.type) {
        // import.go: the resource is in the state already with that id; nothing to do.
        ctx.steps.push({ op: "same", urn, id: existing.id });
        return done(true);
      }
      if (existing) {
        throw new Error(`resource '${urn}' already exists`);
      }
      // import.go `getOrCreateStackResource`: imported resources are children of the root stack.
      const stackUrn = state.makeUrn(ROOT_STACK_TYPE, `${projectName}-${stackName}`);
      if (!state.live(stackUrn)) {
        const now = new Date().toISOString();
        state.upsert({
          urn: stackUrn,
          type: ROOT_STACK_TYPE,
          custom: false,
          inputs: {},
          outputs: {},
          created: now,
          modified: now,
        });
        ctx.steps.push({ op: "create", urn: stackUrn });
      }
      let ref: string;
      if (req.provider) {
        const p = state.live(req.provider);
        if (!p?.id) {
          throw new Error(`provider '${req.provider}' is not in the state`);
        }
        ref = providerRef(p.urn, p.id);
      } else {
        const pkg = packageOfType(req.type);
        const stored = state.live(defaultProviderUrn(state, pkg));
        if (stored?.id) {
          // import.go: a default provider already in the state is used as it is (its stored inputs).
          ref = providerRef(stored.urn, stored.id);
        } else {
          const p = registerDefaultProvider(state, core.config(), false, ctx.steps, false, pkg);
          usePluginProvider(ctx, pkg, p, true);
          ref = p.ref;
        }
      }
      const host = await operationHost(core, ctx, ref);
      const read = await host.importRead(urn, req.id);
      if (!read.id) {
        throw new Error(`resource '${req.id}' does not exist`);
      }
      if (!read.inputs) {
        throw new Error(
          `provider does not support importing resources; please try updating the '${packageOfType(req.type)}' plugin`,
        );
      }
      const inputs = read.inputs;
      const check = await host.check(urn, inputs, inputs);
      if (check.failures.length > 0) {
        warnings.push(formatCheckFailures(urn, check.failures));
      }
      const now = new Date().toISOString();
      const r: ResourceState = {
        urn,
        type: req.type,
        custom: true,
        id: read.id,
        parent: stackUrn,
        provider: ref,
        protect: req.protect === false ? undefined : true,
        inputs,
        outputs: read.properties,
        created: now,
        modified: now,
      };
      state.upsert(r);
      ctx.steps.push({ op: "import", urn, id: read.id });
      return done(true);
    } catch (e) {
      ctx.failed.push({ urn, message: errorMessage(e) });
      core.artifacts.record(`error:${urn}`, errorMessage(e));
      return done(false);
    }
  });
}
