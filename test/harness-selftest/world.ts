/**
 * Shared set-up of the harness self-test: the counter-provider fixture packed
 * and installed into consumer projects, one fresh "world" (project copy,
 * counter directory, engine) per test.
 */
import * as fs from "fs";
import * as path from "path";
import {
  createConsumerProject,
  Engine,
  EngineOptions,
  findRepoRoot,
  makeTempDir,
  packPackage,
  writeFiles,
} from "../harness";

export const COUNTER_TYPE = "pulumi-nodejs:dynamic/counter:Counter";

export const PROGRAM_JS = `
const pulumi = require("@pulumi/pulumi");
const { Counter } = require("counter-provider");
const fs = require("fs");
const path = require("path");
const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
const out = {};
const byName = {};
for (const r of spec.resources) {
    const args = Object.assign({}, r.args);
    if (r.secretInput !== undefined) {
        args.secretInput = pulumi.secret(r.secretInput);
    }
    const opts = Object.assign({}, r.opts);
    if (r.dependsOn) {
        opts.dependsOn = r.dependsOn.map((n) => byName[n]);
    }
    if (r.parent) {
        opts.parent = byName[r.parent];
    }
    if (r.deletedWith) {
        opts.deletedWith = byName[r.deletedWith];
    }
    if (r.onErrorRetries !== undefined) {
        // Retries while fewer than onErrorRetries errors were seen; logs what the engine passed.
        const log = path.join(new pulumi.Config("counter").require("dir"), "hook-calls.log");
        const hook = new pulumi.ErrorHook("retry-" + r.name, async (a) => {
            fs.appendFileSync(log, JSON.stringify({ urn: a.urn, name: a.name, type: a.type, failedOperation: a.failedOperation, errors: a.errors, newName: a.newInputs && a.newInputs.name, pid: process.pid }) + "\\n");
            return a.errors.length < r.onErrorRetries;
        });
        opts.hooks = { onError: [hook] };
    }
    const c = new Counter(r.name, args, opts);
    byName[r.name] = c;
    out[r.name] = { id: c.id, token: c.token, updates: c.updates };
}
module.exports = out;
`;

export const PROGRAM_TS = `
import * as pulumi from "@pulumi/pulumi";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { Counter } = require("counter-provider");
const config = new pulumi.Config("counter");
const c = new Counter("from-ts", { name: config.require("label"), value: 7, kind: "ts", secretInput: config.requireSecret("password") });
export const id: pulumi.Output<string> = c.id;
export const token: pulumi.Output<string> = c.token;
`;

export interface ResourceSpec {
  name: string;
  args: Record<string, unknown>;
  secretInput?: string;
  opts?: Record<string, unknown>;
  /** Names of earlier resources of the spec, as the `dependsOn` option. */
  dependsOn?: string[];
  /** The name of an earlier resource of the spec, as the `parent` option. */
  parent?: string;
  /** The name of an earlier resource of the spec, as the `deletedWith` option. */
  deletedWith?: string;
  /** Binds an `onError` hook that asks for a retry while fewer than this many errors were seen. */
  onErrorRetries?: number;
}

export interface World {
  dir: string;
  counterDir: string;
  engine: Engine;
  setSpec(resources: ResourceSpec[]): Promise<void>;
  records(): Record<string, Record<string, unknown>>;
  ops(): string[];
  /** Lines of a JSON-lines file in the counter directory (`configure.log`, `hook-calls.log`). */
  jsonLines(file: string, dir?: string): Array<Record<string, unknown>>;
}

let tarball: Promise<string> | undefined;

export function fixtureTarball(): Promise<string> {
  tarball ??= packPackage(path.join(findRepoRoot(), "test", "fixtures", "harness", "counter-provider"));
  return tarball;
}

export async function newWorld(resources: ResourceSpec[], engineOpts: Partial<EngineOptions> = {}): Promise<World> {
  const dir = await createConsumerProject({
    tarballs: [await fixtureTarball()],
    files: { "index.js": PROGRAM_JS, "program.ts": PROGRAM_TS, "spec.json": JSON.stringify({ resources }) },
  });
  const counterDir = makeTempDir("counter");
  const engine = new Engine({ projectDir: dir, config: { "counter:dir": counterDir }, ...engineOpts });
  return {
    dir,
    counterDir,
    engine,
    setSpec: (r) => writeFiles(dir, { "spec.json": JSON.stringify({ resources: r }) }),
    records: () => {
      const f = path.join(counterDir, "records.json");
      return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : {};
    },
    jsonLines: (file, d = counterDir) => {
      const f = path.join(d, file);
      return fs.existsSync(f)
        ? fs
            .readFileSync(f, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l))
        : [];
    },
    ops: () => {
      const f = path.join(counterDir, "ops.log");
      return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim().split("\n").filter(Boolean) : [];
    },
  };
}
