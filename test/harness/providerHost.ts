/**
 * Starts `@pulumi/pulumi`'s own dynamic-provider host the way the Pulumi engine
 * does (`node node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js
 * <engine-address>` in the program's directory), and drives it over gRPC with
 * the stubs of that same copy of `@pulumi/pulumi`.
 *
 * Values are exchanged in wire form (see ./wire.ts). Like the engine's provider
 * plugin layer, the wrappers remove secret wrappers before sending properties
 * to a host that answered `acceptSecrets: false` to `Configure` (the dynamic
 * host always does), and copy the secret-ness of the inputs onto the outputs
 * the host returns (`annotateSecrets`).
 */
import { spawn, ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  CheckFailure,
  CheckResult,
  ConfigureResult,
  CreateResult,
  DIFF_UNAVAILABLE,
  DiffResult,
  InitFailure,
  loadPulumiProto,
  ProcessMemory,
  ProviderHostError,
  ProviderMethod,
  ProviderCommand,
  PulumiProto,
  readProcessCpuMs,
  readProcessMemory,
  ReadResult,
  StartProviderHostOptions,
} from "./providerHostTypes";
import { annotateSecrets, containsUnknowns, secret, toWireObject, unwrapSecrets, WireObject, WireValue } from "./wire";

export * from "./providerHostTypes";

export class ProviderHost {
  /** Everything the host wrote on stdout (after the port line) and stderr. */
  stdout = "";
  stderr = "";
  readonly calls: Record<string, number> = {};
  /** Result of the last Configure (null before). */
  configureResult: ConfigureResult | null = null;
  /**
   * False when the provider's inputs held an unknown, so Configure was not sent (provider_plugin.go
   * `Configure`, preview only): the engine then answers Check, Diff and Read for the plugin.
   */
  configKnown = true;
  /** When true, secret wrappers are kept in what is sent to the host (the engine never does that for the dynamic host). */
  keepSecrets = false;
  private exited = false;
  private readonly exitPromise: Promise<void>;

  private constructor(
    readonly process: ChildProcess,
    readonly port: number,
    private readonly client: any,
    private readonly proto: PulumiProto,
    private readonly onCall: StartProviderHostOptions["onCall"],
    initialStdout: string,
    exitPromise: Promise<void>,
  ) {
    this.stdout = initialStdout;
    this.exitPromise = exitPromise.then(() => {
      this.exited = true;
    });
    process.stdout!.on("data", (d: Buffer) => (this.stdout += d.toString()));
    process.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
  }

  get pid(): number {
    return this.process.pid!;
  }

  static async start(opts: StartProviderHostOptions): Promise<ProviderHost> {
    const cwd = path.resolve(opts.cwd);
    const proto = loadPulumiProto(cwd);
    const command = opts.command ?? dynamicProviderCommand(cwd);
    const label = command.label;
    const child = spawn(
      process.execPath,
      [...(opts.nodeArgs ?? []), ...command.args, opts.engineAddress ?? "127.0.0.1:1"],
      {
        cwd: command.cwd ?? cwd,
        env: opts.env ?? process.env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const exitPromise = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let out = "";
    let err = "";
    const onErr = (d: Buffer) => (err += d.toString());
    child.stderr!.on("data", onErr);
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${label} did not print its port within ${opts.startTimeoutMs ?? 20000} ms; stderr: ${err}`));
      }, opts.startTimeoutMs ?? 20000);
      const onData = (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf("\n");
        if (nl >= 0) {
          clearTimeout(timer);
          child.stdout!.off("data", onData);
          const line = out.slice(0, nl).trim();
          out = out.slice(nl + 1);
          const n = Number(line);
          if (!Number.isInteger(n) || n <= 0) {
            child.kill("SIGKILL");
            reject(new Error(`${label} printed "${line}" instead of a port; stderr: ${err}`));
          } else {
            resolve(n);
          }
        }
      };
      child.stdout!.on("data", onData);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${label} exited (code ${code}, signal ${signal}) before printing its port; stderr: ${err}`));
      });
    });
    child.stderr!.off("data", onErr);
    const client = new proto.providerGrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      proto.grpc.credentials.createInsecure(),
    );
    const host = new ProviderHost(child, port, client, proto, opts.onCall, out, exitPromise);
    host.stderr = err;
    return host;
  }

  /** Sends `Configure` with the stack configuration (`variables` and, as the host reads them, `args`). */
  async configure(
    variables: Record<string, string>,
    opts: { secretKeys?: string[]; acceptSecrets?: boolean; acceptResources?: boolean } = {},
  ): Promise<ConfigureResult> {
    const pb = this.proto.providerPb;
    const req = new pb.ConfigureRequest();
    const map = req.getVariablesMap();
    const args: WireObject = {};
    for (const [k, v] of Object.entries(variables)) {
      map.set(k, v);
      args[k] = opts.secretKeys?.includes(k) ? secret(v) : v;
    }
    req.setArgs(this.struct(args));
    return this.sendConfigure(req, opts.acceptSecrets ?? true, opts.acceptResources ?? true);
  }

  /**
   * `Configure` as the engine sends it to a resource plugin (pkg/resource/plugin/provider_plugin.go
   * `Configure`): `args` the provider resource's inputs, secrets kept; `variables` the same values
   * keyed `<pkg>:config:<key>`, secrets removed and non-strings as JSON; `version` left out.
   */
  async configureProvider(pkg: string, inputs: WireObject, urn?: string, id?: string): Promise<ConfigureResult> {
    this.configKnown = !Object.entries(inputs).some(([k, v]) => k !== "version" && containsUnknowns(v));
    if (!this.configKnown) {
      this.configureResult = { acceptSecrets: false, acceptResources: false, supportsPreview: false };
      return this.configureResult;
    }
    const pb = this.proto.providerPb;
    const req = new pb.ConfigureRequest();
    // The provider resource being configured (provider_plugin.go sets them since the 3.1xx protocol).
    if (urn) {
      this.resourceRequest(req, urn, id);
    }
    const map = req.getVariablesMap();
    for (const [k, v] of Object.entries(inputs)) {
      if (k === "version") {
        continue;
      }
      const plain = unwrapSecrets(v);
      map.set(`${pkg}:config:${k}`, typeof plain === "string" ? plain : JSON.stringify(plain));
    }
    req.setArgs(this.struct(inputs));
    return this.sendConfigure(req, true, true);
  }

  /** Sends a ConfigureRequest whose variables and args are set, and records what the host answered. */
  private async sendConfigure(req: any, acceptSecrets: boolean, acceptResources: boolean): Promise<ConfigureResult> {
    req.setAcceptsecrets(acceptSecrets);
    req.setAcceptresources(acceptResources);
    req.setSendsOldInputs(true);
    req.setSendsOldInputsToDelete(true);
    const resp = await this.unary("Configure", "configure", req);
    this.configureResult = {
      acceptSecrets: resp.getAcceptsecrets(),
      acceptResources: resp.getAcceptresources(),
      supportsPreview: resp.getSupportspreview(),
    };
    return this.configureResult;
  }

  /** `CheckConfig` (registry.go `Check` of a provider resource): the old and new inputs, secrets kept. */
  async checkConfig(urn: string, olds: WireObject, news: WireObject): Promise<CheckResult> {
    const pb = this.proto.providerPb;
    const req = this.resourceRequest(new pb.CheckRequest(), urn);
    req.setOlds(this.struct(olds));
    req.setNews(this.struct(news));
    const resp = await this.unary("CheckConfig", "checkConfig", req);
    const failures: CheckFailure[] = (resp.getFailuresList() as any[]).map((f) => ({
      property: f.getProperty(),
      reason: f.getReason(),
    }));
    return { inputs: resp.getInputs() ? resp.getInputs().toJavaScript() : news, failures };
  }

  /** `DiffConfig` (registry.go `Diff` of a provider resource, step_generator.go `providerChanged`). */
  async diffConfig(urn: string, oldInputs: WireObject, oldOutputs: WireObject, news: WireObject): Promise<DiffResult> {
    const pb = this.proto.providerPb;
    const req = this.resourceRequest(new pb.DiffRequest(), urn);
    req.setOlds(this.struct(oldOutputs));
    req.setOldInputs(this.struct(oldInputs));
    req.setNews(this.struct(news));
    const resp = await this.unary("DiffConfig", "diffConfig", req);
    return this.diffResult(resp);
  }

  async check(
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    randomSeed?: Uint8Array,
  ): Promise<CheckResult> {
    if (!this.configKnown) {
      return { inputs: toWireObject(news), failures: [] }; // provider_plugin.go `Check`: the news, unchecked
    }
    const pb = this.proto.providerPb;
    const req = this.resourceRequest(new pb.CheckRequest(), urn);
    req.setOlds(this.outgoing(olds));
    req.setNews(this.outgoing(news));
    if (randomSeed) {
      req.setRandomseed(randomSeed);
    }
    const resp = await this.unary("Check", "check", req);
    const inputs = this.incoming(resp.getInputs(), toWireObject(news));
    const failures: CheckFailure[] = (resp.getFailuresList() as any[]).map((f) => ({
      property: f.getProperty(),
      reason: f.getReason(),
    }));
    return { inputs, failures };
  }

  async diff(
    urn: string,
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    oldInputs?: Record<string, unknown>,
    ignoreChanges: string[] = [],
  ): Promise<DiffResult> {
    if (!this.configKnown) {
      // provider_plugin.go `Diff` answers DiffUnavailable; step_generator.go makes it an update and warns.
      return {
        changes: "some",
        replaces: [],
        stables: [],
        deleteBeforeReplace: false,
        diffs: [],
        unavailable: DIFF_UNAVAILABLE,
      };
    }
    const pb = this.proto.providerPb;
    const req = this.changeRequest(new pb.DiffRequest(), { urn, id, olds, news, oldInputs, ignoreChanges });
    const resp = await this.unary("Diff", "diff", req);
    return this.diffResult(resp);
  }

  async create(urn: string, props: Record<string, unknown>, preview = false): Promise<CreateResult> {
    this.assertConfigured("Create");
    const pb = this.proto.providerPb;
    const req = this.resourceRequest(new pb.CreateRequest(), urn);
    req.setProperties(this.outgoing(props));
    req.setPreview(preview);
    const resp = await this.unary("Create", "create", req).catch((e: unknown) => {
      // Created but failed to initialize: the properties come back like a Create's.
      if (e instanceof ProviderHostError && e.initFailed) {
        e.initFailed.properties = this.incoming(e.initFailed.properties, toWireObject(props));
      }
      throw e;
    });
    return { id: resp.getId(), properties: this.incoming(resp.getProperties(), toWireObject(props)) };
  }

  /**
   * `Read` as the engine sends it. On refresh `props` are the state's outputs
   * and `inputs` its inputs; on import both are empty (see `importRead`).
   */
  async read(
    urn: string,
    id: string,
    props?: Record<string, unknown>,
    inputs?: Record<string, unknown>,
  ): Promise<ReadResult> {
    if (!this.configKnown) {
      return { id: "", properties: {}, inputs: {} }; // provider_plugin.go `Read`: nothing known, status unknown
    }
    const pb = this.proto.providerPb;
    const req = this.resourceRequest(new pb.ReadRequest(), urn, id);
    // Like the engine's provider plugin (pkg/resource/plugin/provider_plugin.go `Read`: MarshalProperties
    // with PropagateNil turns a nil map into no Struct at all), absent maps are sent as absent fields.
    if (props !== undefined) {
      req.setProperties(this.outgoing(props));
    }
    if (inputs !== undefined) {
      req.setInputs(this.outgoing(inputs));
    }
    const resp = await this.unary("Read", "read", req);
    const result: ReadResult = {
      id: resp.getId(),
      properties: this.incoming(resp.getProperties(), toWireObject(props)),
    };
    if (resp.getInputs()) {
      result.inputs = this.incoming(resp.getInputs(), toWireObject(inputs));
    }
    return result;
  }

  /**
   * `Read` the way the engine does an import (pkg/resource/deploy/step.go `ImportStep.Apply`: a
   * ReadRequest with the URN and the id, no State, no Inputs): since CLI 3.198 neither field is
   * sent, and the dynamic host fails on `req.getProperties().toJavaScript()`.
   */
  importRead(urn: string, id: string): Promise<ReadResult> {
    return this.read(urn, id, undefined, undefined);
  }

  async update(
    urn: string,
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    oldInputs?: Record<string, unknown>,
    opts: { preview?: boolean; ignoreChanges?: string[] } = {},
  ): Promise<{ properties: WireObject }> {
    this.assertConfigured("Update");
    const req = this.changeRequest(new this.proto.providerPb.UpdateRequest(), {
      urn,
      id,
      olds,
      news,
      oldInputs,
      ignoreChanges: opts.ignoreChanges ?? [],
    });
    req.setPreview(opts.preview ?? false);
    const resp = await this.unary("Update", "update", req);
    return { properties: this.incoming(resp.getProperties(), toWireObject(news)) };
  }

  async delete(
    urn: string,
    id: string,
    props: Record<string, unknown>,
    oldInputs?: Record<string, unknown>,
  ): Promise<void> {
    this.assertConfigured("Delete");
    const pb = this.proto.providerPb;
    const req = this.resourceRequest(new pb.DeleteRequest(), urn, id);
    req.setProperties(this.outgoing(props));
    if (oldInputs) {
      req.setOldInputs(this.outgoing(oldInputs));
    }
    await this.unary("Delete", "delete", req);
  }

  private diffResult(resp: any): DiffResult {
    const C = this.proto.providerPb.DiffResponse.DiffChanges;
    const c = resp.getChanges();
    return {
      changes: c === C.DIFF_SOME ? "some" : c === C.DIFF_NONE ? "none" : "unknown",
      replaces: resp.getReplacesList(),
      stables: resp.getStablesList(),
      deleteBeforeReplace: resp.getDeletebeforereplace(),
      diffs: resp.getDiffsList(),
    };
  }

  /** provider_plugin.go: "{Create,Update,Delete} cannot be called if the configuration is unknown". */
  private assertConfigured(method: ProviderMethod): void {
    if (!this.configKnown) {
      throw new Error(`${method} cannot be called if the provider's configuration is unknown (harness bug)`);
    }
  }

  /** Kills the host (SIGTERM, then SIGKILL after 2 s) and closes the client. */
  async stop(): Promise<void> {
    try {
      this.client.close();
    } catch {
      // ignore
    }
    if (!this.exited) {
      this.process.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (!this.exited) {
          this.process.kill("SIGKILL");
        }
      }, 2000);
      await this.exitPromise;
      clearTimeout(timer);
    }
  }

  /** Memory of the host process from /proc/<pid>/status (Linux), in kB; undefined once it has exited. */
  memory(): ProcessMemory | undefined {
    return this.exited ? undefined : readProcessMemory(this.pid);
  }

  /** CPU time the host has used (user + system), ms; undefined once it has exited. */
  cpuMs(): number | undefined {
    return this.exited ? undefined : readProcessCpuMs(this.pid);
  }

  get isRunning(): boolean {
    return !this.exited;
  }

  /**
   * Decodes ErrorResourceInitFailed from the `grpc-status-details-bin` trailer, where the
   * dynamic host puts it. `properties` is the raw Struct here; `create` converts it.
   */
  private initFailure(err: any): InitFailure | undefined {
    const bins: unknown[] = err?.metadata?.get?.("grpc-status-details-bin") ?? [];
    for (const bin of bins) {
      if (!(bin instanceof Uint8Array)) {
        continue;
      }
      const status = this.proto.statusPb.Status.deserializeBinary(bin);
      for (const any of status.getDetailsList() as any[]) {
        const d = any.unpack(
          this.proto.providerPb.ErrorResourceInitFailed.deserializeBinary,
          "pulumirpc.ErrorResourceInitFailed",
        );
        if (d) {
          return { id: d.getId(), properties: d.getProperties() as any, reasons: d.getReasonsList() };
        }
      }
    }
    return undefined;
  }

  /** The fields Diff and Update share: the resource (urn, name, type, id), its old outputs and inputs, the new inputs. */
  private changeRequest(
    req: any,
    c: {
      urn: string;
      id: string;
      olds: Record<string, unknown>;
      news: Record<string, unknown>;
      oldInputs?: Record<string, unknown>;
      ignoreChanges: string[];
    },
  ): any {
    this.resourceRequest(req, c.urn, c.id);
    req.setOlds(this.outgoing(c.olds));
    req.setNews(this.outgoing(c.news));
    if (c.oldInputs) {
      req.setOldInputs(this.outgoing(c.oldInputs));
    }
    req.setIgnorechangesList(c.ignoreChanges);
    return req;
  }

  /** Sets the fields every resource request carries: urn, type and name (from the urn), and the id if given. */
  private resourceRequest(req: any, urn: string, id?: string): any {
    req.setUrn(urn);
    this.setNameType(req, urn);
    if (id !== undefined) {
      req.setId(id);
    }
    return req;
  }

  private setNameType(req: any, urn: string): void {
    const parts = urn.split("::");
    if (parts.length >= 4) {
      const type = parts[2].split("$").pop()!;
      req.setType?.(type);
      req.setName?.(parts.slice(3).join("::"));
    }
  }

  private struct(v: WireObject): any {
    return this.proto.structPb.Struct.fromJavaScript(v);
  }

  private outgoing(v: Record<string, unknown>): any {
    const wire = toWireObject(v);
    const accept = this.keepSecrets || this.configureResult?.acceptSecrets === true;
    return this.struct(accept ? wire : unwrapSecrets<WireObject>(wire));
  }

  private incoming(s: any, annotateFrom: WireObject | undefined): WireObject {
    const v: WireObject = s ? s.toJavaScript() : {};
    const accept = this.configureResult?.acceptSecrets === true;
    return accept ? v : annotateSecrets(v, annotateFrom);
  }

  private unary(method: ProviderMethod, fn: string, req: any): Promise<any> {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      this.client[fn](req, (err: any, resp: any) => {
        this.onCall?.(method, performance.now() - t0);
        if (err) {
          // grpc-js formats message as "<code> <STATUS>: <details>"; surface the host's own text.
          const details: string = typeof err.details === "string" && err.details ? err.details : err.message;
          const error = new ProviderHostError(method, details, err.code, details);
          error.initFailed = this.initFailure(err);
          reject(error);
        } else {
          resolve(resp);
        }
      });
    });
  }
}

/** @pulumi/pulumi's dynamic-provider host, as the engine starts it for dynamic resources. */
function dynamicProviderCommand(cwd: string): ProviderCommand {
  const entry = path.join("node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");
  if (!fs.existsSync(path.join(cwd, entry))) {
    throw new Error(`no dynamic-provider host in ${cwd} (${entry} missing)`);
  }
  return { args: [entry], label: "dynamic-provider host" };
}

export function startProviderHost(opts: StartProviderHostOptions): Promise<ProviderHost> {
  return ProviderHost.start(opts);
}

export type { WireObject, WireValue };
