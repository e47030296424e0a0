/**
 * Runs the demo's steps with the repository's test harness: the program under
 * @pulumi/pulumi's mocks wired to the harness engine, which drives Pulumi's own
 * dynamic-provider host over gRPC, and the policy pack's own entry point as an
 * analyzer (AnalyzeStack over gRPC), handed what a preview or an up would hand it: every
 * resource of the stack, so the workspace policies run too.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Engine, ProviderHost, unwrapSecrets, WireObject } from "../test/harness";
import { AnalyzeResult, AnalyzerResourceInput, PolicyPackProcess } from "../test/policy/analyzerClient";
import { Runner, Setup, StepResult, Verdict } from "./runner";

const OVER_LICENCE_FILE = "over-licence.ts";

/** "3 wallaroo.User, 1 wallaroo.Workspace, 2 wallaroo.WorkspaceMember": the wallaroo resources by type, by name. */
function describeChecked(types: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const t of types) {
    const m = /^pulumi-nodejs:dynamic\/wallaroo:(\w+)$/.exec(t);
    if (m) counts.set(`wallaroo.${m[1]}`, (counts.get(`wallaroo.${m[1]}`) ?? 0) + 1);
  }
  return counts.size === 0
    ? "the stack holds no wallaroo resources"
    : `checked ${[...counts]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([t, n]) => `${n} ${t}`)
        .join(", ")}`;
}

export function verdictFromAnalysis(result: AnalyzeResult, checkedTypes: readonly string[]): Verdict {
  if (result.diagnostics.length === 0) {
    return { lines: [`wallaroo-licence: no violations (${describeChecked(checkedTypes)})`], mandatory: [] };
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

/** The type in a URN (`urn:pulumi:<stack>::<project>::<parent types$>type::<name>`). */
function typeOfUrn(urn: string): string {
  return urn.split("::")[2]?.split("$").pop() ?? "";
}

/** A resource as the engine hands it to an analyzer: internal keys left out, secrets unwrapped. */
function analyzerResource(
  urn: string,
  type: string,
  props: WireObject,
  dependencies?: string[],
): AnalyzerResourceInput {
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) if (!k.startsWith("__")) properties[k] = unwrapSecrets(v);
  return { type, name: urn.split("::").pop()!, urn, properties, ...(dependencies ? { dependencies } : {}) };
}

export class HarnessRunner implements Runner {
  readonly label = "the test harness (Pulumi's dynamic-provider host over gRPC; no `pulumi` CLI used)";
  private readonly engine: Engine;
  private readonly overEngine: Engine;
  /** Checked inputs of the last run's registrations, every type: what a preview hands the policy pack. */
  private readonly planned = new Map<string, WireObject>();

  private constructor(
    private readonly s: Setup,
    private readonly pack: PolicyPackProcess,
  ) {
    const capture = (host: ProviderHost) => {
      const check = host.check.bind(host);
      host.check = async (urn, olds, news, seed) => {
        const r = await check(urn, olds, news, seed);
        if (r.failures.length === 0) this.planned.set(urn, r.inputs);
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
    return verdictFromAnalysis(
      await this.pack.analyzeStack(resources),
      resources.map((r) => r.type),
    );
  }

  /**
   * After an up or destroy the policies see every resource of the stack with its outputs, as the
   * engine hands them over in `pulumi up` (users, workspaces, memberships, the stack itself).
   */
  private stateVerdict(): Promise<Verdict> {
    return this.analyze(
      this.engine
        .listResources()
        .filter((r) => !r.delete)
        .map((r) => analyzerResource(r.urn, r.type, r.outputs, r.dependencies)),
    );
  }

  async preview(variant: "quickstart" | "over-licence"): Promise<StepResult> {
    const engine = variant === "quickstart" ? this.engine : this.overEngine;
    this.planned.clear();
    const s = await engine.preview(variant === "quickstart" ? "index.ts" : OVER_LICENCE_FILE);
    const registered = new Set(s.steps.map((st) => st.urn));
    // Every resource the program registered, with its checked inputs (the planned state of a dynamic
    // resource); a value computed from another resource is unknown here, as in `pulumi preview`.
    const verdict = await this.analyze(
      [...this.planned]
        .filter(([urn]) => registered.has(urn))
        .map(([urn, inputs]) => analyzerResource(urn, typeOfUrn(urn), inputs)),
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
