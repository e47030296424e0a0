/**
 * The wallaroo plugin driven as the Pulumi CLI drives it: started from the package as installed in a
 * consumer project (by the Node.js language host's run-plugin, or as the `pulumi-resource-wallaroo`
 * executable), its port read from its first line, and every call made over gRPC with the stubs of
 * that install's @pulumi/pulumi. Requests are built as the engine builds them (provider_plugin.go):
 * Configure with `args` (keys without namespace, secrets as envelopes) and `variables`, resource
 * calls with the URN, name and type, Diff and Update with the old inputs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { createConsumerProject, findRepoRoot, locateRunPlugin, makeTempDir, packPackage, runCommand } from "../harness";

export const REPO = findRepoRoot();
export const VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version;
/** What the engine passes when it has nothing to offer here: the plugin does not call the engine. */
export const ENGINE = "127.0.0.1:1";

export type Props = Record<string, unknown>;

export interface Installed {
  /** The consumer project: `npm install <the packed tarball>` with @pulumi/pulumi. */
  consumer: string;
  /** `<consumer>/node_modules/pulumi-wallaroo/plugin`. */
  pluginDir: string;
  tarball: string;
}

let installed: Promise<Installed> | undefined;

/** The package packed from this checkout's build and installed once per process (cached across processes, see consumer.ts). */
export function installedPlugin(): Promise<Installed> {
  installed ??= (async () => {
    const tarball = await packPackage(REPO);
    const consumer = await createConsumerProject({ tarballs: [tarball] });
    return { consumer, pluginDir: path.join(consumer, "node_modules", "pulumi-wallaroo", "plugin"), tarball };
  })();
  return installed;
}

export type StartMode =
  /** `node <run-plugin> <plugin folder> <engine>`, run-plugin resolved from the plugin folder as the language host does. */
  | { via: "language-host"; pluginDir?: string }
  /** `pulumi-resource-wallaroo <flags> <engine>` from node_modules/.bin. */
  | { via: "bin" };

export { locateRunPlugin };

/** A pulumirpc.ResourceProvider client over the consumer's own stubs. */
function stubsOf(consumer: string) {
  const req = createRequire(path.join(consumer, "node_modules", "@pulumi", "pulumi", "package.json"));
  return {
    grpc: req("@grpc/grpc-js"),
    providerGrpc: req("./proto/provider_grpc_pb.js"),
    pb: req("./proto/provider_pb.js"),
    pluginPb: req("./proto/plugin_pb.js"),
    struct: req("google-protobuf/google/protobuf/struct_pb"),
    empty: req("google-protobuf/google/protobuf/empty_pb"),
    status: req("./proto/status_pb.js"),
  };
}

export interface CallError extends Error {
  code: number;
  details: string;
  /** The ErrorResourceInitFailed of a created-but-failed resource, when the plugin sent one. */
  initFailed?: { id: string; properties: Props; inputs: Props; reasons: string[] };
}

export interface DiffAnswer {
  changes: "some" | "none" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
  hasDetailedDiff: boolean;
  detailed: Record<string, { kind: string; inputDiff: boolean }>;
}

export function urnOf(type: string, name: string): string {
  return `urn:pulumi:test::plugin-test::${type}::${name}`;
}

const KIND_NAMES = ["add", "add-replace", "delete", "delete-replace", "update", "update-replace"];

export class PluginProcess {
  stdout = "";
  stderr = "";
  /** Every answer received, as JSON: scanned for credentials by the tests. */
  readonly answers: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly startMs: number,
    private readonly s: ReturnType<typeof stubsOf>,
    private readonly client: any,
    firstOutput: string,
  ) {
    this.stdout = firstOutput;
    child.stdout!.on("data", (d: Buffer) => (this.stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
  }

  static async start(
    mode: StartMode,
    opts: { env?: NodeJS.ProcessEnv; consumer?: string } = {},
  ): Promise<PluginProcess> {
    const inst = await installedPlugin();
    const consumer = opts.consumer ?? inst.consumer;
    // The plugin inherits the CLI's environment; tests choose it whole, so no WALLAROO_* of this shell leaks in.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env };
    let child: ChildProcess;
    const started = Date.now();
    if (mode.via === "language-host") {
      const dir = mode.pluginDir ?? inst.pluginDir;
      child = spawn(process.execPath, [locateRunPlugin(dir), dir, ENGINE], {
        cwd: consumer,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } else {
      const bin = path.join(consumer, "node_modules", ".bin", "pulumi-resource-wallaroo");
      child = spawn(bin, ["--logtostderr", "-v=9", "--tracing", "127.0.0.1:2", ENGINE], {
        cwd: consumer,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
    }
    let out = "";
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`the plugin printed no port within 60 s; stderr: ${err}`));
      }, 60_000);
      const onData = (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf("\n");
        if (nl < 0) return;
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (/^\d+$/.test(line)) resolve(Number(line));
        else reject(new Error(`the plugin's first line is ${JSON.stringify(line)}, not a port; stderr: ${err}`));
      };
      child.stdout!.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the plugin exited (${code}) before printing its port; stderr: ${err}`));
      });
    });
    const startMs = Date.now() - started;
    const s = stubsOf(consumer);
    const client = new s.providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, s.grpc.credentials.createInsecure());
    const p = new PluginProcess(child, port, startMs, s, client, out);
    p.stderr = err;
    return p;
  }

  async close(): Promise<void> {
    this.client.close();
    // The CLI interrupts its plugins first (cmdutil.InterruptChildren).
    this.child.kill("SIGINT");
    await this.exited;
  }

  // ---- values --------------------------------------------------------------------------------

  struct(o: Props): any {
    return this.s.struct.Struct.fromJavaScript(JSON.parse(JSON.stringify(o)));
  }

  private js(s: any): Props {
    return s ? (s.toJavaScript() as Props) : {};
  }

  /** Calls a method; rejects with the status code, its message and any init-failure details. */
  call<T = any>(method: string, req: any): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client[method](req, (err: any, res: any) => {
        if (err) {
          const e = new Error(err.details ?? err.message) as CallError;
          e.code = err.code;
          e.details = err.details ?? err.message;
          const bin = err.metadata?.get("grpc-status-details-bin")?.[0];
          if (bin) {
            const status = this.s.status.Status.deserializeBinary(bin);
            for (const any of status.getDetailsList()) {
              if (any.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
              const d = this.s.pb.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
              e.initFailed = {
                id: d.getId(),
                properties: this.js(d.getProperties()),
                inputs: this.js(d.getInputs()),
                reasons: d.getReasonsList(),
              };
            }
          }
          this.answers.push(JSON.stringify({ error: e.details, initFailed: e.initFailed }));
          reject(e);
        } else {
          this.answers.push(JSON.stringify(res.toObject()));
          resolve(res);
        }
      });
    });
  }

  /** URN, name and type, as the engine sets them on every resource request. */
  private withTarget(req: any, type: string, name: string): any {
    return req.setUrn(urnOf(type, name)).setName(name).setType(type);
  }

  // ---- provider methods -----------------------------------------------------------------------

  async pluginVersion(): Promise<string> {
    return (await this.call("getPluginInfo", new this.s.empty.Empty())).getVersion();
  }

  async schema(): Promise<any> {
    return JSON.parse((await this.call("getSchema", new this.s.pb.GetSchemaRequest())).getSchema());
  }

  async checkConfig(
    news: Props,
    olds: Props = {},
  ): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const req = this.withTarget(new this.s.pb.CheckRequest(), "pulumi:providers:wallaroo", "default");
    const res = await this.call("checkConfig", req.setOlds(this.struct(olds)).setNews(this.struct(news)));
    return {
      inputs: this.js(res.getInputs()),
      failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diffConfig(olds: Props, news: Props): Promise<DiffAnswer> {
    const req = this.withTarget(new this.s.pb.DiffRequest(), "pulumi:providers:wallaroo", "default");
    return this.diffAnswer(
      await this.call(
        "diffConfig",
        req.setOldInputs(this.struct(olds)).setOlds(this.struct(olds)).setNews(this.struct(news)),
      ),
    );
  }

  /** Configure as the engine sends it: `args` as given (with secret envelopes) and the deprecated `variables`. */
  async configure(args: Props): Promise<{ acceptSecrets: boolean; supportsPreview: boolean }> {
    const req = new this.s.pb.ConfigureRequest()
      .setArgs(this.struct(args))
      .setAcceptsecrets(true)
      .setAcceptresources(true)
      .setSendsOldInputs(true)
      .setSendsOldInputsToDelete(true)
      .setType("pulumi:providers:wallaroo")
      .setName("default")
      .setUrn(urnOf("pulumi:providers:wallaroo", "default"));
    const vars = req.getVariablesMap();
    for (const [k, v] of Object.entries(args)) {
      const plain = typeof v === "object" && v !== null && "value" in v ? (v as { value: unknown }).value : v;
      vars.set(`wallaroo:config:${k}`, typeof plain === "string" ? plain : JSON.stringify(plain));
    }
    const res = await this.call("configure", req);
    return { acceptSecrets: res.getAcceptsecrets(), supportsPreview: res.getSupportspreview() };
  }

  async check(
    type: string,
    name: string,
    news: Props,
    olds: Props = {},
  ): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const req = this.withTarget(new this.s.pb.CheckRequest(), type, name)
      .setOlds(this.struct(olds))
      .setNews(this.struct(news));
    const res = await this.call("check", req);
    return {
      inputs: this.js(res.getInputs()),
      failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  private diffAnswer(res: any): DiffAnswer {
    const C = this.s.pb.DiffResponse.DiffChanges;
    const detailed: DiffAnswer["detailed"] = {};
    res.getDetaileddiffMap().forEach((v: any, k: string) => {
      detailed[k] = { kind: KIND_NAMES[v.getKind()]!, inputDiff: v.getInputdiff() };
    });
    const c = res.getChanges();
    return {
      changes: c === C.DIFF_SOME ? "some" : c === C.DIFF_NONE ? "none" : "unknown",
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
      diffs: res.getDiffsList(),
      hasDetailedDiff: res.getHasdetaileddiff(),
      detailed,
    };
  }

  /** Diff and Update carry the same: the id, the old inputs, the old outputs (`olds`) and the new inputs. */
  private change(
    req: any,
    type: string,
    name: string,
    id: string,
    old: { inputs: Props; outputs: Props },
    news: Props,
  ): any {
    return this.withTarget(req, type, name)
      .setId(id)
      .setOldInputs(this.struct(old.inputs))
      .setOlds(this.struct(old.outputs))
      .setNews(this.struct(news));
  }

  async diff(
    type: string,
    name: string,
    id: string,
    oldInputs: Props,
    oldOutputs: Props,
    news: Props,
  ): Promise<DiffAnswer> {
    const req = this.change(
      new this.s.pb.DiffRequest(),
      type,
      name,
      id,
      { inputs: oldInputs, outputs: oldOutputs },
      news,
    );
    return this.diffAnswer(await this.call("diff", req));
  }

  async create(type: string, name: string, inputs: Props): Promise<{ id: string; outputs: Props }> {
    const req = this.withTarget(new this.s.pb.CreateRequest(), type, name).setProperties(this.struct(inputs));
    const res = await this.call("create", req);
    return { id: res.getId(), outputs: this.js(res.getProperties()) };
  }

  /** Read: a refresh sends the state and the inputs; an import (CLI 3.198+) only the id. */
  async read(
    type: string,
    name: string,
    id: string,
    state?: { outputs: Props; inputs: Props },
  ): Promise<{ id: string; outputs?: Props; inputs?: Props }> {
    const req = this.withTarget(new this.s.pb.ReadRequest(), type, name).setId(id);
    if (state) req.setProperties(this.struct(state.outputs)).setInputs(this.struct(state.inputs));
    const res = await this.call("read", req);
    return {
      id: res.getId(),
      outputs: res.hasProperties() ? this.js(res.getProperties()) : undefined,
      inputs: res.hasInputs() ? this.js(res.getInputs()) : undefined,
    };
  }

  async update(
    type: string,
    name: string,
    id: string,
    oldInputs: Props,
    oldOutputs: Props,
    news: Props,
  ): Promise<Props> {
    const req = this.change(
      new this.s.pb.UpdateRequest(),
      type,
      name,
      id,
      { inputs: oldInputs, outputs: oldOutputs },
      news,
    );
    return this.js((await this.call("update", req)).getProperties());
  }

  async delete(type: string, name: string, id: string, oldInputs: Props, oldOutputs: Props): Promise<void> {
    const req = this.withTarget(new this.s.pb.DeleteRequest(), type, name)
      .setId(id)
      .setOldInputs(this.struct(oldInputs))
      .setProperties(this.struct(oldOutputs));
    await this.call("delete", req);
  }

  async invoke(tok: string, args: Props): Promise<{ result: Props; failures: { property: string; reason: string }[] }> {
    const res = await this.call("invoke", new this.s.pb.InvokeRequest().setTok(tok).setArgs(this.struct(args)));
    return {
      result: this.js(res.getReturn()),
      failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async cancel(): Promise<void> {
    await this.call("cancel", new this.s.empty.Empty());
  }

  /** A method with an empty request of its own type, for the ones the plugin does not implement. */
  async bare(method: string, requestClass: string): Promise<unknown> {
    return this.call(method, new this.s.pb[requestClass]());
  }
}

/**
 * The plugin as `pulumi plugin install resource wallaroo <v> --file <tgz>` installs it: the tarball of
 * `npm run pack:plugin` unpacked into `<plugins>/resource-wallaroo-v<v>` (pluginstorage.TarPlugin), then
 * the Node.js language host's `npm install --loglevel=error` in it (pkg/workspace/plugin.go
 * InstallPluginContent, sdk/nodejs/npm npm.go `installCmd`), which takes its dependencies from the registry.
 */
export async function pluginInstalledByTheCli(): Promise<string> {
  const out = makeTempDir("plugin-tarball");
  const { stdout } = await runCommand(process.execPath, [path.join(REPO, "scripts", "packPlugin.mjs"), "--out", out], {
    cwd: REPO,
  });
  const tarball = stdout.trim().split("\n").pop()!;
  const dir = path.join(makeTempDir("plugins"), `resource-wallaroo-v${VERSION}`);
  fs.mkdirSync(dir, { recursive: true });
  await runCommand("tar", ["-xzf", tarball, "-C", dir], { cwd: dir });
  await runCommand("npm", ["install", "--loglevel=error"], { cwd: dir, timeoutMs: 180_000 });
  return dir;
}
