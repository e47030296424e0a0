/**
 * A small Pulumi engine: runs a program (in a child process, with the consumer
 * copy of @pulumi/pulumi's mocks wired to this engine), plans and applies the
 * steps against @pulumi/pulumi's real dynamic-provider host, and keeps a
 * checkpoint between runs, so up → edit → up → refresh → destroy can be played.
 *
 * This class is the front door only; each engine step lives in its own module:
 *   program.ts   the language host: run the program, receive registrations
 *   aliases.ts   which old state a registration takes over (its URN or an alias)
 *   plan.ts      check + diff → create / same / update / replace
 *   steps.ts     apply that step (provider calls, state written)
 *   deletes.ts   deletes at the end of an update, in dependency order
 *   up.ts        up / preview, refresh.ts, destroy.ts: the operations
 *   state.ts     the stack's state and when it is written (checkpoint.ts: the file)
 *   operation.ts one provider host per operation, parallelism, timings
 *   artifacts.ts every text produced, for secret scanning
 *   providerResource.ts the default provider, a resource with the stack configuration as inputs
 *   hooks.ts     `onError` resource hooks, called back in the program
 *   runProgramOption.ts `refresh --run-program` / `destroy --run-program`
 *   importCommand.ts `pulumi import`
 *   providerPlugins.ts which process serves a package (a resource plugin, or the dynamic host)
 *
 * It knows nothing about any particular resource type.
 */
import * as fs from "fs";
import * as path from "path";
import { ArtifactLog, findLiterals } from "./artifacts";
import type { Checkpoint, ResourceState } from "./checkpoint";
import { makeTempDir } from "./consumer";
import { runDestroy } from "./destroy";
import { checkpointed, type EngineCore, type ProviderUse } from "./operation";
import { runImport, type ImportSummary } from "./importCommand";
import { formatCheckFailures } from "./plan";
import { compileProgram, type ProgramRun } from "./program";
import { ProviderCommand, ProviderHost, ProviderMethod, ReadResult } from "./providerHost";
import { DYNAMIC_PACKAGE, packageOfType, pluginCommand } from "./providerPlugins";
import { defaultProviderUrn, packageConfig, type StackConfig } from "./providerResource";
import { runRefresh } from "./refresh";
import { StackState } from "./state";
import type {
  Artifact,
  DestroySummary,
  EngineMetrics,
  EngineOptions,
  RefreshSummary,
  UpOptions,
  UpSummary,
} from "./summaries";
import { runUp } from "./up";
import { containsSecrets, unwrapSecrets, WireObject, WireValue } from "./wire";

export type { ImportRequest, ImportSummary } from "./importCommand";
export {
  assertOk,
  ROOT_STACK_TYPE,
  type Artifact,
  type DestroySummary,
  type EngineMetrics,
  type HookRetry,
  type EngineOptions,
  type PhaseTimings,
  type RefreshSummary,
  type StepFailure,
  type StepOp,
  type StepRecord,
  type UpOptions,
  type UpSummary,
} from "./summaries";

export class Engine {
  readonly projectDir: string;
  readonly stackName: string;
  readonly projectName: string;
  readonly stateFile: string;
  readonly config: Record<string, string>;
  readonly secretConfigKeys: string[];
  readonly metrics: EngineMetrics = {
    grpcCalls: {},
    grpcMs: {},
    hostPids: [],
    hostPeakRssKb: [],
    hostCpuMs: [],
    operations: [],
  };
  private readonly stack: StackState;
  private readonly artifactLog = new ArtifactLog();
  private readonly hosts: ProviderHost[] = [];
  private readonly core: EngineCore;
  private runCounter = 0;

  constructor(private readonly opts: EngineOptions) {
    this.projectDir = path.resolve(opts.projectDir);
    this.stackName = opts.stackName ?? "dev";
    this.projectName = opts.projectName ?? readProjectName(this.projectDir);
    this.config = { ...(opts.config ?? {}) };
    this.secretConfigKeys = [...(opts.secretConfigKeys ?? [])];
    this.stateFile = opts.stateFile ?? path.join(makeTempDir("state"), `${this.stackName}.json`);
    const passphrase = opts.secretsPassphrase ?? "harness-passphrase";
    this.stack = new StackState(this.stackName, this.projectName, this.stateFile, passphrase);
    this.core = {
      opts,
      state: this.stack,
      artifacts: this.artifactLog,
      metrics: this.metrics,
      startHost: (config?: StackConfig) => this.startHost(config),
      startPlugin: (use: ProviderUse) => this.startPlugin(use),
      config: () => ({ values: { ...this.config }, secretKeys: [...this.secretConfigKeys] }),
    };
  }

  // ---------------------------------------------------------------- state

  /** The checkpoint as written to the state file (secrets encrypted). */
  get state(): Checkpoint {
    return this.stack.checkpoint();
  }

  /** The text of the state file ("" if none was written yet). */
  stateText(): string {
    return this.stack.text();
  }

  /** Resources in state (wire form: secrets wrapped, not encrypted). Copies. */
  listResources(): ResourceState[] {
    return this.stack.resources.map((r) => structuredClone(r));
  }

  /** URNs in state, optionally of one type, excluding the stack, pending deletions and (without a type) the default provider. */
  urns(type?: string): string[] {
    return this.stack.urns(type);
  }

  getResource(urnOrName: string): ResourceState | undefined {
    const r = this.stack.resources.find((x) => !x.delete && (x.urn === urnOrName || x.urn.endsWith(`::${urnOrName}`)));
    return r && structuredClone(r);
  }

  /** A property of a resource in state with its secret-ness. */
  getProperty(
    urnOrName: string,
    where: "inputs" | "outputs",
    key: string,
  ): { value: unknown; secret: boolean; present: boolean } {
    const r = this.getResource(urnOrName);
    if (!r) {
      throw new Error(`no resource ${urnOrName} in state`);
    }
    const v = r[where][key];
    return { value: unwrapSecrets(v), secret: v !== undefined && containsSecrets(v), present: v !== undefined };
  }

  isSecretInState(urnOrName: string, where: "inputs" | "outputs", key: string): boolean {
    return this.getProperty(urnOrName, where, key).secret;
  }

  makeUrn(type: string, name: string, parent?: string): string {
    return this.stack.makeUrn(type, name, parent);
  }

  // ---------------------------------------------------------------- artifacts

  /** Every text produced so far: state file, hosts' and programs' output, error messages, `__provider` strings. */
  artifacts(): Artifact[] {
    return this.artifactLog.collect(this.stateText(), this.hosts, this.stack.providerStrings);
  }

  /** Sources of the artifacts that contain any of the given literals. */
  findInArtifacts(literals: string[]): Array<{ literal: string; source: string }> {
    return findLiterals(this.artifacts(), literals);
  }

  // ---------------------------------------------------------------- configuration

  /**
   * `pulumi config set [--secret] <key> <value>`: changes the stack configuration. The program and
   * `up` see it at once; `refresh` and `destroy` without `runProgram` keep using what the last `up`
   * stored in the default provider resource.
   */
  setConfig(key: string, value: string, opts: { secret?: boolean } = {}): void {
    this.config[key] = value;
    const i = this.secretConfigKeys.indexOf(key);
    if (opts.secret && i < 0) {
      this.secretConfigKeys.push(key);
    } else if (!opts.secret && i >= 0) {
      this.secretConfigKeys.splice(i, 1);
    }
  }

  /** `pulumi config rm <key>`. */
  removeConfig(key: string): void {
    delete this.config[key];
    const i = this.secretConfigKeys.indexOf(key);
    if (i >= 0) {
      this.secretConfigKeys.splice(i, 1);
    }
  }

  // ---------------------------------------------------------------- hosts

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, ...(this.opts.env ?? {}) };
  }

  /**
   * Starts a provider host and sends `Configure` with `config` (default: the current stack
   * configuration). The caller stops it.
   */
  async startHost(config?: StackConfig): Promise<ProviderHost> {
    const c = config ?? { values: this.config, secretKeys: this.secretConfigKeys };
    const host = await this.spawnHost();
    await host.configure(c.values, {
      secretKeys: c.secretKeys,
      acceptSecrets: true,
      acceptResources: true,
    });
    return host;
  }

  /** Starts a provider process (default: the dynamic-provider host), counted in the metrics. */
  private async spawnHost(command?: ProviderCommand): Promise<ProviderHost> {
    const host = await ProviderHost.start({
      cwd: this.projectDir,
      env: this.env(),
      nodeArgs: this.opts.hostNodeArgs,
      command,
      onCall: (m: ProviderMethod, ms: number) => {
        this.metrics.grpcCalls[m] = (this.metrics.grpcCalls[m] ?? 0) + 1;
        this.metrics.grpcMs[m] = (this.metrics.grpcMs[m] ?? 0) + ms;
      },
    });
    this.hosts.push(host);
    this.metrics.hostPids.push(host.pid);
    this.opts.onHostStarted?.(host);
    return host;
  }

  /**
   * Starts the resource plugin of `use.pkg` as the language host does, and configures it with the
   * provider resource's inputs; one registered in this operation is first checked (CheckConfig:
   * failures fail the provider and every resource that needs it) and, if it had a state, diffed
   * (DiffConfig), as providers/registry.go `Check` and `Diff` do before `Create`/`Update` configure it.
   */
  async startPlugin(use: ProviderUse): Promise<ProviderHost> {
    const host = await this.spawnHost(pluginCommand(use.pkg, this.projectDir, this.opts.plugins));
    try {
      let inputs = use.inputs;
      if (use.registered) {
        const checked = await host.checkConfig(use.urn, use.old?.inputs ?? {}, inputs);
        if (checked.failures.length > 0) {
          throw new Error(`provider ${formatCheckFailures(use.urn, checked.failures)}`);
        }
        inputs = checked.inputs;
        // registry.go `Check`: the provider resource's state holds the checked inputs (the plugin marks secrets).
        const stored = this.stack.live(use.urn);
        if (stored) {
          this.stack.upsert({ ...stored, inputs, outputs: inputs });
        }
        if (use.old) {
          const diff = await host.diffConfig(use.urn, use.old.inputs, use.old.outputs, inputs);
          // No change: a same step, configured with the old inputs (operation.ts `settleProviderStep`).
          if (diff.changes === "none") {
            use.same = true;
            inputs = use.old.inputs;
          }
          if (diff.replaces.length > 0) {
            // Replacing a provider replaces every resource it serves; no plugin here asks for it.
            throw new Error(
              `${use.urn}: DiffConfig asks to replace the provider (${diff.replaces.join(", ")}): not modelled`,
            );
          }
        }
      }
      await host.configureProvider(use.pkg, inputs, use.urn, this.stack.live(use.urn)?.id);
    } catch (e) {
      await host.stop();
      throw e;
    }
    return host;
  }

  /**
   * Runs `fn` with a started, configured host, and stops the host afterwards: the dynamic-provider
   * host, or for another package its plugin configured as its default provider would be.
   */
  async withHost<T>(fn: (host: ProviderHost) => Promise<T>, pkg = DYNAMIC_PACKAGE): Promise<T> {
    const host =
      pkg === DYNAMIC_PACKAGE
        ? await this.startHost()
        : await this.startPlugin({
            urn: defaultProviderUrn(this.stack, pkg),
            pkg,
            inputs: packageConfig(pkg, this.core.config()),
          });
    try {
      return await fn(host);
    } finally {
      await host.stop();
    }
  }

  /**
   * `Read` the way the engine does an import (`import` option, `pulumi
   * import`): an id and no state at all. With the dynamic-provider host
   * this fails, the host finding no `__provider`; a plugin's type goes to
   * that plugin, configured as the package's default provider.
   */
  importRead(type: string, name: string, id: string): Promise<ReadResult> {
    return this.withHost((h) => h.importRead(this.makeUrn(type, name), id), packageOfType(type));
  }

  // ---------------------------------------------------------------- operations

  /**
   * `pulumi import <type> <name> <id>` (`provider`: `--provider name=<urn>`; `protect`: `--protect`,
   * default true): a Read of the id alone, its answer stored as the resource's state, without running
   * the program (./importCommand.ts).
   */
  importResource(
    type: string,
    name: string,
    id: string,
    opts: { provider?: string; protect?: boolean } = {},
  ): Promise<ImportSummary> {
    return checkpointed(this.core, () =>
      runImport(this.core, { type, name, id, ...opts }, this.stackName, this.projectName),
    );
  }

  /** Compiles a .ts program to a sibling .js (transpile only) and returns the .js path. */
  compileProgram(program: string): string {
    return compileProgram(this.projectDir, program);
  }

  preview(program: string): Promise<UpSummary> {
    return this.up(program, { preview: true });
  }

  /**
   * `pulumi up` (or `preview`). `targets`: `--target` (URNs or names); `replace`: `--replace`;
   * `refresh`: `--refresh`; `parallel`: `--parallel` (default: the engine's option, else 4 × CPUs).
   */
  up(program: string, opts: UpOptions = {}): Promise<UpSummary> {
    return checkpointed(this.core, () => runUp(this.core, this.programRun(), program, opts));
  }

  /**
   * `pulumi refresh`: configured with the configuration the last `up` stored, or, with
   * `runProgram` (`--run-program`), the program is run and the current configuration used.
   */
  refresh(opts: { runProgram?: string } = {}): Promise<RefreshSummary> {
    return checkpointed(this.core, () => runRefresh(this.core, this.programFor(opts.runProgram)));
  }

  /** `pulumi destroy`, configured like `refresh` (stored configuration unless `runProgram`). */
  destroy(opts: { runProgram?: string } = {}): Promise<DestroySummary> {
    return checkpointed(this.core, () => runDestroy(this.core, this.programFor(opts.runProgram)));
  }

  private programFor(program: string | undefined): { run: ProgramRun; program: string } | undefined {
    return program === undefined ? undefined : { run: this.programRun(), program };
  }

  /** Stops any host still running (normally none: each operation stops its own). */
  async close(): Promise<void> {
    await Promise.all(this.hosts.filter((h) => h.isRunning).map((h) => h.stop()));
  }

  private programRun(): ProgramRun {
    return {
      projectDir: this.projectDir,
      projectName: this.projectName,
      stackName: this.stackName,
      config: this.config,
      secretConfigKeys: this.secretConfigKeys,
      env: this.env(),
      timeoutMs: this.opts.programTimeoutMs,
      artifacts: this.artifactLog,
      run: ++this.runCounter,
    };
  }
}

function readProjectName(dir: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    if (typeof pkg.name === "string" && pkg.name) {
      return pkg.name.replace(/^@/, "").replace(/\//g, "-");
    }
  } catch {
    // fall through
  }
  return "project";
}

export type { ResourceState, WireObject, WireValue };
