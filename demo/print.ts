/**
 * What the demo prints, and the checks behind each ✔/✘: step headings, the
 * emulator's users as a table, the policy verdict. Every expectation is
 * recorded here, so the entry point can say at the end which ones did not hold.
 */
import type { RunningEmulator } from "../emulator";
import { agree } from "../policy/plural";
import type { Verdict } from "./runner";

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = paint("1");
export const dim = paint("2");
export const green = paint("32");
export const red = paint("31");
export const yellow = paint("33");

const t0 = performance.now();
export const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
export const say = (s = "") => process.stdout.write(s + "\n");

/** The checks so far: what did not hold, and the step being played. */
export const checks = { failures: [] as string[], currentStep: "start", stepNo: 0 };

/** Records and prints one expectation of a step. */
export function expect(ok: boolean, what: string, detail?: string): void {
  say(`  ${ok ? green("✔") : red("✘")} ${what}${!ok && detail ? `\n      ${red(detail)}` : ""}`);
  if (!ok) checks.failures.push(`${checks.currentStep}: ${what}${detail ? ` (${detail})` : ""}`);
}

/** Thrown to stop after a step that did not do what it printed: the next steps build on it. */
export class StepFailed extends Error {}

let stepStarted: number | undefined;

/** Starts a step: ends the one before (its time printed), checks it held, prints the heading. */
export function step(title: string): void {
  stepDone();
  if (checks.failures.length) throw new StepFailed();
  checks.currentStep = title;
  stepStarted = performance.now();
  say("");
  say(bold(`[${++checks.stepNo}] ${title}`));
}

/** Ends the step being played, printing its own time (not the time since the start); once per step. */
export function stepDone(): void {
  if (stepStarted === undefined) return;
  say(dim(`  step ${checks.stepNo} took ${((performance.now() - stepStarted) / 1000).toFixed(1)} s`));
  stepStarted = undefined;
}

// ------------------------------------------------------------------ the emulator's view

export type Holdings = Record<string, boolean>;

/** Email → active, for the users that have an email. */
export function holdings(emu: RunningEmulator): Holdings {
  return Object.fromEntries(
    emu
      .users()
      .filter((u) => u.email)
      .map((u) => [u.email as string, u.enabled] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** Invites, activations and deactivations since the last `resetStats`. */
export function mutatingCalls(emu: RunningEmulator): number {
  const r = emu.stats().requests;
  return ["invite", "activate", "deactivate"].reduce((n, op) => n + (r[`/v1/api/users/${op}`] ?? 0), 0);
}

/** The quickstart's workspace on the emulator: its members by email and role, or undefined when it does not exist. */
export function workspaceMembers(emu: RunningEmulator, name: string): Record<string, string> | undefined {
  const ws = emu.workspaces().find((w) => w.name === name);
  if (!ws) return undefined;
  const emailOf = new Map(emu.users().map((u) => [u.id, u.email ?? u.username]));
  return Object.fromEntries(
    ws.members
      .map((m) => [emailOf.get(m.user_id) ?? m.user_id, m.user_type.toLowerCase()] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

function printTable(emu: RunningEmulator): void {
  const users = emu.users().sort((a, b) => (a.email ?? "").localeCompare(b.email ?? ""));
  const rows = users.filter((u) => u.email).map((u) => [u.email as string, u.enabled ? "yes" : "no", u.id]);
  const others = users.filter((u) => !u.email).map((u) => u.username);
  const head = ["email", "active", "id"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => "    " + cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  say(dim("  the emulator holds:"));
  say(dim(line(head)));
  if (rows.length === 0) say("    (no users with an email)");
  for (const r of rows) say(line(r));
  if (others.length) say(dim(`    + ${others.length} without an email (${others.join(", ")}), not managed by email`));
}

function describeHoldings(h: Holdings): string {
  const entries = Object.entries(h);
  return entries.length ? entries.map(([e, a]) => `${e} ${a ? "active" : "inactive"}`).join(", ") : "no users";
}

/** Prints the table and checks the emulator against what the step promised. */
export function checkEmulator(
  emu: RunningEmulator,
  expected: Holdings,
  what: string,
  opts: { noChanges?: boolean } = {},
): void {
  printTable(emu);
  const actual = holdings(emu);
  expect(JSON.stringify(actual) === JSON.stringify(expected), what, `the emulator holds: ${describeHoldings(actual)}`);
  if (opts.noChanges) {
    const n = mutatingCalls(emu);
    expect(n === 0, "no invite, activate or deactivate was sent", `${n} ${agree(n, "was", "were")} sent`);
  }
}

export function printVerdict(v: Verdict): void {
  say(dim("  policy verdict:"));
  for (const l of v.lines) say(`    ${v.mandatory.length ? red(l) : l}`);
}
