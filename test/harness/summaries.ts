/**
 * What the engine is asked (options) and what it answers (the summaries of
 * `up`, `preview`, `refresh` and `destroy`), modelled on what the Pulumi CLI
 * prints and records: the step operations are the engine's own (`same`,
 * `create`, `update`, `replace`, `create-replacement`, `delete-replaced`, …;
 * pkg/resource/deploy/step.go in pulumi/pulumi); a failed step fails the
 * operation and cancels the steps not yet started (step_executor.go), which
 * the summaries list as `skipped`.
 */
import type { ProviderHost, CheckFailure } from "./providerHost";
import { isDefaultProviderUrn } from "./providerPlugins";
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
  /** Maximum concurrent resource operations. Default 4 × the CPUs, as the CLI (up.go `defaultParallel`). */
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
  /**
   * Resource plugin folders by package (`{ wallaroo: ".../plugin" }`), for types that are not
   * dynamic; else Pulumi.yaml's `plugins.providers` in the project (./providerPlugins.ts).
   */
  plugins?: Record<string, string>;
  /** Time limit for one program run. Default 120 s. */
  programTimeoutMs?: number;
}

/** The options of `pulumi up` the harness models. */
export interface UpOptions {
  /** `pulumi preview`: no Create/Update/Delete, nothing written. */
  preview?: boolean;
  /** `--target`: URNs or resource names; only these (and, for a create, what they need) get steps. */
  targets?: string[];
  /** `--replace`: URNs or names replaced whatever the diff says. */
  replace?: string[];
  /** `--refresh`: refresh every resource first, then diff against the refreshed state. */
  refresh?: boolean;
  /** `--parallel` for this operation. */
  parallel?: number;
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
  | "skipped-create"
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

/** One retry an `onError` hook asked for: the operation sent again, and the errors so far (newest first). */
export interface HookRetry {
  urn: string;
  failedOperation: "create";
  errors: string[];
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
  /**
   * True when deletes (of unregistered resources and of the old halves of create-before-delete
   * replacements) were skipped because a step failed (deployment_executor.go runs them only on a clean finish).
   */
  deletesSkipped: boolean;
  /** URNs whose delete was skipped (they stay in the state; the next `up` retries them). */
  skippedDeletes: string[];
  /** URNs of registrations whose step was cancelled (never started) after an earlier step failed. */
  skipped: string[];
  /** The retries `onError` hooks asked for, in order. */
  hookRetries: HookRetry[];
  /** Warnings the engine printed for resources (`<urn>: <message>`), e.g. a diff it could not ask for. */
  warnings: string[];
  steps: StepRecord[];
  ok: boolean;
  timings: PhaseTimings;
}

export interface RefreshSummary {
  operation: "refresh";
  refreshed: string[];
  removed: string[];
  failed: StepFailure[];
  /** URNs not read because an earlier read failed. */
  skipped: string[];
  /** Errors of the program (with `runProgram`). */
  programErrors: string[];
  steps: StepRecord[];
  ok: boolean;
  timings: PhaseTimings;
}

export interface DestroySummary {
  operation: "destroy";
  deleted: string[];
  failed: StepFailure[];
  /** URNs not deleted because an earlier delete failed. */
  skipped: string[];
  /** Errors of the program (with `runProgram`). */
  programErrors: string[];
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
  /** CPU time (user + system) of each provider host when its operation stopped it, ms. */
  hostCpuMs: number[];
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
  return steps
    .filter((s) => s.op === op && !s.urn.includes(`::${ROOT_STACK_TYPE}::`) && !isDefaultProviderUrn(s.urn))
    .map((s) => s.urn);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
