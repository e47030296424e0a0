/**
 * Runs the program, as the CLI's language host does: one Node.js process with
 * the project directory as working directory and the stack configuration in
 * PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS (what sdk/nodejs/cmd/run in
 * pulumi/pulumi reads), each resource registration sent to the engine and
 * answered with its URN, id and outputs (pkg/resource/deploy/source_eval.go,
 * the resource monitor). Here the process is ./programRunner.ts, which wires
 * the consumer copy's mock monitor to us over IPC instead of gRPC.
 *
 * A TypeScript program is transpiled first (transpile only, as the CLI's
 * ts-node does with `typeCheck` off by default).
 */
import { fork } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import type { ArtifactLog } from "./artifacts";
import type { ChildToParent, ErrorHookRef, ParentToChild } from "./protocol";

export interface ProgramRun {
  projectDir: string;
  projectName: string;
  stackName: string;
  config: Record<string, string>;
  secretConfigKeys: string[];
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Where the program's output and errors are recorded, as `program#<run>:…`. */
  artifacts: ArtifactLog;
  run: number;
  /** Filled with the program's `onError` hooks as it registers them (./hooks.ts). */
  errorHooks?: Map<string, ErrorHookRef>;
}

/** Compiles a .ts program to a sibling .js (transpile only) and returns the .js path. */
export function compileProgram(projectDir: string, program: string): string {
  const abs = path.resolve(projectDir, program);
  if (!abs.endsWith(".ts")) {
    return abs;
  }
  const out = abs.replace(/\.ts$/, ".js");
  const res = ts.transpileModule(fs.readFileSync(abs, "utf8"), {
    fileName: abs,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
    },
  });
  fs.writeFileSync(out, res.outputText);
  return out;
}

/** Runs the program to its end; `onMessage` answers each registration. */
export function runProgram(
  p: ProgramRun,
  program: string,
  preview: boolean,
  onMessage: (m: ChildToParent, reply: (r: ParentToChild) => void) => void,
): Promise<{ errors: string[]; stdout: string; stderr: string }> {
  const js = compileProgram(p.projectDir, program);
  const runner = path.join(__dirname, "programRunner.js");
  const env: NodeJS.ProcessEnv = {
    ...p.env,
    PULUMI_CONFIG: JSON.stringify(p.config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(p.secretConfigKeys),
    HARNESS_RUNNER: JSON.stringify({ program: js, project: p.projectName, stack: p.stackName, preview }),
  };
  const timeoutMs = p.timeoutMs ?? 120000;
  return new Promise((resolve) => {
    const child = fork(runner, [], {
      cwd: p.projectDir,
      env,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      execArgv: [],
    });
    let stdout = "";
    let stderr = "";
    let errors: string[] | undefined;
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      (errors ??= []).push(`program did not finish within ${timeoutMs} ms`);
      child.kill("SIGKILL");
    }, timeoutMs);
    // Replies that are ready in the same turn of the event loop go in one message: each
    // write to the channel costs far more than its bytes, and steps finish in bursts.
    let batch: ParentToChild[] = [];
    const flush = () => {
      const replies = batch;
      batch = [];
      if (child.connected) {
        child.send(replies);
      }
    };
    child.on("message", (m: ChildToParent) => {
      if (m.kind === "done") {
        errors = [...(errors ?? []), ...m.errors];
        return;
      }
      if (m.kind === "errorHook") {
        p.errorHooks?.set(m.hook.name, m.hook);
        return;
      }
      onMessage(m, (r) => {
        if (batch.push(r) === 1) {
          setImmediate(flush);
        }
      });
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const errs = errors ?? [`program process exited (code ${code}, signal ${signal}) without finishing`];
      p.artifacts.record(`program#${p.run}:stdout`, stdout);
      p.artifacts.record(`program#${p.run}:stderr`, stderr);
      if (errs.length) {
        p.artifacts.record(`program#${p.run}:errors`, errs.join("\n"));
      }
      resolve({ errors: errs, stdout, stderr });
    });
  });
}
