/**
 * The examples in `examples/` as consumer projects: the example's own files
 * (index.ts, Pulumi.yaml, tsconfig.json, rosters...) in a temporary directory
 * where the packed pulumi-wallaroo tarball is installed (`npm pack` +
 * `npm install <tarball>`, never a symlink to the checkout), which is what a
 * user gets after copying the folder out and running `npm install`.
 *
 * Used by the example tests and by `npm run demo`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as semver from "semver";
import * as ts from "typescript";
import { createConsumerProject, findRepoRoot, installedPulumiVersion, packPackage, tarballManifest } from "../harness";

export const EXAMPLES_DIR = path.join(findRepoRoot(), "examples");

/** Files of an example that are not copied: installs and per-stack settings. */
const SKIP = new Set(["node_modules", "package-lock.json"]);

export interface ExamplePackageJson {
  name: string;
  main?: string;
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
  [k: string]: unknown;
}

export interface ExampleSource {
  name: string;
  dir: string;
  /** Every file of the example (relative path → text), package.json included. */
  files: Record<string, string>;
  packageJson: ExamplePackageJson;
  /** `name` in Pulumi.yaml: the namespace of the example's own configuration keys. */
  projectName: string;
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || /^Pulumi\..+\.yaml$/.test(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, base));
    else out.push(path.relative(base, full));
  }
  return out.sort();
}

/** Reads `examples/<name>`. */
export function readExample(name: string): ExampleSource {
  const dir = path.join(EXAMPLES_DIR, name);
  const files: Record<string, string> = {};
  for (const rel of listFiles(dir)) files[rel] = fs.readFileSync(path.join(dir, rel), "utf8");
  for (const required of ["Pulumi.yaml", "package.json", "index.ts", "README.md"]) {
    if (!(required in files)) throw new Error(`examples/${name} has no ${required}`);
  }
  const packageJson = JSON.parse(files["package.json"]) as ExamplePackageJson;
  const projectName = /^name:\s*(\S+)\s*$/m.exec(files["Pulumi.yaml"])?.[1];
  if (!projectName) throw new Error(`examples/${name}/Pulumi.yaml has no name`);
  return { name, dir, files, packageJson, projectName };
}

/**
 * Checks that the example depends on pulumi-wallaroo the way a user's project
 * does (a registry version range, not a path) and that the packed package and
 * the repository's @pulumi/pulumi satisfy its ranges, so that installing the
 * tarball in its place is what `npm install` would do.
 */
export async function checkExampleDependencies(example: ExampleSource, tarball: string): Promise<void> {
  const deps = example.packageJson.dependencies ?? {};
  const problems: string[] = [];
  const packed = (await tarballManifest(tarball)).version;
  const wanted = deps["pulumi-wallaroo"];
  if (!wanted) problems.push("does not depend on pulumi-wallaroo");
  else if (!semver.validRange(wanted))
    problems.push(`depends on pulumi-wallaroo ${JSON.stringify(wanted)}, not a version range as from the registry`);
  else if (!semver.satisfies(packed, wanted))
    problems.push(`wants pulumi-wallaroo ${wanted}, but the package is ${packed}`);
  const pulumiWanted = deps["@pulumi/pulumi"];
  const pulumiHave = installedPulumiVersion();
  if (!pulumiWanted) problems.push("does not depend on @pulumi/pulumi");
  else if (!semver.satisfies(pulumiHave, pulumiWanted))
    problems.push(`wants @pulumi/pulumi ${pulumiWanted}, the repository has ${pulumiHave}`);
  if (problems.length) throw new Error(`examples/${example.name}/package.json ${problems.join("; ")}`);
}

export interface ExampleProject {
  example: ExampleSource;
  dir: string;
  tarball: string;
}

export interface ExampleProjectOptions {
  /** Files to add or replace (relative path → text), e.g. an edited roster. */
  files?: Record<string, string>;
  /**
   * Also install the example's other dependencies and devDependencies at the
   * example's ranges (ts-node, typescript: what the Pulumi CLI needs to run
   * index.ts). Default false: the harness transpiles the program itself, and
   * the install is then shared with the other tests.
   */
  fullInstall?: boolean;
}

/** Creates a consumer project from `examples/<name>` with the packed pulumi-wallaroo installed. */
export async function exampleProject(name: string, opts: ExampleProjectOptions = {}): Promise<ExampleProject> {
  const example = readExample(name);
  const tarball = await packPackage(findRepoRoot());
  await checkExampleDependencies(example, tarball);
  let dependencies: Record<string, string> | undefined;
  if (opts.fullInstall) {
    dependencies = { ...example.packageJson.dependencies, ...(example.packageJson.devDependencies ?? {}) };
    delete dependencies["pulumi-wallaroo"];
  }
  // The example's package.json, with pulumi-wallaroo resolved to the tarball (as `npm install <tgz>` writes it).
  const pkg: ExamplePackageJson = {
    ...example.packageJson,
    dependencies: { ...example.packageJson.dependencies, "pulumi-wallaroo": `file:${tarball}` },
  };
  if (!opts.fullInstall) delete pkg.devDependencies;
  const dir = await createConsumerProject({
    tarballs: [tarball],
    dependencies,
    files: { ...example.files, ...(opts.files ?? {}), "package.json": JSON.stringify(pkg, null, 2) + "\n" },
  });
  return { example, dir, tarball };
}

export interface TypeCheckResult {
  /** Formatted diagnostics (file:line: message); empty when the program type-checks. */
  diagnostics: string[];
  /** Where `pulumi-wallaroo` resolved from the program. */
  resolvedPackage?: string;
}

/**
 * Type-checks a program of a consumer project with the project's tsconfig.json
 * (strict), against the .d.ts files of the installed tarball and the project's
 * @pulumi/pulumi. @types/node (a devDependency of the examples) comes from the
 * repository.
 */
export function typeCheck(projectDir: string, program = "index.ts"): TypeCheckResult {
  const configPath = path.join(projectDir, "tsconfig.json");
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, projectDir, undefined, configPath);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    typeRoots: [path.join(findRepoRoot(), "node_modules", "@types")],
    types: ["node"],
  };
  const file = path.join(projectDir, program);
  const resolved = ts.resolveModuleName("pulumi-wallaroo", file, options, ts.sys).resolvedModule?.resolvedFileName;
  const tsProgram = ts.createProgram({ rootNames: [file], options });
  const diagnostics = ts.getPreEmitDiagnostics(tsProgram).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!d.file || d.start === undefined) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${path.relative(projectDir, d.file.fileName)}:${line + 1}: ${text}`;
  });
  return { diagnostics, resolvedPackage: resolved };
}
