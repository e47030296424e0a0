/**
 * `pulumi refresh --run-program` and `pulumi destroy --run-program`: the
 * program runs first, so the providers it registers are configured from the
 * current stack configuration rather than from the snapshot.
 *
 * Reproduces pulumi/pulumi's refresh with `RefreshProgram` (pkg/engine/refresh.go,
 * pkg/cmd/pulumi/operations/refresh.go) and the destroy with `DestroyProgram`
 * (pkg/engine/destroy.go, `newUpdateSource`): the program's registrations are
 * answered from the old state (no Check, Diff, Create or Update), the default
 * provider is registered from the current configuration (its stored inputs are
 * updated, as an `up` would: providerResource.ts), and the operation's host is
 * configured with that configuration (a plugin's default provider with its
 * namespace of it, an explicit plugin provider with the program's inputs for
 * it). A program that fails fails the operation
 * before any Read or Delete.
 */
import { usePluginProvider, type EngineCore, type RunContext } from "./operation";
import { runProgram, type ProgramRun } from "./program";
import { isProviderType, packageOfType, providerPackage } from "./providerPlugins";
import { registerDefaultProvider, versionedInputs } from "./providerResource";

export async function evaluateForRunProgram(
  core: EngineCore,
  ctx: RunContext,
  run: ProgramRun,
  program: string,
): Promise<string[]> {
  const state = core.state;
  const config = core.config();
  ctx.hostConfig = config;
  const registered = new Set<string>();
  const t0 = performance.now();
  const result = await runProgram(run, program, false, (m, reply) => {
    if (m.kind !== "register" && m.kind !== "read") {
      return;
    }
    const urn = state.makeUrn(m.type, m.name, m.options.parent);
    const custom = m.kind === "read" || m.custom;
    const pkg = packageOfType(m.type);
    const key = `${pkg}@${m.options.version ?? ""}`;
    if (!registered.has(key) && custom && !isProviderType(m.type) && !m.options.provider) {
      const p = registerDefaultProvider(state, config, false, ctx.steps, false, pkg, m.options.version);
      usePluginProvider(ctx, pkg, p, false);
      registered.add(key);
    }
    // An explicit provider of a plugin is configured with the program's inputs for it.
    if (isProviderType(m.type)) {
      usePluginProvider(
        ctx,
        providerPackage(m.type),
        { urn, inputs: versionedInputs(m.inputs, m.options.version) },
        false,
      );
    }
    const old = state.live(urn);
    reply({ kind: "registered", reqId: m.reqId, urn, id: old?.id ?? "", state: old?.outputs ?? {} });
  });
  ctx.timings.program = performance.now() - t0;
  return result.errors;
}
