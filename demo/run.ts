/**
 * `npm run demo`: examples/quickstart end to end against a throw-away emulator.
 *
 *   1. preview with the licence policy pack   (nothing may change on the server)
 *   2. up                                      (alice, carol active; bob invited, then deactivated)
 *   3. edit: carolActive=false, up             (carol deactivated in place)
 *   4. destroy                                 (everyone deactivated)
 *   5. over-the-licence variant: six active users, preview with the policy pack
 *      → a mandatory violation, so `up` is not run (as the Pulumi CLI would stop)
 *
 * With the `pulumi` CLI on PATH it runs the real CLI with a local file backend;
 * otherwise (or with `--harness`) the repository's test harness, which runs the
 * program and drives @pulumi/pulumi's own dynamic-provider host over gRPC.
 * After each step it prints what the emulator holds and the policy verdict, and
 * checks both; it exits non-zero if any step did not do what it printed.
 *
 * Options: --harness (never use the CLI), --keep (keep the temporary files and print where).
 * For tests: DEMO_EMULATOR_FAULTS='[{"endpoint":"/v1/api/users/deactivate","status":500}]'
 * starts the emulator with fault rules (see emulator/types.ts), to prove the demo fails.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, validateFaultRules } from "../emulator";
import type { RunningEmulator } from "../emulator";
import { Engine, harnessTempRoot, makeTempDir, ProviderHost, unwrapSecrets, WireObject } from "../test/harness";
import { exampleProject, ExampleProject } from "../test/examples/project";
import { AnalyzeResult, AnalyzerResourceInput, PolicyPackProcess } from "../test/policy/analyzerClient";

const USER_TYPE = "pulumi-nodejs:dynamic/wallaroo:User";
const LIMIT_POLICY = "wallaroo-active-user-limit";
const EXAMPLE = "quickstart";
const OVER_LICENCE_FILE = "over-licence.ts";

// ------------------------------------------------------------------ output

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = paint("1");
const dim = paint("2");
const green = paint("32");
const red = paint("31");
const yellow = paint("33");

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const say = (s = "") => process.stdout.write(s + "\n");

const failures: string[] = [];

/** Records and prints one expectation of a step. */
function expect(ok: boolean, what: string, detail?: string): void {
  say(`  ${ok ? green("✔") : red("✘")} ${what}${!ok && detail ? `\n      ${red(detail)}` : ""}`);
  if (!ok) failures.push(`${currentStep}: ${what}${detail ? ` (${detail})` : ""}`);
}

let currentStep = "start";
let stepNo = 0;
/** Thrown to stop after a step that did not do what it printed: the next steps build on it. */
class StepFailed extends Error {}
function step(title: string): void {
  if (failures.length) throw new StepFailed();
  currentStep = title;
  say("");
  say(bold(`[${++stepNo}] ${title}`) + dim(`  (${elapsed()})`));
}

// ------------------------------------------------------------------ the emulator's view

type Holdings = Record<string, boolean>;

function holdings(emu: RunningEmulator): Holdings {
  return Object.fromEntries(
    emu
      .users()
      .filter((u) => u.email)
      .map((u) => [u.email as string, u.enabled] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

function mutatingCalls(emu: RunningEmulator): number {
  const r = emu.stats().requests;
  return ["invite", "activate", "deactivate"].reduce((n, op) => n + (r[`/v1/api/users/${op}`] ?? 0), 0);
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

function sameHoldings(actual: Holdings, expected: Holdings): boolean {
  return JSON.stringify(actual) === JSON.stringify(expected);
}

function describeHoldings(h: Holdings): string {
  const entries = Object.entries(h);
  return entries.length ? entries.map(([e, a]) => `${e} ${a ? "active" : "inactive"}`).join(", ") : "no users";
}

/** Prints the table and checks the emulator against what the step promised. */
function checkEmulator(
  emu: RunningEmulator,
  expected: Holdings,
  what: string,
  opts: { noChanges?: boolean } = {},
): void {
  printTable(emu);
  const actual = holdings(emu);
  expect(sameHoldings(actual, expected), what, `the emulator holds: ${describeHoldings(actual)}`);
  if (opts.noChanges) {
    const n = mutatingCalls(emu);
    expect(n === 0, "no invite, activate or deactivate was sent", `${n} were sent`);
  }
}

// ------------------------------------------------------------------ policy verdicts

interface Verdict {
  /** Lines to print. */
  lines: string[];
  /** Mandatory violations, by policy name. */
  mandatory: string[];
}

function verdictFromAnalysis(result: AnalyzeResult, checkedUsers: number): Verdict {
  if (result.diagnostics.length === 0) {
    return {
      lines: [
        `wallaroo-licence: no violations (${checkedUsers} wallaroo.User${checkedUsers === 1 ? "" : "s"} checked)`,
      ],
      mandatory: [],
    };
  }
  // The analyzer's message starts with the policy's description; the violation follows it.
  const violation = (d: AnalyzeResult["diagnostics"][number]) =>
    (d.message.startsWith(d.description) ? d.message.slice(d.description.length) : d.message)
      .trim()
      .replace(/\s*\n\s*/g, " ");
  return {
    lines: result.diagnostics.map((d) => `[${d.enforcementLevel}] ${d.policyName}: ${violation(d)}`),
    mandatory: result.diagnostics.filter((d) => d.enforcementLevel === "mandatory").map((d) => d.policyName),
  };
}

function printVerdict(v: Verdict): void {
  say(dim("  policy verdict:"));
  for (const l of v.lines) say(`    ${v.mandatory.length ? red(l) : l}`);
}

/** A resource as the engine hands it to an analyzer: internal keys left out, secrets unwrapped. */
function analyzerResource(urn: string, props: WireObject): AnalyzerResourceInput {
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) if (!k.startsWith("__")) properties[k] = unwrapSecrets(v);
  return { type: USER_TYPE, name: urn.split("::").pop()!, urn, properties };
}

// ------------------------------------------------------------------ the two ways to run Pulumi

interface StepResult {
  ok: boolean;
  /** What went wrong, when not ok. */
  error?: string;
  verdict: Verdict;
}

interface Runner {
  readonly label: string;
  preview(variant: "quickstart" | "over-licence"): Promise<StepResult>;
  up(): Promise<StepResult>;
  setCarolInactive(): Promise<void>;
  destroy(): Promise<StepResult>;
  close(): Promise<void>;
}

interface Setup {
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
function overLicenceProgram(quickstart: string): string {
  return (
    quickstart +
    `
// Over the licence: four more active users make six (alice, carol, dave, erin, frank, grace).
export const more = ["dave", "erin", "frank", "grace"].map((n) => new wallaroo.User(n, { email: \`\${n}@example.com\` }).userId);
`
  );
}

class HarnessRunner implements Runner {
  readonly label = "the test harness (Pulumi's dynamic-provider host over gRPC; no `pulumi` CLI used)";
  private readonly engine: Engine;
  private readonly overEngine: Engine;
  /** Checked inputs of the last run's registrations: what a preview hands the policy pack. */
  private readonly planned = new Map<string, WireObject>();

  private constructor(
    private readonly s: Setup,
    private readonly pack: PolicyPackProcess,
  ) {
    const capture = (host: ProviderHost) => {
      const check = host.check.bind(host);
      host.check = async (urn, olds, news, seed) => {
        const r = await check(urn, olds, news, seed);
        if (r.failures.length === 0 && urn.includes(`::${USER_TYPE}::`)) this.planned.set(urn, r.inputs);
        return r;
      };
    };
    const project = s.project;
    const make = (stackName: string) => {
      const key = `${project.example.projectName}:bobPassword`;
      return new Engine({
        projectDir: project.dir,
        projectName: project.example.projectName,
        stackName,
        stateFile: path.join(s.tmp, "state", `${stackName}.json`),
        config: {
          "wallaroo:url": s.emu.url,
          "wallaroo:username": "admin",
          "wallaroo:password": s.adminPassword,
          [key]: s.bobPassword,
        },
        secretConfigKeys: ["wallaroo:password", key],
        onHostStarted: capture,
      });
    };
    this.engine = make("demo");
    this.overEngine = make("over-licence");
    // The variant is a second program in the same project (the harness takes the program's file name).
    fs.writeFileSync(path.join(project.dir, OVER_LICENCE_FILE), s.overLicenceProgram);
  }

  static async start(s: Setup): Promise<HarnessRunner> {
    // The pack the user runs: `--policy-pack node_modules/pulumi-wallaroo/policy`, default configuration.
    const pack = await PolicyPackProcess.start(path.join(s.project.dir, "node_modules", "pulumi-wallaroo", "policy"));
    await pack.configure({});
    return new HarnessRunner(s, pack);
  }

  private async analyze(resources: AnalyzerResourceInput[]): Promise<Verdict> {
    return verdictFromAnalysis(await this.pack.analyzeStack(resources), resources.length);
  }

  /** After an up or destroy the policies see the stack's resources with their outputs, as in `pulumi up`. */
  private stateVerdict(): Promise<Verdict> {
    return this.analyze(
      this.engine
        .listResources()
        .filter((r) => r.type === USER_TYPE && !r.delete)
        .map((r) => analyzerResource(r.urn, r.outputs)),
    );
  }

  async preview(variant: "quickstart" | "over-licence"): Promise<StepResult> {
    const engine = variant === "quickstart" ? this.engine : this.overEngine;
    this.planned.clear();
    const s = await engine.preview(variant === "quickstart" ? "index.ts" : OVER_LICENCE_FILE);
    const registered = new Set(s.steps.map((st) => st.urn));
    const verdict = await this.analyze(
      [...this.planned].filter(([urn]) => registered.has(urn)).map(([urn, inputs]) => analyzerResource(urn, inputs)),
    );
    return { ok: s.ok, error: summaryError(s), verdict };
  }

  async up(): Promise<StepResult> {
    const s = await this.engine.up("index.ts");
    return { ok: s.ok, error: summaryError(s), verdict: await this.stateVerdict() };
  }

  async setCarolInactive(): Promise<void> {
    this.engine.config[`${this.s.project.example.projectName}:carolActive`] = "false";
  }

  async destroy(): Promise<StepResult> {
    const s = await this.engine.destroy();
    return { ok: s.ok, error: summaryError(s), verdict: await this.stateVerdict() };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.engine.close(), this.overEngine.close(), this.pack.stop()]);
  }
}

function summaryError(s: {
  ok: boolean;
  failed: Array<{ urn: string; message: string }>;
  programErrors?: string[];
}): string | undefined {
  if (s.ok) return undefined;
  // A failed registration also surfaces as a program error repeating it: report the program's own errors only without failures.
  const lines = s.failed.length
    ? s.failed.map((f) => `${f.urn.split("::").pop()}: ${f.message}`)
    : (s.programErrors ?? []);
  return lines.join("; ");
}

/** Finds an executable on PATH (what `which` does). */
function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, cmd);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

interface CliResult {
  code: number;
  output: string;
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 300_000,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === "number"
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** The policy section of the CLI's output ("Policies:" / "Policy Violations:" and what is indented under it). */
function policyLines(output: string): string[] {
  const lines = output.split(/\r?\n/);
  const out: string[] = [];
  let inside = false;
  for (const l of lines) {
    if (/^\s*Polic(y|ies)\b.*:\s*$/.test(l)) {
      inside = true;
      out.push(l.trim());
      continue;
    }
    if (inside) {
      if (l.trim() === "" || /^\S/.test(l)) {
        inside = false;
        continue;
      }
      out.push(l.trim());
    }
  }
  return out;
}

const POLICY_NAMES = [
  "wallaroo-active-user-limit",
  "wallaroo-user-email",
  "wallaroo-duplicate-email",
  "wallaroo-unknown-values",
];

/** The CLI's verdict: its policy section, and the policies it names on `[mandatory]` lines. */
function cliVerdict(r: CliResult): Verdict {
  const lines = policyLines(r.output);
  const mandatory = new Set<string>();
  for (const l of lines) {
    if (!/\bmandatory\b/.test(l)) continue;
    for (const name of POLICY_NAMES) if (l.includes(name)) mandatory.add(name);
  }
  if (lines.length === 0) {
    // The CLI fails when a pack given with --policy-pack cannot run, so exit 0 means it ran and passed.
    lines.push(
      r.code === 0
        ? "wallaroo-licence: no violations (the CLI ran the pack and exited 0)"
        : "(the CLI printed no policy section; see its error)",
    );
  }
  return { lines, mandatory: [...mandatory] };
}

class CliRunner implements Runner {
  readonly label: string;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(
    private readonly pulumi: string,
    version: string,
    private readonly s: Setup,
    /** The variant as a project of its own: the CLI runs a project's `main`. */
    private readonly overLicence: ExampleProject,
  ) {
    const backend = path.join(s.tmp, "backend");
    fs.mkdirSync(backend, { recursive: true });
    this.label = `the Pulumi CLI ${version} (${pulumi}) with a local file backend in ${backend}`;
    this.env = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: "demo-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      // The emulator's address and password come from stack configuration, not the caller's environment.
      WALLAROO_URL: "",
      WALLAROO_USER: "",
      WALLAROO_PASSWORD: "",
      WALLAROO_TOKEN: "",
    };
  }

  static async start(pulumi: string, s: Setup): Promise<CliRunner> {
    const v = await run(pulumi, ["version"], s.tmp, process.env);
    const overLicence = await exampleProject(EXAMPLE, {
      fullInstall: true,
      files: { "index.ts": s.overLicenceProgram },
    });
    const runner = new CliRunner(pulumi, v.output.trim(), s, overLicence);
    await runner.initStack(s.project, "demo");
    await runner.initStack(overLicence, "over-licence");
    return runner;
  }

  private async must(args: string[], cwd: string): Promise<CliResult> {
    const r = await run(this.pulumi, args, cwd, this.env);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (exit ${r.code}):\n${r.output}`);
    return r;
  }

  private async initStack(project: ExampleProject, stack: string): Promise<void> {
    const cwd = project.dir;
    await this.must(["stack", "init", stack, "--non-interactive"], cwd);
    await this.must(["config", "set", "wallaroo:url", this.s.emu.url], cwd);
    await this.must(["config", "set", "wallaroo:username", "admin"], cwd);
    await this.must(["config", "set", "--secret", "wallaroo:password", this.s.adminPassword], cwd);
    await this.must(["config", "set", "--secret", "bobPassword", this.s.bobPassword], cwd);
  }

  private packDir(project: ExampleProject): string {
    return path.join(project.dir, "node_modules", "pulumi-wallaroo", "policy");
  }

  private async op(project: ExampleProject, stack: string, args: string[]): Promise<StepResult> {
    const r = await run(
      this.pulumi,
      [...args, "--stack", stack, "--non-interactive", "--color", "never"],
      project.dir,
      this.env,
    );
    return { ok: r.code === 0, error: r.code === 0 ? undefined : lastLines(r.output), verdict: cliVerdict(r) };
  }

  preview(variant: "quickstart" | "over-licence"): Promise<StepResult> {
    const project = variant === "quickstart" ? this.s.project : this.overLicence;
    return this.op(project, variant === "quickstart" ? "demo" : "over-licence", [
      "preview",
      "--policy-pack",
      this.packDir(project),
    ]);
  }

  up(): Promise<StepResult> {
    return this.op(this.s.project, "demo", [
      "up",
      "--yes",
      "--skip-preview",
      "--policy-pack",
      this.packDir(this.s.project),
    ]);
  }

  async setCarolInactive(): Promise<void> {
    await this.must(["config", "set", "carolActive", "false", "--stack", "demo"], this.s.project.dir);
  }

  async destroy(): Promise<StepResult> {
    const r = await this.op(this.s.project, "demo", ["destroy", "--yes", "--skip-preview"]);
    return { ...r, verdict: { lines: ["(destroy runs no policies; the stack is now empty)"], mandatory: [] } };
  }

  async close(): Promise<void> {
    // The backend lives in the temporary directory, removed on exit.
  }
}

function lastLines(text: string, n = 25): string {
  return text.trimEnd().split(/\r?\n/).slice(-n).join("\n");
}

// ------------------------------------------------------------------ the demo

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !["--harness", "--keep"].includes(a));
  if (unknown.length) {
    say(`unknown option ${unknown.join(" ")}; usage: npm run demo [-- --harness] [-- --keep]`);
    return 2;
  }
  if (args.includes("--keep")) process.env.HARNESS_KEEP_TEMP = "1";
  // Installs go into the temporary directory, removed on exit, unless the caller chose otherwise.
  process.env.HARNESS_NO_CACHE ??= "1";

  const pulumiCli = args.includes("--harness") ? undefined : which("pulumi");
  say(bold("pulumi-wallaroo demo: examples/quickstart against a throw-away Wallaroo emulator"));

  const tmp = makeTempDir("demo");
  const adminPassword = `admin-${randomBytes(6).toString("hex")}`;
  const bobPassword = `Bob-${randomBytes(6).toString("hex")}`;
  const faults = process.env.DEMO_EMULATOR_FAULTS
    ? validateFaultRules(JSON.parse(process.env.DEMO_EMULATOR_FAULTS))
    : undefined;
  const emu = await startEmulator({
    port: 0,
    dataFile: path.join(tmp, "wallaroo.json"),
    adminPassword,
    edition: "community",
    faults,
  });
  if (faults) say(yellow(`fault rules: ${JSON.stringify(faults)}`));
  let runner: Runner | undefined;
  const cleanup = async () => {
    await runner?.close();
    await emu.close();
  };
  const onSignal = (sig: NodeJS.Signals) => {
    say(`\n${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    say(`emulator:  ${emu.url}  (community licence: 5 active users; data file ${path.join(tmp, "wallaroo.json")})`);
    say(
      `engine:    ${pulumiCli ? `the Pulumi CLI at ${pulumiCli}` : `the test harness (${args.includes("--harness") ? "--harness given" : "no `pulumi` on PATH"})`}`,
    );
    say(
      dim(
        `preparing: npm pack, and a copy of examples/${EXAMPLE} with the tarball installed${pulumiCli ? " (with its devDependencies, for the CLI's TypeScript)" : ""} ...`,
      ),
    );
    const project = await exampleProject(EXAMPLE, { fullInstall: pulumiCli !== undefined });
    const setup: Setup = {
      emu,
      adminPassword,
      bobPassword,
      tmp,
      project,
      overLicenceProgram: overLicenceProgram(project.example.files["index.ts"]),
    };
    runner = pulumiCli ? await CliRunner.start(pulumiCli, setup) : await HarnessRunner.start(setup);
    say(`running:   ${runner.label}`);
    say(dim(`project:   ${project.dir}  (${elapsed()})`));

    // 1. preview with the policy pack
    step("pulumi preview --policy-pack node_modules/pulumi-wallaroo/policy");
    emu.resetStats();
    let r = await runner.preview("quickstart");
    expect(r.ok, "the preview succeeds", r.error);
    checkEmulator(emu, {}, "a preview creates nothing", { noChanges: true });
    printVerdict(r.verdict);
    expect(
      r.verdict.mandatory.length === 0,
      "the policy pack passes three users, two of them active",
      r.verdict.lines.join(" "),
    );

    // 2. up
    step("pulumi up");
    emu.resetStats();
    r = await runner.up();
    expect(r.ok, "the up succeeds", r.error);
    checkEmulator(
      emu,
      { "alice@example.com": true, "bob@example.com": false, "carol@example.com": true },
      "alice and carol are active, bob was invited and deactivated",
    );
    printVerdict(r.verdict);
    expect(r.verdict.mandatory.length === 0, "no policy violation", r.verdict.lines.join(" "));

    // 3. the edit
    step("pulumi config set carolActive false && pulumi up");
    await runner.setCarolInactive();
    emu.resetStats();
    r = await runner.up();
    expect(r.ok, "the up succeeds", r.error);
    checkEmulator(
      emu,
      { "alice@example.com": true, "bob@example.com": false, "carol@example.com": false },
      "carol is deactivated, alice and bob unchanged",
    );
    const deactivations = emu.stats().requests["/v1/api/users/deactivate"] ?? 0;
    expect(
      mutatingCalls(emu) === 1 && deactivations === 1,
      "exactly one call was made: carol's deactivation",
      `${mutatingCalls(emu)} mutating calls`,
    );
    printVerdict(r.verdict);
    expect(r.verdict.mandatory.length === 0, "no policy violation", r.verdict.lines.join(" "));

    // 4. destroy
    step("pulumi destroy");
    emu.resetStats();
    r = await runner.destroy();
    expect(r.ok, "the destroy succeeds", r.error);
    checkEmulator(
      emu,
      { "alice@example.com": false, "bob@example.com": false, "carol@example.com": false },
      "everyone is deactivated (the API has no delete)",
    );
    printVerdict(r.verdict);

    // 5. over the licence
    step(
      "over the licence: the quickstart plus dave, erin, frank and grace (six active); pulumi preview --policy-pack ...",
    );
    const before = holdings(emu);
    emu.resetStats();
    r = await runner.preview("over-licence");
    printVerdict(r.verdict);
    expect(
      r.verdict.mandatory.includes(LIMIT_POLICY),
      `the policy pack stops it: a mandatory ${LIMIT_POLICY} violation`,
      r.verdict.lines.join(" "),
    );
    if (pulumiCli) expect(!r.ok, "the preview fails, as it does in CI", "the CLI exited 0");
    say(
      r.verdict.mandatory.length
        ? yellow("  → `pulumi up` is not run: a mandatory violation stops it as it stops the preview")
        : red("  → the policy did not stop it; `pulumi up` is not run anyway"),
    );
    checkEmulator(emu, before, "nothing changed on the server", { noChanges: true });
  } catch (e) {
    if (e instanceof StepFailed) {
      say(red(`\nstopped: step ${stepNo} did not do what it printed, and the next steps build on it`));
    } else {
      failures.push(`${currentStep}: ${e instanceof Error ? e.message : String(e)}`);
      say(red(`\n${e instanceof Error ? e.message : String(e)}`));
    }
  } finally {
    await cleanup();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }

  say("");
  if (process.env.HARNESS_KEEP_TEMP) say(dim(`kept the temporary files in ${harnessTempRoot()}`));
  else say(dim("cleaned up: emulator stopped; temporary project, state and data file are removed on exit"));
  if (failures.length) {
    say(
      red(
        bold(
          `demo FAILED after ${elapsed()}: ${failures.length} check${failures.length === 1 ? "" : "s"} did not hold:`,
        ),
      ),
    );
    for (const f of failures) say(red(`  - ${f}`));
    return 1;
  }
  say(
    green(bold(`demo OK in ${elapsed()} using ${pulumiCli ? "the Pulumi CLI" : "the test harness"}.`)) +
      " Copy examples/quickstart (or team-roster, adopt-existing) into your own infra repository to start.",
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`demo crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
