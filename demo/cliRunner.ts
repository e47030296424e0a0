/**
 * Runs the demo's steps with the real `pulumi` CLI (when one is on PATH): a
 * local file backend in the temporary directory, stack configuration set with
 * `pulumi config set`, the policy pack given with `--policy-pack`; the verdict
 * is read from the CLI's own policy section.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { wallarooPolicies } from "../policy/policies";
import { exampleProject, ExampleProject } from "../test/examples/project";
import { EXAMPLE, Runner, Setup, StepResult, Verdict } from "./runner";

/** Finds an executable on PATH (what `which` does). */
export function which(cmd: string): string | undefined {
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

const POLICY_NAMES = wallarooPolicies.map((p) => p.name);

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

export class CliRunner implements Runner {
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
