/**
 * The two ways the demo runs Pulumi — the `pulumi` CLI (./cliRunner.ts) or the
 * repository's test harness (./harnessRunner.ts) — behind one interface, and
 * what both are given.
 */
import type { RunningEmulator } from "../emulator";
import type { ExampleProject } from "../test/examples/project";

export { ACTIVE_USER_LIMIT_POLICY as LIMIT_POLICY } from "../policy/policies";
export const EXAMPLE = "quickstart";

export interface Verdict {
  /** Lines to print. */
  lines: string[];
  /** Mandatory violations, by policy name. */
  mandatory: string[];
}

export interface StepResult {
  ok: boolean;
  /** What went wrong, when not ok. */
  error?: string;
  verdict: Verdict;
}

export interface Runner {
  readonly label: string;
  preview(variant: "quickstart" | "over-licence"): Promise<StepResult>;
  up(): Promise<StepResult>;
  setCarolInactive(): Promise<void>;
  destroy(): Promise<StepResult>;
  close(): Promise<void>;
}

export interface Setup {
  emu: RunningEmulator;
  adminPassword: string;
  bobPassword: string;
  tmp: string;
  /** The quickstart project. */
  project: ExampleProject;
  /** The over-the-licence variant of its index.ts. */
  overLicenceProgram: string;
}

/** The quickstart with four more active users: six active, over the community licence of five. */
export function overLicenceProgram(quickstart: string): string {
  return (
    quickstart +
    `
// Over the licence: four more active users make six (alice, carol, dave, erin, frank, grace).
export const more = ["dave", "erin", "frank", "grace"].map((n) => new wallaroo.User(n, { email: \`\${n}@example.com\` }).userId);
`
  );
}
