/**
 * Starts a Node.js policy pack the way the Pulumi CLI does and talks to it as the engine would.
 *
 * The CLI (through the Node.js language host, or the older `pulumi-analyzer-policy` shim) resolves
 * `@pulumi/pulumi/cmd/run-policy-pack` from the pack's folder, runs
 * `node <that script> <engine-address> .` with the pack's folder as working directory and reads
 * the analyzer's port from the first line of its stdout. The engine address is only used for
 * logging, so a dummy one does. Requests are built like the engine's: every resource carries an
 * `options` message, secrets use the secret signature, unknowns the unknown sentinel.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { UNKNOWN_DURING_PREVIEW, WALLAROO_USER_TYPE } from "../../policy/userResources";

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";

const levelToProto: Record<EnforcementLevel, analyzerPb.EnforcementLevel> = {
  advisory: analyzerPb.EnforcementLevel.ADVISORY,
  mandatory: analyzerPb.EnforcementLevel.MANDATORY,
  disabled: analyzerPb.EnforcementLevel.DISABLED,
  remediate: analyzerPb.EnforcementLevel.REMEDIATE,
};

function levelFromProto(level: analyzerPb.EnforcementLevel): EnforcementLevel {
  const found = (Object.keys(levelToProto) as EnforcementLevel[]).find((k) => levelToProto[k] === level);
  if (!found) throw new Error(`unknown enforcement level ${level}`);
  return found;
}

/** The folder of the pack shipped in this repository. */
export const PACK_DIR = path.resolve(__dirname, "../../../policy");

/** Wire format of a secret value (`KeepSecrets`), as the engine sends `password`. */
export function secretValue(value: unknown): Record<string, unknown> {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

/** Wire format of a value not known during preview. */
export const UNKNOWN_VALUE = UNKNOWN_DURING_PREVIEW;

/** One resource as the engine describes it to an analyzer. */
export interface AnalyzerResourceInput {
  type: string;
  name: string;
  /** Defaults to `urn:pulumi:dev::wallaroo-users::<type>::<name>`. */
  urn?: string;
  /** Already in wire format (see {@link secretValue}, {@link UNKNOWN_VALUE}). */
  properties: Record<string, unknown>;
  parent?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  protect?: boolean;
}

/**
 * A `wallaroo.User` registration: type token, inputs (with the serialized provider), password as a
 * secret when given. Feed it the `inputs` a real program run registered.
 */
export function userRegistration(name: string, inputs: Record<string, unknown>): AnalyzerResourceInput {
  const properties: Record<string, unknown> = {
    __provider:
      "exports.handler = __f0;\nfunction __f0() { return (function() { /* serialized provider */ }).apply(this, arguments); }",
    ...inputs,
  };
  if (typeof properties.password === "string") {
    properties.password = secretValue(properties.password);
  }
  return { type: WALLAROO_USER_TYPE, name, properties };
}

export interface PolicyConfigInput {
  enforcementLevel?: EnforcementLevel;
  properties?: Record<string, unknown>;
}

export interface PolicyInfo {
  name: string;
  displayName: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  policyType: "resource" | "stack" | "unknown";
  configSchema?: { properties: Record<string, unknown>; required: string[] };
}

export interface AnalyzerInfo {
  name: string;
  displayName: string;
  version: string;
  supportsConfig: boolean;
  policies: PolicyInfo[];
}

export interface Diagnostic {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  message: string;
  enforcementLevel: EnforcementLevel;
  urn: string;
}

export interface AnalyzeResult {
  diagnostics: Diagnostic[];
  notApplicable: { policyName: string; reason: string }[];
}

function toAnalyzerResource(input: AnalyzerResourceInput): analyzerPb.AnalyzerResource {
  const urn = input.urn ?? `urn:pulumi:dev::wallaroo-users::${input.type}::${input.name}`;
  const options = new analyzerPb.AnalyzerResourceOptions();
  options.setProtect(input.protect ?? false);
  const timeouts = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
  options.setCustomtimeouts(timeouts);
  const resource = new analyzerPb.AnalyzerResource();
  resource.setType(input.type);
  resource.setName(input.name);
  resource.setUrn(urn);
  resource.setProperties(Struct.fromJavaScript(input.properties as never));
  resource.setOptions(options);
  if (input.parent) resource.setParent(input.parent);
  resource.setDependenciesList(input.dependencies ?? []);
  for (const [key, urns] of Object.entries(input.propertyDependencies ?? {})) {
    const deps = new analyzerPb.AnalyzerPropertyDependencies();
    deps.setUrnsList(urns);
    resource.getPropertydependenciesMap().set(key, deps);
  }
  return resource;
}

function toResult(response: analyzerPb.AnalyzeResponse): AnalyzeResult {
  return {
    diagnostics: response.getDiagnosticsList().map((d) => ({
      policyName: d.getPolicyname(),
      policyPackName: d.getPolicypackname(),
      policyPackVersion: d.getPolicypackversion(),
      description: d.getDescription(),
      message: d.getMessage(),
      enforcementLevel: levelFromProto(d.getEnforcementlevel()),
      urn: d.getUrn(),
    })),
    notApplicable: response
      .getNotApplicableList()
      .map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
  };
}

function unary<Req, Res>(
  call: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    call(req, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** A running policy pack and a typed client for its analyzer. */
export class PolicyPackProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    private readonly client: analyzerRpc.AnalyzerClient,
    private readonly stderrChunks: string[],
  ) {}

  /** Everything the pack wrote to stderr so far. */
  get stderr(): string {
    return this.stderrChunks.join("");
  }

  /** Starts the pack in `packDir` as the CLI does and connects to it. */
  static async start(
    packDir: string = PACK_DIR,
    engineAddress = "127.0.0.1:1",
    timeoutMs = 30_000,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<PolicyPackProcess> {
    // The CLI resolves the runner from the pack's folder, so the pack uses the @pulumi/pulumi it can reach.
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    const child = spawn(process.execPath, [runner, engineAddress, "."], {
      cwd: packDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stderrChunks: string[] = [];
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderrChunks.push(chunk));
    const port = await new Promise<number>((resolve, reject) => {
      const lines = readline.createInterface({ input: child.stdout! });
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill();
        reject(new Error(`policy pack in ${packDir} ${why}\n${stderrChunks.join("")}`));
      };
      const timer = setTimeout(() => fail(`printed no port within ${timeoutMs} ms`), timeoutMs);
      lines.once("line", (line) => {
        clearTimeout(timer);
        const n = Number(line.trim());
        if (Number.isInteger(n) && n > 0) resolve(n);
        else fail(`printed ${JSON.stringify(line)} instead of a port`);
      });
      child.once("exit", (code, signal) => fail(`exited (code ${code}, signal ${signal}) before printing a port`));
    });
    child.removeAllListeners("exit");
    const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PolicyPackProcess(child, port, client, stderrChunks);
  }

  async getPluginInfo(): Promise<{ version: string }> {
    const info = await unary<Empty, pluginPb.PluginInfo>(this.client.getPluginInfo.bind(this.client), new Empty());
    return { version: info.getVersion() };
  }

  async getAnalyzerInfo(): Promise<AnalyzerInfo> {
    const info = await unary<Empty, analyzerPb.AnalyzerInfo>(
      this.client.getAnalyzerInfo.bind(this.client),
      new Empty(),
    );
    const types = {
      [analyzerPb.PolicyType.POLICY_TYPE_RESOURCE]: "resource",
      [analyzerPb.PolicyType.POLICY_TYPE_STACK]: "stack",
    } as const;
    return {
      name: info.getName(),
      displayName: info.getDisplayname(),
      version: info.getVersion(),
      supportsConfig: info.getSupportsconfig(),
      policies: info.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        const policyType = p.getPolicyType();
        return {
          name: p.getName(),
          displayName: p.getDisplayname(),
          description: p.getDescription(),
          enforcementLevel: levelFromProto(p.getEnforcementlevel()),
          policyType: policyType in types ? types[policyType as keyof typeof types] : "unknown",
          ...(schema
            ? {
                configSchema: {
                  properties: schema.getProperties()?.toJavaScript() ?? {},
                  required: schema.getRequiredList(),
                },
              }
            : {}),
        };
      }),
    };
  }

  /**
   * Sends the policy configuration; replaces any sent before. A bare level is shorthand for
   * `{ enforcementLevel }`. Like the CLI, always sends a level: the policy's advertised one
   * unless given. (Unlike the CLI, does not check the properties against the schema first.)
   */
  async configure(policyConfig: Record<string, PolicyConfigInput | EnforcementLevel>): Promise<void> {
    const advertised = new Map((await this.getAnalyzerInfo()).policies.map((p) => [p.name, p.enforcementLevel]));
    const request = new analyzerPb.ConfigureAnalyzerRequest();
    for (const [policy, value] of Object.entries(policyConfig)) {
      const { enforcementLevel, properties } =
        typeof value === "string" ? { enforcementLevel: value, properties: undefined } : value;
      const config = new analyzerPb.PolicyConfig();
      config.setEnforcementlevel(levelToProto[enforcementLevel ?? advertised.get(policy) ?? "advisory"]);
      config.setProperties(Struct.fromJavaScript((properties ?? {}) as never));
      request.getPolicyconfigMap().set(policy, config);
    }
    await unary<analyzerPb.ConfigureAnalyzerRequest, Empty>(this.client.configure.bind(this.client), request);
  }

  async analyzeStack(resources: AnalyzerResourceInput[]): Promise<AnalyzeResult> {
    const request = new analyzerPb.AnalyzeStackRequest();
    request.setResourcesList(resources.map(toAnalyzerResource));
    return toResult(await unary(this.client.analyzeStack.bind(this.client), request));
  }

  /** Per-resource analysis (the engine calls it with each resource's checked inputs). */
  async analyze(resource: AnalyzerResourceInput): Promise<AnalyzeResult> {
    const r = toAnalyzerResource(resource);
    const request = new analyzerPb.AnalyzeRequest();
    request.setType(r.getType());
    request.setName(r.getName());
    request.setUrn(r.getUrn());
    request.setProperties(r.getProperties());
    request.setOptions(r.getOptions());
    return toResult(await unary(this.client.analyze.bind(this.client), request));
  }

  /** Closes the connection and stops the pack. */
  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
  }
}
