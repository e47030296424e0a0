/**
 * The messages of the `pulumirpc.ResourceProvider` service as this harness
 * hands them out (pulumi/pulumi proto/pulumi/provider.proto: CheckResponse,
 * DiffResponse, ErrorResourceInitFailed, …), and where the gRPC stubs come
 * from: the consumer project's own copy of @pulumi/pulumi, as the engine and
 * the host it starts use one and the same protocol version.
 */
import { createRequire } from "module";
import * as fs from "fs";
import * as path from "path";
import type { WireObject } from "./wire";

export type ProviderMethod =
  "CheckConfig" | "DiffConfig" | "Configure" | "Check" | "Diff" | "Create" | "Read" | "Update" | "Delete";

/**
 * The process that serves a provider: by default @pulumi/pulumi's dynamic-provider host
 * (`node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js`); for a resource plugin, the
 * command the Node.js language host runs (./providerPlugins.ts).
 */
export interface ProviderCommand {
  /** The script node runs and its arguments, before the engine address. */
  args: string[];
  /** Its working directory (default: the host's `cwd`). */
  cwd?: string;
  /** What the process is, in error messages. */
  label: string;
}

export interface StartProviderHostOptions {
  /** The consumer project (program) directory: working directory of the host. */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Engine address given as the host's argument. Nothing listens there (the host never calls back). */
  engineAddress?: string;
  /** Time allowed for the host to print its port. Default 20 s. */
  startTimeoutMs?: number;
  /** Extra node arguments (e.g. `--max-old-space-size`). */
  nodeArgs?: string[];
  /** Called for every gRPC call made (benchmarks count them). */
  onCall?: (method: ProviderMethod, ms: number) => void;
  /** What to run (default: the dynamic-provider host of the project's @pulumi/pulumi). */
  command?: ProviderCommand;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckResult {
  inputs: WireObject;
  failures: CheckFailure[];
}

export type DiffChanges = "unknown" | "none" | "some";

export interface DiffResult {
  changes: DiffChanges;
  replaces: string[];
  stables: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
  /** Set when the engine could not ask the provider (its configuration is unknown): the warning it prints. */
  unavailable?: string;
}

/** provider_plugin.go `Diff`'s message when the provider's configuration is not known during preview. */
export const DIFF_UNAVAILABLE =
  "The provider for this resource has inputs that are not known during preview.\n" +
  "This preview may not correctly represent the changes that will be applied during an update.";

export interface CreateResult {
  id: string;
  properties: WireObject;
}

export interface ReadResult {
  id: string;
  properties: WireObject;
  /** Present only when the provider's read returned inputs. */
  inputs?: WireObject;
}

export interface ConfigureResult {
  acceptSecrets: boolean;
  acceptResources: boolean;
  supportsPreview: boolean;
}

/**
 * A resource the provider created but could not finish (`ErrorResourceInitFailed`,
 * which the dynamic host sends for an error with `id` and `properties`): the
 * engine keeps it in the state with its id and init errors.
 */
export interface InitFailure {
  id: string;
  properties: WireObject;
  reasons: string[];
}

/** Error raised when a gRPC call to the host fails; `message` is the host's message. */
export class ProviderHostError extends Error {
  /** Present when the host reported ErrorResourceInitFailed (Create, Update). */
  initFailed?: InitFailure;
  constructor(
    readonly method: ProviderMethod,
    message: string,
    readonly code?: number,
    readonly details?: string,
  ) {
    super(message);
    this.name = "ProviderHostError";
  }
}

export interface PulumiProto {
  grpc: any;
  providerGrpc: any;
  providerPb: any;
  structPb: any;
  statusPb: any;
  resourcePb: any;
  callbackPb: any;
  callbackGrpc: any;
}

const protoCache = new Map<string, PulumiProto>();

/** Loads the gRPC stubs from the consumer project's own copy of @pulumi/pulumi. */
export function loadPulumiProto(cwd: string): PulumiProto {
  const pkgJson = path.join(cwd, "node_modules", "@pulumi", "pulumi", "package.json");
  const real = fs.realpathSync(pkgJson);
  let p = protoCache.get(real);
  if (!p) {
    const req = createRequire(real);
    p = {
      grpc: req("@grpc/grpc-js"),
      providerGrpc: req("./proto/provider_grpc_pb.js"),
      providerPb: req("./proto/provider_pb.js"),
      structPb: req("google-protobuf/google/protobuf/struct_pb"),
      statusPb: req("./proto/status_pb.js"),
      resourcePb: req("./proto/resource_pb.js"),
      callbackPb: req("./proto/callback_pb.js"),
      callbackGrpc: req("./proto/callback_grpc_pb.js"),
    };
    protoCache.set(real, p);
  }
  return p;
}

export interface ProcessMemory {
  /** Peak resident set size (VmHWM), kB. */
  peakRssKb: number;
  /** Current resident set size (VmRSS), kB. */
  rssKb: number;
}

/** Reads VmHWM / VmRSS of a process from /proc (Linux only; undefined elsewhere or if gone). */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
    return { peakRssKb: kb("VmHWM"), rssKb: kb("VmRSS") };
  } catch {
    return undefined;
  }
}

/** CPU time a process has used so far (user + system, /proc/<pid>/stat; Linux only, undefined elsewhere or if gone), ms. */
export function readProcessCpuMs(pid: number): number | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which is in parentheses and may hold spaces): utime and stime are the 12th and 13th.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** sysconf(_SC_CLK_TCK): 100 on every Linux this runs on (USER_HZ is fixed at 100 for /proc's clock ticks). */
const CLOCK_TICKS = 100;
