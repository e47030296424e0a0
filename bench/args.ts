/** Command-line flags of `npm run bench`. */
import { parseArgs } from "node:util";
import { integerFlag } from "../emulator/flags";

/** The workspace stack: `workspaces` workspaces of `members` members each. */
export interface WorkspaceShape {
  workspaces: number;
  members: number;
}

export interface BenchArgs {
  users: number;
  /** The workspace stack's size (--workspaces WxM). */
  workspaces: WorkspaceShape;
  parallel: number;
  runs: number;
  /** Stack sizes for the policy timings. */
  policySizes: number[];
  /** Repetitions of each policy timing. */
  policyRuns: number;
  /** User counts of the peak-RSS slope (measured with up → destroy). */
  rssSizes: number[];
  /** Latencies the emulator adds to every API call, token endpoint included; every phase is reported at each. */
  latenciesMs: number[];
  /** Skip parts: "harness", "sequential", "profile", "policy", "rss", "workspaces". */
  skip: Set<string>;
  /** Keep the provider hosts' CPU profiles in this directory. */
  keepProfiles?: string;
  /** Also write the results as JSON here. */
  json?: string;
  /** How the harness writes its checkpoint: after every step (as the Pulumi CLI does by default) or once at the end. */
  checkpoints: "every-step" | "end";
  /**
   * The edition the provider and the baselines talk to (the emulator runs as Enterprise either way, for
   * its unlimited seats): Enterprise creates users through Keycloak's admin API (one POST each) and
   * (de)activates them with one PUT by id; Community invites and (de)activates through the MLOps API.
   */
  edition: "community" | "enterprise";
}

export const PARTS = ["harness", "sequential", "profile", "policy", "rss", "workspaces", "native"];

export const USAGE = `Usage: npm run bench -- [--users N] [--workspaces WxM] [--parallel N] [--runs N] [--latency-ms 0,30]
                       [--policy-sizes 1000,10000] [--policy-runs N] [--rss-sizes 100,1000]
                       [--skip harness,sequential,profile,policy,rss,workspaces,native] [--json FILE]
                       [--checkpoints end|every-step] [--keep-profiles DIR] [--edition enterprise|community]

  --users N          users created, refreshed, half deactivated and destroyed (default 1000)
  --workspaces WxM   the workspace stack: W workspaces of M members each (W × M users, invited before
                     and outside the phases), created, refreshed, one member per workspace made owner,
                     destroyed; on an emulator of its own (default 20x50)
  --parallel N       concurrent resource operations, the engine's --parallel; also the floor's concurrency (default 64)
  --runs N           repetitions; medians are reported (default 3)
  --latency-ms L     milliseconds the emulator adds to every API call, the token endpoint included
                     (its latencyMs fault on endpoint "*"); every phase is measured at each (default 0,30)
  --policy-sizes L   stack sizes for the policy timings (default 1000,10000)
  --policy-runs N    repetitions of each policy timing (default 7)
  --rss-sizes L      user counts for the host peak-RSS slope (default 100 and --users)
  --skip L           leave out parts: harness (phases through Pulumi's host, with the floor and the
                     sequential baseline), sequential (the one-request-at-a-time baseline), profile (the
                     host's CPU profile: this package's share), policy, rss, workspaces (the workspace stack),
                     native (the native plugin against the dynamic provider: wall, provider CPU, checkpoint)
  --json FILE        also write every measurement as JSON
  --keep-profiles D  keep the provider hosts' CPU profiles (.cpuprofile, one per phase) in directory D
  --checkpoints M    "end" (default): the harness writes its checkpoint once per operation, like
                     PULUMI_SKIP_CHECKPOINTS=1; "every-step": after every resource, as it does in tests
                     (and the CLI by default), which costs O(N) per step
  --edition E        "enterprise" (default): users are created through Keycloak's admin API, one POST
                     each, and (de)activated with one PUT by id; "community": invite, activate and
                     deactivate of the MLOps API. The provider, the floor and the sequential baseline
                     make the same edition's calls; the emulator runs as Enterprise (no seat limit)`;

function positive(name: string, v: string | undefined, dflt: number): number {
  return integerFlag(name, v, 1, 100_000) ?? dflt;
}

function list(name: string, v: string | undefined, dflt: number[], min = 1): number[] {
  if (v === undefined) return dflt;
  return v.split(",").map((s) => integerFlag(name, s.trim(), min, 100_000) ?? NaN);
}

function shape(v: string | undefined): WorkspaceShape {
  if (v === undefined) return { workspaces: 20, members: 50 };
  const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(v);
  if (!m) throw new Error(`--workspaces takes WxM (workspaces x members each, e.g. 20x50), not '${v}'`);
  return {
    workspaces: positive("workspaces (W)", m[1], 20),
    members: positive("workspaces (M)", m[2], 50),
  };
}

export function parseBenchArgs(argv: string[]): BenchArgs | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: "string" },
      workspaces: { type: "string" },
      parallel: { type: "string" },
      runs: { type: "string" },
      "policy-sizes": { type: "string" },
      "policy-runs": { type: "string" },
      "rss-sizes": { type: "string" },
      skip: { type: "string" },
      json: { type: "string" },
      checkpoints: { type: "string" },
      "latency-ms": { type: "string" },
      "keep-profiles": { type: "string" },
      edition: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return "help";
  const users = positive("users", values.users, 1000);
  const skip = new Set(
    (values.skip ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const s of skip) if (!PARTS.includes(s)) throw new Error(`--skip takes ${PARTS.join(", ")}; not '${s}'`);
  const checkpoints = values.checkpoints ?? "end";
  if (checkpoints !== "end" && checkpoints !== "every-step")
    throw new Error(`--checkpoints takes end or every-step, not '${checkpoints}'`);
  const edition = values.edition ?? "enterprise";
  if (edition !== "community" && edition !== "enterprise")
    throw new Error(`--edition takes community or enterprise, not '${edition}'`);
  return {
    checkpoints,
    edition,
    users,
    workspaces: shape(values.workspaces),
    parallel: positive("parallel", values.parallel, 64),
    runs: positive("runs", values.runs, 3),
    latenciesMs: [...new Set(list("latency-ms", values["latency-ms"], [0, 30], 0))],
    policySizes: list("policy-sizes", values["policy-sizes"], [1000, 10000]),
    policyRuns: positive("policy-runs", values["policy-runs"], 7),
    rssSizes: list("rss-sizes", values["rss-sizes"], [...new Set([100, users])]),
    skip,
    json: values.json,
    keepProfiles: values["keep-profiles"],
  };
}
