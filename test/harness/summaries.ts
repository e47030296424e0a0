/**
 * What the engine is asked (options) and what it answers (the summaries of
 * `up`, `preview`, `refresh` and `destroy`), modelled on what the Pulumi CLI
 * prints and records: the step operations are the engine's own (`same`,
 * `create`, `update`, `replace`, `create-replacement`, `delete-replaced`, …;
 * pkg/resource/deploy/step.go in pulumi/pulumi), and a failed step fails the
 * operation while the others carry on, as `pulumi up` does.
 */
import type { ProviderHost, CheckFailure } from "./providerHost";
import type { WireObject } from "./wire";

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

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
  /** The old URN whose state this resource took over through its `aliases` option. */
  aliasedFrom?: string;
}

export interface PhaseTimings {
  /** Starting the provider host, when the operation started one. */
  hostStart?: number;
  [phase: string]: number | undefined;
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

/** URNs of the steps of one kind, the root stack left out. */
export function urnsOf(steps: StepRecord[], op: StepOp): string[] {
  return steps.filter((s) => s.op === op && !s.urn.includes(`::${ROOT_STACK_TYPE}::`)).map((s) => s.urn);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
