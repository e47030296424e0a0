/**
 * A small Pulumi engine: runs a program (in a child process, with the consumer
 * copy of @pulumi/pulumi's mocks wired to this engine), plans and applies the
 * steps against @pulumi/pulumi's real dynamic-provider host, and keeps a
 * checkpoint between runs, so up → edit → up → refresh → destroy can be played.
 *
 * It knows nothing about any particular resource type.
 */
import { fork } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { Checkpoint, fromCheckpoint, ResourceState, SecretsCrypter, toCheckpoint } from "./checkpoint";
import { makeTempDir } from "./consumer";
import type { ChildToParent, ParentToChild, RegisterOptions } from "./protocol";
import { CheckFailure, ProviderHost, ProviderHostError, ProviderMethod, ReadResult } from "./providerHost";
import { changedKeys, containsSecrets, isSecret, secret, unwrapSecrets, WireObject, WireValue } from "./wire";

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
const PROVIDER_KEY = "__provider";

export interface EngineOptions {
  /** The consumer project: cwd of the program and of the provider host. */
  projectDir: string;
  stackName?: string;
  projectName?: string;
  /** Stack configuration, keys like `wallaroo:url`. */
  config?: Record<string, string>;
  /** Config keys that are secrets (secret for the program; wrapped as secrets in `Configure`). */
  secretConfigKeys?: string[];
  /** Extra environment for both the program and the provider host (on top of process.env). */
  env?: NodeJS.ProcessEnv;
  /** Maximum concurrent resource operations. Default 16. */
  parallel?: number;
  /** Checkpoint file. Loaded if it exists; written after every step. Default: a temp file. */
  stateFile?: string;
  /** Passphrase of the checkpoint's secrets. */
  secretsPassphrase?: string;
  /** Called with each provider host once it has started (benchmarks sample its RSS). */
  onHostStarted?: (host: ProviderHost) => void;
  /** Extra node arguments for the provider host. */
  hostNodeArgs?: string[];
  /**
   * When the state file is written: after every step (`every-step`, the default and the
   * CLI's default), or once at the end of each operation (`end`, like the CLI with
   * PULUMI_SKIP_CHECKPOINTS=true; a 1,000-resource stack otherwise spends most of its
   * time rewriting the file).
   */
  checkpoints?: "every-step" | "end";
  /** Time limit for one program run. Default 120 s. */
  programTimeoutMs?: number;
}

export interface StepFailure {
  urn: string;
  message: string;
  failures?: CheckFailure[];
}

export type StepOp =
  | "create"
  | "update"
  | "same"
  | "delete"
  | "replace"
  | "create-replacement"
  | "delete-replaced"
  | "read"
  | "import"
  | "refresh"
  | "discard";

export interface StepRecord {
  op: StepOp;
  urn: string;
  id?: string;
  /** For replacements: whether the old resource was deleted before the new one was created. */
  deleteBeforeReplace?: boolean;
  /** Keys the diff reported (or the engine computed) as changed. */
  changedKeys?: string[];
  replaceKeys?: string[];
}

export interface PhaseTimings {
  [phase: string]: number;
}

export interface UpSummary {
  operation: "up" | "preview";
  created: string[];
  updated: string[];
  replaced: string[];
  deleted: string[];
  same: string[];
  failed: StepFailure[];
  /** Errors of the program itself (uncaught exceptions / rejections, including those caused by failed registrations). */
  programErrors: string[];
  /** Stack outputs, plain (secrets unwrapped). */
  outputs: Record<string, unknown>;
  /** Stack outputs in wire form (secrets wrapped). */
  rawOutputs: WireObject;
  /** Names of stack outputs that are secret. */
  secretOutputs: string[];
  /** True when deletions of unregistered resources were skipped because of failures (as the CLI does). */
  deletesSkipped: boolean;
  steps: StepRecord[];
  ok: boolean;
  timings: PhaseTimings;
}

export interface RefreshSummary {
  operation: "refresh";
  refreshed: string[];
  removed: string[];
  failed: StepFailure[];
  steps: StepRecord[];
  ok: boolean;
  timings: PhaseTimings;
}

export interface DestroySummary {
  operation: "destroy";
  deleted: string[];
  failed: StepFailure[];
  steps: StepRecord[];
  ok: boolean;
  timings: PhaseTimings;
}

export interface Artifact {
  source: string;
  text: string;
}

export interface EngineMetrics {
  /** gRPC calls to provider hosts, by method, over the engine's life. */
  grpcCalls: Record<string, number>;
  /** Total ms spent in gRPC calls, by method. */
  grpcMs: Record<string, number>;
  /** Pids of the provider hosts started, in order. */
  hostPids: number[];
  /** Peak RSS (VmHWM, kB) of each host of an operation, read just before it was stopped (Linux). */
  hostPeakRssKb: number[];
  /** Timings of each operation, in order. */
  operations: Array<{ operation: string; timings: PhaseTimings }>;
}

/** Throws an error listing every failure when a summary is not ok. */
export function assertOk<T extends { ok: boolean; failed: StepFailure[]; programErrors?: string[] }>(summary: T): T {
  if (!summary.ok) {
    const lines = [
      ...summary.failed.map((f) => `${f.urn}: ${f.message}`),
      ...(summary.programErrors ?? []).map((e) => `program: ${e}`),
    ];
    throw new Error(`operation failed:\n  ${lines.join("\n  ")}`);
  }
  return summary;
}

class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) {
      await new Promise<void>((r) => this.queue.push(r));
    }
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function formatCheckFailures(urn: string, failures: CheckFailure[]): string {
  const name = urn.split("::").pop();
  return failures.map((f) => `${name}: property ${f.property}: ${f.reason}`).join("; ");
}

function markSecretKeys(outputs: WireObject, keys: string[] | undefined): WireObject {
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

interface RunContext {
  host?: ProviderHost;
  hostPromise?: Promise<ProviderHost>;
  steps: StepRecord[];
  failed: StepFailure[];
  timings: PhaseTimings;
}

export class Engine {
  readonly projectDir: string;
  readonly stackName: string;
  readonly projectName: string;
  readonly stateFile: string;
  readonly config: Record<string, string>;
  readonly secretConfigKeys: string[];
  readonly metrics: EngineMetrics = { grpcCalls: {}, grpcMs: {}, hostPids: [], hostPeakRssKb: [], operations: [] };
  private resources: ResourceState[] = [];
  private crypter: SecretsCrypter;
  private readonly passphrase: string;
  private readonly artifactLog: Artifact[] = [];
  private readonly providerStrings = new Set<string>();
  private readonly hosts: ProviderHost[] = [];
  private runCounter = 0;

  constructor(private readonly opts: EngineOptions) {
    this.projectDir = path.resolve(opts.projectDir);
    this.stackName = opts.stackName ?? "dev";
    this.projectName = opts.projectName ?? readProjectName(this.projectDir);
    this.config = { ...(opts.config ?? {}) };
    this.secretConfigKeys = [...(opts.secretConfigKeys ?? [])];
    this.passphrase = opts.secretsPassphrase ?? "harness-passphrase";
    this.stateFile = opts.stateFile ?? path.join(makeTempDir("state"), `${this.stackName}.json`);
    if (fs.existsSync(this.stateFile)) {
      const loaded = fromCheckpoint(JSON.parse(fs.readFileSync(this.stateFile, "utf8")) as Checkpoint, this.passphrase);
      this.resources = loaded.resources;
      this.crypter = loaded.crypter;
    } else {
      this.crypter = new SecretsCrypter(this.passphrase);
    }
  }

  // ---------------------------------------------------------------- state

  /** The checkpoint as written to the state file (secrets encrypted). */
  get state(): Checkpoint {
    return toCheckpoint(this.stackName, this.resources, this.crypter);
  }

  /** The text of the state file ("" if none was written yet). */
  stateText(): string {
    return fs.existsSync(this.stateFile) ? fs.readFileSync(this.stateFile, "utf8") : "";
  }

  /** Resources in state (wire form: secrets wrapped, not encrypted). Copies. */
  listResources(): ResourceState[] {
    return this.resources.map((r) => structuredClone(r));
  }

  /** URNs in state, optionally of one type, excluding the stack and pending deletions. */
  urns(type?: string): string[] {
    return this.resources
      .filter((r) => r.type !== ROOT_STACK_TYPE && !r.delete && (!type || r.type === type))
      .map((r) => r.urn);
  }

  getResource(urnOrName: string): ResourceState | undefined {
    const r = this.resources.find((x) => !x.delete && (x.urn === urnOrName || x.urn.endsWith(`::${urnOrName}`)));
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
    let t = type;
    if (parent) {
      const parentType = parent.split("::")[2];
      if (parentType && parentType !== ROOT_STACK_TYPE) {
        t = `${parentType}$${type}`;
      }
    }
    return `urn:pulumi:${this.stackName}::${this.projectName}::${t}::${name}`;
  }

  private saveSuspended = false;
  /** An operation is running and checkpoints are written only at its end. */
  private deferSaves = false;

  private save(): void {
    if (this.saveSuspended || this.deferSaves) {
      return;
    }
    const text = JSON.stringify(this.state, null, 4);
    fs.mkdirSync(path.dirname(this.stateFile), { recursive: true });
    fs.writeFileSync(this.stateFile + ".tmp", text);
    fs.renameSync(this.stateFile + ".tmp", this.stateFile);
  }

  private upsert(r: ResourceState): void {
    const i = this.resources.findIndex((x) => x.urn === r.urn && !x.delete);
    if (i >= 0) {
      this.resources[i] = r;
    } else {
      this.resources.push(r);
    }
    for (const s of [r.inputs[PROVIDER_KEY], r.outputs[PROVIDER_KEY]]) {
      if (typeof s === "string") {
        this.providerStrings.add(s);
      }
    }
    this.save();
  }

  private remove(r: ResourceState): void {
    this.resources = this.resources.filter((x) => x !== r);
    this.save();
  }

  // ---------------------------------------------------------------- artifacts

  /** Every text produced so far: state file, hosts' and programs' output, error messages, `__provider` strings. */
  artifacts(): Artifact[] {
    const out: Artifact[] = [{ source: "state-file", text: this.stateText() }];
    out.push(...this.artifactLog);
    this.hosts.forEach((h, i) => {
      out.push({ source: `host#${i + 1}:stdout`, text: h.stdout });
      out.push({ source: `host#${i + 1}:stderr`, text: h.stderr });
    });
    let i = 0;
    for (const s of this.providerStrings) {
      out.push({ source: `__provider#${++i}`, text: s });
    }
    return out;
  }

  /** Sources of the artifacts that contain any of the given literals. */
  findInArtifacts(literals: string[]): Array<{ literal: string; source: string }> {
    const hits: Array<{ literal: string; source: string }> = [];
    for (const a of this.artifacts()) {
      for (const l of literals) {
        if (l && a.text.includes(l)) {
          hits.push({ literal: l, source: a.source });
        }
      }
    }
    return hits;
  }

  // ---------------------------------------------------------------- hosts

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, ...(this.opts.env ?? {}) };
  }

  /** Starts a provider host and sends `Configure` with the stack config. The caller stops it. */
  async startHost(): Promise<ProviderHost> {
    const host = await ProviderHost.start({
      cwd: this.projectDir,
      env: this.env(),
      nodeArgs: this.opts.hostNodeArgs,
      onCall: (m: ProviderMethod, ms: number) => {
        this.metrics.grpcCalls[m] = (this.metrics.grpcCalls[m] ?? 0) + 1;
        this.metrics.grpcMs[m] = (this.metrics.grpcMs[m] ?? 0) + ms;
      },
    });
    this.hosts.push(host);
    this.metrics.hostPids.push(host.pid);
    this.opts.onHostStarted?.(host);
    await host.configure(this.config, {
      secretKeys: this.secretConfigKeys,
      acceptSecrets: true,
      acceptResources: true,
    });
    return host;
  }

  /** Runs `fn` with a started, configured host, and stops the host afterwards. */
  async withHost<T>(fn: (host: ProviderHost) => Promise<T>): Promise<T> {
    const host = await this.startHost();
    try {
      return await fn(host);
    } finally {
      await host.stop();
    }
  }

  /**
   * `Read` the way the engine does an import (`import` option, `pulumi
   * import`): an id and no state at all. With the dynamic-provider host
   * this fails, the host finding no `__provider`.
   */
  importRead(type: string, name: string, id: string): Promise<ReadResult> {
    return this.withHost((h) => h.importRead(this.makeUrn(type, name), id));
  }

  private async ctxHost(ctx: RunContext): Promise<ProviderHost> {
    if (!ctx.hostPromise) {
      const t0 = performance.now();
      ctx.hostPromise = this.startHost().then((h) => {
        ctx.host = h;
        ctx.timings.hostStart = performance.now() - t0;
        return h;
      });
    }
    return ctx.hostPromise;
  }

  private async stopCtx(ctx: RunContext): Promise<void> {
    if (ctx.hostPromise) {
      try {
        const h = await ctx.hostPromise;
        const mem = h.memory();
        if (mem) {
          this.metrics.hostPeakRssKb.push(mem.peakRssKb);
        }
        await h.stop();
      } catch {
        // start failure already reported
      }
    }
  }

  // ---------------------------------------------------------------- program

  /** Compiles a .ts program to a sibling .js (transpile only) and returns the .js path. */
  compileProgram(program: string): string {
    const abs = path.resolve(this.projectDir, program);
    if (!abs.endsWith(".ts")) {
      return abs;
    }
    const out = abs.replace(/\.ts$/, ".js");
    const res = ts.transpileModule(fs.readFileSync(abs, "utf8"), {
      fileName: abs,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        sourceMap: false,
      },
    });
    fs.writeFileSync(out, res.outputText);
    return out;
  }

  private programEnv(preview: boolean, program: string): NodeJS.ProcessEnv {
    const env = this.env();
    env.PULUMI_CONFIG = JSON.stringify(this.config);
    env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(this.secretConfigKeys);
    env.HARNESS_RUNNER = JSON.stringify({ program, project: this.projectName, stack: this.stackName, preview });
    return env;
  }

  private runProgram(
    program: string,
    preview: boolean,
    onMessage: (m: ChildToParent, reply: (r: ParentToChild) => void) => void,
  ): Promise<{ errors: string[]; stdout: string; stderr: string }> {
    const js = this.compileProgram(program);
    const runner = path.join(__dirname, "programRunner.js");
    const run = ++this.runCounter;
    return new Promise((resolve) => {
      const child = fork(runner, [], {
        cwd: this.projectDir,
        env: this.programEnv(preview, js),
        stdio: ["ignore", "pipe", "pipe", "ipc"],
        execArgv: [],
      });
      let stdout = "";
      let stderr = "";
      let errors: string[] | undefined;
      child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        (errors ??= []).push(`program did not finish within ${this.opts.programTimeoutMs ?? 120000} ms`);
        child.kill("SIGKILL");
      }, this.opts.programTimeoutMs ?? 120000);
      child.on("message", (m: ChildToParent) => {
        if (m.kind === "done") {
          errors = [...(errors ?? []), ...m.errors];
          return;
        }
        onMessage(m, (r) => {
          if (child.connected) {
            child.send(r);
          }
        });
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        const errs = errors ?? [`program process exited (code ${code}, signal ${signal}) without finishing`];
        this.artifactLog.push({ source: `program#${run}:stdout`, text: stdout });
        this.artifactLog.push({ source: `program#${run}:stderr`, text: stderr });
        if (errs.length) {
          this.artifactLog.push({ source: `program#${run}:errors`, text: errs.join("\n") });
        }
        resolve({ errors: errs, stdout, stderr });
      });
    });
  }

  // ---------------------------------------------------------------- up / preview

  preview(program: string): Promise<UpSummary> {
    return this.up(program, { preview: true });
  }

  up(program: string, opts: { preview?: boolean } = {}): Promise<UpSummary> {
    return this.checkpointed(() => this.runUp(program, opts));
  }

  /** Runs an operation, writing the checkpoint once at its end when `checkpoints: "end"`. */
  private async checkpointed<T>(op: () => Promise<T>): Promise<T> {
    if (this.opts.checkpoints !== "end") {
      return op();
    }
    this.deferSaves = true;
    try {
      return await op();
    } finally {
      this.deferSaves = false;
      this.save();
    }
  }

  private async runUp(program: string, opts: { preview?: boolean }): Promise<UpSummary> {
    const preview = opts.preview === true;
    const t0 = performance.now();
    const ctx: RunContext = { steps: [], failed: [], timings: {} };
    const sem = new Semaphore(Math.max(1, this.opts.parallel ?? 16));
    const olds = new Map(this.resources.filter((r) => !r.delete).map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const pendingDeletes: ResourceState[] = this.resources.filter((r) => r.delete);
    const stepPromises: Array<Promise<void>> = [];
    let rawOutputs: WireObject = {};
    let stackUrn: string | undefined;
    // Preview must not touch the state: work on a copy, restored at the end.
    const saved = preview ? this.resources.map((r) => structuredClone(r)) : undefined;
    this.saveSuspended = preview;
    try {
      // Start the host alongside the program, as the CLI loads plugins while the program runs.
      this.ctxHost(ctx).catch(() => undefined);
      const tProgram = performance.now();
      const result = await this.runProgram(program, preview, (m, reply) => {
        if (m.kind === "done") {
          return;
        }
        if (m.kind === "outputs") {
          const r = this.resources.find((x) => x.urn === m.urn && !x.delete);
          if (r) {
            r.outputs = m.outputs;
            this.upsert(r);
          }
          if (m.urn === stackUrn) {
            rawOutputs = m.outputs;
          }
          return;
        }
        const p = (async () => {
          const urn = this.makeUrn(m.type, m.name, m.options.parent);
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
          try {
            const res =
              m.kind === "read"
                ? await sem.run(() => this.stepRead(ctx, urn, m.type, m.id, m.inputs, m.options))
                : await sem.run(() => this.stepRegister(ctx, urn, m, olds.get(urn), preview, pendingDeletes));
            reply({ kind: "registered", reqId: m.reqId, urn, id: res.id, state: res.outputs });
          } catch (e) {
            const message = errorMessage(e);
            if (!ctx.failed.some((f) => f.urn === urn)) {
              ctx.failed.push({ urn, message });
            }
            this.artifactLog.push({ source: `error:${urn}`, text: message });
            reply({ kind: "registered", reqId: m.reqId, urn, error: message });
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
      const unregistered = this.resources.filter((r) => !r.delete && !seen.has(r.urn));
      if (ok0) {
        toDelete.push(...unregistered);
      } else if (unregistered.length > 0) {
        deletesSkipped = true;
      }
      if (toDelete.length > 0) {
        await this.runDeletes(ctx, toDelete, preview, (r) => (r.delete ? "delete-replaced" : "delete"));
      }
      ctx.timings.deletes = performance.now() - tDeletes;

      const summary: UpSummary = {
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
      return summary;
    } finally {
      await this.stopCtx(ctx);
      if (preview) {
        this.saveSuspended = false;
        this.resources = saved!;
      } else {
        this.save();
      }
      ctx.timings.total = performance.now() - t0;
      this.metrics.operations.push({ operation: preview ? "preview" : "up", timings: ctx.timings });
    }
  }

  private async stepRegister(
    ctx: RunContext,
    urn: string,
    m: Extract<ChildToParent, { kind: "register" }>,
    old: ResourceState | undefined,
    preview: boolean,
    pendingDeletes: ResourceState[],
  ): Promise<{ id?: string; outputs: WireObject }> {
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
      created: old?.created ?? now,
      modified: now,
    };
    if (typeof m.inputs[PROVIDER_KEY] === "string") {
      this.providerStrings.add(m.inputs[PROVIDER_KEY] as string);
    }

    // Components (the stack included): recorded, no provider calls; outputs come with registerOutputs.
    if (!m.custom) {
      this.upsert({ ...base, outputs: old?.outputs ?? {} });
      ctx.steps.push({ op: old ? "same" : "create", urn });
      return { outputs: {} };
    }
    // Explicit provider resources: recorded with their inputs as outputs.
    if (m.type.startsWith("pulumi:providers:")) {
      const r: ResourceState = { ...base, id: old?.id ?? `${m.name}-provider-id`, outputs: m.inputs };
      this.upsert(r);
      ctx.steps.push({ op: old ? "same" : "create", urn, id: r.id });
      return { id: r.id, outputs: r.outputs };
    }
    if (m.inputs[PROVIDER_KEY] === undefined && old?.inputs[PROVIDER_KEY] === undefined) {
      throw new Error(`${urn}: the harness drives only dynamic resources (no ${PROVIDER_KEY} input)`);
    }

    const host = await this.ctxHost(ctx);
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

    if (!old) {
      if (preview) {
        ctx.steps.push({ op: "create", urn });
        return { id: "", outputs: markSecretKeys(news, o.additionalSecretOutputs) };
      }
      const created = await host.create(urn, news, false).catch((e: unknown) => this.keepInitFailed(e, base, news, o));
      if (!created.id) {
        throw new Error(`provider did not return an ID from Create for ${urn}`);
      }
      const r: ResourceState = {
        ...base,
        id: created.id,
        inputs: news,
        outputs: markSecretKeys(created.properties, o.additionalSecretOutputs),
      };
      this.upsert(r);
      ctx.steps.push({ op: "create", urn, id: created.id });
      return { id: r.id, outputs: r.outputs };
    }

    const diff = await host.diff(urn, old.id!, old.outputs, news, old.inputs, o.ignoreChanges ?? []);
    const engineKeys = changedKeys(old.inputs, news);
    let changed: string[];
    let hasChanges: boolean;
    if (diff.changes === "unknown") {
      changed = engineKeys;
      hasChanges = changed.length > 0;
    } else {
      hasChanges = diff.changes === "some";
      changed = diff.diffs.length > 0 ? diff.diffs : hasChanges ? engineKeys : [];
    }
    // A resource whose create failed to initialize is updated even without changes, as the engine does.
    if (old.initErrors?.length) {
      hasChanges = true;
    }
    const replaceKeys = [...diff.replaces];
    if (hasChanges && o.replaceOnChanges?.length) {
      for (const k of changed) {
        if ((o.replaceOnChanges.includes(k) || o.replaceOnChanges.includes("*")) && !replaceKeys.includes(k)) {
          replaceKeys.push(k);
        }
      }
    }

    if (!hasChanges && replaceKeys.length === 0) {
      const r: ResourceState = {
        ...base,
        id: old.id,
        inputs: news,
        outputs: markSecretKeys(old.outputs, o.additionalSecretOutputs),
      };
      if (!preview) {
        this.upsert(r);
      }
      ctx.steps.push({ op: "same", urn, id: old.id });
      return { id: old.id, outputs: r.outputs };
    }

    if (replaceKeys.length === 0) {
      if (preview) {
        ctx.steps.push({ op: "update", urn, id: old.id, changedKeys: changed });
        return { id: old.id, outputs: markSecretKeys({ ...old.outputs, ...news }, o.additionalSecretOutputs) };
      }
      const upd = await host.update(urn, old.id!, old.outputs, news, old.inputs, { ignoreChanges: o.ignoreChanges });
      const r: ResourceState = {
        ...base,
        id: old.id,
        inputs: news,
        outputs: markSecretKeys(upd.properties, o.additionalSecretOutputs),
      };
      this.upsert(r);
      ctx.steps.push({ op: "update", urn, id: old.id, changedKeys: changed });
      return { id: old.id, outputs: r.outputs };
    }

    // Replacement.
    if (old.protect || o.protect) {
      throw new Error(`unable to replace resource "${urn}" as it is currently marked for protection`);
    }
    const dbr = o.deleteBeforeReplace === true || diff.deleteBeforeReplace;
    ctx.steps.push({ op: "replace", urn, id: old.id, deleteBeforeReplace: dbr, changedKeys: changed, replaceKeys });
    if (preview) {
      return { id: "", outputs: markSecretKeys(news, o.additionalSecretOutputs) };
    }
    if (dbr) {
      if (!old.retainOnDelete) {
        await host.delete(urn, old.id!, old.outputs, old.inputs);
      }
      ctx.steps.push({ op: "delete-replaced", urn, id: old.id, deleteBeforeReplace: true });
      const gone = this.resources.find((x) => x.urn === urn && !x.delete);
      if (gone) {
        this.remove(gone);
      }
    } else {
      const idx = this.resources.findIndex((x) => x.urn === urn && !x.delete);
      if (idx >= 0) {
        this.resources[idx] = { ...this.resources[idx], delete: true };
        pendingDeletes.push(this.resources[idx]);
        this.save();
      }
    }
    const created = await host.create(urn, news, false).catch((e: unknown) => this.keepInitFailed(e, base, news, o));
    if (!created.id) {
      throw new Error(`provider did not return an ID from Create for ${urn}`);
    }
    const r: ResourceState = {
      ...base,
      id: created.id,
      inputs: news,
      outputs: markSecretKeys(created.properties, o.additionalSecretOutputs),
    };
    this.upsert(r);
    ctx.steps.push({ op: "create-replacement", urn, id: created.id, deleteBeforeReplace: dbr });
    return { id: r.id, outputs: r.outputs };
  }

  /**
   * A create that failed with ErrorResourceInitFailed: the resource exists, so, as the
   * engine does, it is kept in the state with its id, its properties and the init
   * errors (the next up updates it); the error still fails the step.
   */
  private keepInitFailed(e: unknown, base: ResourceState, news: WireObject, o: RegisterOptions): never {
    if (e instanceof ProviderHostError && e.initFailed?.id) {
      const f = e.initFailed;
      this.upsert({
        ...base,
        id: f.id,
        inputs: news,
        outputs: markSecretKeys(f.properties, o.additionalSecretOutputs),
        initErrors: f.reasons.length > 0 ? f.reasons : [e.message],
      });
    }
    throw e;
  }

  /** A ReadResource registration (`Resource.get`): Read with the id and the given properties. */
  private async stepRead(
    ctx: RunContext,
    urn: string,
    type: string,
    id: string,
    props: WireObject,
    o: RegisterOptions,
  ): Promise<{ id?: string; outputs: WireObject }> {
    const host = await this.ctxHost(ctx);
    const read = await host.read(urn, id, props, {});
    if (!read.id) {
      throw new Error(`resource '${id}' does not exist`);
    }
    const outputs = markSecretKeys(read.properties, o.additionalSecretOutputs);
    this.upsert({
      urn,
      type,
      custom: true,
      id: read.id,
      parent: o.parent,
      inputs: read.inputs ?? props,
      outputs,
      external: true,
    });
    ctx.steps.push({ op: "read", urn, id: read.id });
    return { id: read.id, outputs };
  }

  /**
   * Deletes resources in reverse dependency order (a resource goes only after
   * everything that depends on it or is parented to it), `parallel` at a time.
   */
  private async runDeletes(
    ctx: RunContext,
    list: ResourceState[],
    preview: boolean,
    opOf: (r: ResourceState) => StepOp,
  ): Promise<void> {
    const order = this.resources.filter((r) => list.includes(r));
    const remaining = new Set(order);
    const dependents = new Map<ResourceState, number>();
    const depsOf = (r: ResourceState) => {
      const urns = new Set([...(r.dependencies ?? []), ...(r.parent ? [r.parent] : [])]);
      // A pending-delete resource and its replacement share a URN: only live ones count as dependencies.
      return order.filter((x) => x !== r && !x.delete && urns.has(x.urn));
    };
    for (const r of order) {
      dependents.set(r, 0);
    }
    for (const r of order) {
      for (const d of depsOf(r)) {
        dependents.set(d, dependents.get(d)! + 1);
      }
    }
    const limit = Math.max(1, this.opts.parallel ?? 16);
    const running = new Set<Promise<void>>();
    const blocked = new Set<ResourceState>();
    const started = new Set<ResourceState>();
    for (;;) {
      const ready = [...remaining].filter((r) => !started.has(r) && dependents.get(r) === 0).reverse();
      while (ready.length > 0 && running.size < limit) {
        const r = ready.shift()!;
        started.add(r);
        const p: Promise<void> = (async () => {
          let ok = false;
          try {
            await this.deleteOne(ctx, r, preview, opOf(r));
            ok = true;
          } catch (e) {
            ctx.failed.push({ urn: r.urn, message: errorMessage(e) });
            this.artifactLog.push({ source: `error:${r.urn}`, text: errorMessage(e) });
            blocked.add(r);
          }
          remaining.delete(r);
          if (ok) {
            for (const d of depsOf(r)) {
              dependents.set(d, dependents.get(d)! - 1);
            }
          }
        })().finally(() => running.delete(p));
        running.add(p);
      }
      if (running.size === 0) {
        break;
      }
      await Promise.race(running);
    }
  }

  private async deleteOne(ctx: RunContext, r: ResourceState, preview: boolean, op: StepOp): Promise<void> {
    if (r.protect && !r.delete) {
      throw new Error(`unable to delete resource "${r.urn}" as it is currently marked for protection`);
    }
    const isProviderBacked = r.custom && !r.type.startsWith("pulumi:providers:") && !r.external;
    if (!preview && isProviderBacked && !r.retainOnDelete) {
      const host = await this.ctxHost(ctx);
      await host.delete(r.urn, r.id!, r.outputs, r.inputs);
    }
    if (!preview) {
      this.remove(r);
    }
    ctx.steps.push({ op: r.external ? "discard" : op, urn: r.urn, id: r.id });
  }

  // ---------------------------------------------------------------- refresh / destroy

  refresh(): Promise<RefreshSummary> {
    return this.checkpointed(() => this.runRefresh());
  }

  private async runRefresh(): Promise<RefreshSummary> {
    const t0 = performance.now();
    const ctx: RunContext = { steps: [], failed: [], timings: {} };
    const sem = new Semaphore(Math.max(1, this.opts.parallel ?? 16));
    const refreshed: string[] = [];
    const removed: string[] = [];
    try {
      const targets = this.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && r.id);
      await Promise.all(
        targets.map((r) =>
          sem.run(async () => {
            try {
              const host = await this.ctxHost(ctx);
              const read = await host.read(r.urn, r.id!, r.outputs, r.inputs);
              if (!read.id) {
                this.remove(r);
                removed.push(r.urn);
                ctx.steps.push({ op: "refresh", urn: r.urn, id: r.id });
                return;
              }
              const next: ResourceState = {
                ...r,
                id: read.id,
                outputs: markSecretKeys(read.properties, r.additionalSecretOutputs),
                inputs: read.inputs ?? r.inputs,
                modified: new Date().toISOString(),
              };
              const i = this.resources.indexOf(r);
              if (i >= 0) {
                this.resources[i] = next;
                this.save();
              }
              refreshed.push(r.urn);
              ctx.steps.push({ op: "refresh", urn: r.urn, id: read.id });
            } catch (e) {
              ctx.failed.push({ urn: r.urn, message: errorMessage(e) });
              this.artifactLog.push({ source: `error:${r.urn}`, text: errorMessage(e) });
            }
          }),
        ),
      );
      return {
        operation: "refresh",
        refreshed,
        removed,
        failed: ctx.failed,
        steps: ctx.steps,
        ok: ctx.failed.length === 0,
        timings: ctx.timings,
      };
    } finally {
      await this.stopCtx(ctx);
      this.save();
      ctx.timings.total = performance.now() - t0;
      this.metrics.operations.push({ operation: "refresh", timings: ctx.timings });
    }
  }

  destroy(): Promise<DestroySummary> {
    return this.checkpointed(() => this.runDestroy());
  }

  private async runDestroy(): Promise<DestroySummary> {
    const t0 = performance.now();
    const ctx: RunContext = { steps: [], failed: [], timings: {} };
    try {
      await this.runDeletes(ctx, [...this.resources], false, (r) => (r.delete ? "delete-replaced" : "delete"));
      return {
        operation: "destroy",
        deleted: ctx.steps.filter((s) => s.op === "delete" || s.op === "delete-replaced").map((s) => s.urn),
        failed: ctx.failed,
        steps: ctx.steps,
        ok: ctx.failed.length === 0,
        timings: ctx.timings,
      };
    } finally {
      await this.stopCtx(ctx);
      this.save();
      ctx.timings.total = performance.now() - t0;
      this.metrics.operations.push({ operation: "destroy", timings: ctx.timings });
    }
  }

  /** Stops any host still running (normally none: each operation stops its own). */
  async close(): Promise<void> {
    await Promise.all(this.hosts.filter((h) => h.isRunning).map((h) => h.stop()));
  }
}

/** URNs of the steps of one kind, the root stack left out. */
function urnsOf(steps: StepRecord[], op: StepOp): string[] {
  return steps.filter((s) => s.op === op && !s.urn.includes(`::${ROOT_STACK_TYPE}::`)).map((s) => s.urn);
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
