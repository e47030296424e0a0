/**
 * Consumer projects: a temporary directory with a package.json that depends on
 * packed tarballs (`npm pack` → `npm install <tarball>`, never a symlink, which
 * the closure serializer treats differently) and on `@pulumi/pulumi` at the
 * version installed in the repository.
 */
import { execFile } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export function runCommand(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd, env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 300_000 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`${cmd} ${args.join(" ")} failed in ${opts.cwd}: ${err.message}\n${stderr}\n${stdout}`));
        } else {
          resolve({ stdout: String(stdout), stderr: String(stderr) });
        }
      },
    );
  });
}

const npmCmd = process.platform === "win32" ? "npm.cmd" : "npm";

let tempRoot: string | undefined;

/**
 * A per-process temporary directory, removed when the process exits (set
 * HARNESS_KEEP_TEMP=1 to keep it for inspection).
 */
export function harnessTempRoot(): string {
  if (!tempRoot) {
    tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-harness-"));
    const root = tempRoot;
    process.on("exit", () => {
      if (!process.env.HARNESS_KEEP_TEMP) {
        try {
          fs.rmSync(root, { recursive: true, force: true });
        } catch {
          // best effort
        }
      }
    });
  }
  return tempRoot;
}

/** A fresh empty directory under the harness temp root. */
export function makeTempDir(prefix = "dir"): string {
  return fs.mkdtempSync(path.join(harnessTempRoot(), `${prefix}-`));
}

const packCache = new Map<string, Promise<string>>();

/**
 * `npm pack` of a package directory (as is: nothing is built, lifecycle scripts
 * are skipped), once per process. Returns the absolute tarball path.
 */
export function packPackage(packageDir: string): Promise<string> {
  const dir = fs.realpathSync(packageDir);
  let p = packCache.get(dir);
  if (!p) {
    p = (async () => {
      const dest = makeTempDir("pack");
      const { stdout } = await runCommand(npmCmd, ["pack", "--json", "--ignore-scripts", "--pack-destination", dest], {
        cwd: dir,
      });
      const json = JSON.parse(stdout.slice(stdout.indexOf("[")));
      const file = path.join(dest, json[0].filename);
      if (!fs.existsSync(file)) {
        throw new Error(`npm pack reported ${file} but it does not exist`);
      }
      return file;
    })();
    packCache.set(dir, p);
    p.catch(() => packCache.delete(dir));
  }
  return p;
}

/** The version of `@pulumi/pulumi` installed in a repository (default: the one this harness runs from). */
export function installedPulumiVersion(repoDir?: string): string {
  const base = repoDir ?? findRepoRoot();
  const pkg = path.join(base, "node_modules", "@pulumi", "pulumi", "package.json");
  return JSON.parse(fs.readFileSync(pkg, "utf8")).version;
}

/** The repository root: the nearest directory above this file with a package.json and node_modules. */
export function findRepoRoot(from: string = __dirname): string {
  let d = from;
  for (;;) {
    if (fs.existsSync(path.join(d, "package.json")) && fs.existsSync(path.join(d, "node_modules"))) {
      return d;
    }
    const up = path.dirname(d);
    if (up === d) {
      throw new Error(`no repository root above ${from}`);
    }
    d = up;
  }
}

/** Reads the package.json inside a tarball (`package/package.json`). */
export async function tarballManifest(
  tarball: string,
): Promise<{ name: string; version: string; [k: string]: unknown }> {
  const { stdout } = await runCommand("tar", ["-xOzf", tarball, "package/package.json"], {
    cwd: path.dirname(tarball),
  });
  return JSON.parse(stdout);
}

export interface ConsumerProjectOptions {
  /** Directory to create the project in (created if missing). Default: a new temp directory. */
  dir?: string;
  /** Tarballs (from `packPackage`) installed as `file:` dependencies. */
  tarballs: string[];
  /** Further dependencies (name → spec). `@pulumi/pulumi` defaults to the repository's installed version. */
  dependencies?: Record<string, string>;
  /** Files written into the project (relative path → content), after the install. */
  files?: Record<string, string>;
  /** package.json name. Default "harness-consumer". */
  name?: string;
  /**
   * Reuse an install made earlier in this process for the same dependencies and
   * tarball contents (node_modules is hard-linked from it, so never write into
   * a consumer's node_modules). Default true.
   */
  reuse?: boolean;
}

const installCache = new Map<string, Promise<string>>();

async function fileHash(file: string): Promise<string> {
  return crypto
    .createHash("sha256")
    .update(await fs.promises.readFile(file))
    .digest("hex");
}

async function buildPackageJson(opts: ConsumerProjectOptions): Promise<Record<string, unknown>> {
  const deps: Record<string, string> = { "@pulumi/pulumi": installedPulumiVersion() };
  for (const t of opts.tarballs) {
    const m = await tarballManifest(t);
    deps[m.name] = `file:${path.resolve(t)}`;
  }
  Object.assign(deps, opts.dependencies ?? {});
  return {
    name: opts.name ?? "harness-consumer",
    version: "0.0.0",
    private: true,
    main: "index.js",
    dependencies: deps,
  };
}

async function npmInstall(dir: string): Promise<void> {
  await runCommand(npmCmd, ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: dir,
  });
}

/**
 * The directory holding an installed template for `key`. Installs are cached
 * across processes under `<tmp>/pulumi-harness-cache/<key>` (the key covers the
 * package.json and the tarballs' contents); set HARNESS_NO_CACHE=1 to install
 * in this process's temp root instead.
 */
async function prepareTemplate(key: string, pkgText: string): Promise<string> {
  const install = async (dir: string) => {
    await fs.promises.mkdir(dir, { recursive: true });
    await fs.promises.writeFile(path.join(dir, "package.json"), pkgText);
    await npmInstall(dir);
  };
  if (process.env.HARNESS_NO_CACHE) {
    const t = makeTempDir(`template-${key}`);
    await install(t);
    return t;
  }
  const cacheRoot = path.join(os.tmpdir(), "pulumi-harness-cache");
  const final = path.join(cacheRoot, key);
  if (fs.existsSync(path.join(final, ".complete"))) {
    return final;
  }
  const tmp = path.join(cacheRoot, `${key}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
  await install(tmp);
  await fs.promises.writeFile(path.join(tmp, ".complete"), new Date().toISOString());
  try {
    await fs.promises.rename(tmp, final);
    return final;
  } catch {
    // another process finished first: use its copy if complete, else ours
    if (fs.existsSync(path.join(final, ".complete"))) {
      await fs.promises.rm(tmp, { recursive: true, force: true });
      return final;
    }
    return tmp;
  }
}

/**
 * Creates a consumer project and returns its directory. The first project for
 * a given set of dependencies runs `npm install` (~10–20 s); later ones with
 * `reuse` (also in later processes, see `prepareTemplate`) hard-link the
 * installed node_modules (well under a second).
 */
export async function createConsumerProject(opts: ConsumerProjectOptions): Promise<string> {
  const pkg = await buildPackageJson(opts);
  const dir = path.resolve(opts.dir ?? makeTempDir("consumer"));
  await fs.promises.mkdir(dir, { recursive: true });
  const pkgText = JSON.stringify(pkg, null, 2) + "\n";
  if (opts.reuse === false) {
    await fs.promises.writeFile(path.join(dir, "package.json"), pkgText);
    await npmInstall(dir);
  } else {
    // The key ignores where the tarballs are (a new temp dir per process) and covers what they hold.
    let keyText = pkgText;
    for (const t of opts.tarballs) {
      keyText = keyText
        .split(JSON.stringify(`file:${path.resolve(t)}`))
        .join(JSON.stringify(`sha256:${await fileHash(t)}`));
    }
    const key = crypto.createHash("sha256").update(keyText).digest("hex").slice(0, 16);
    let template = installCache.get(key);
    if (!template) {
      template = prepareTemplate(key, pkgText);
      installCache.set(key, template);
      template.catch(() => installCache.delete(key));
    }
    const t = await template;
    await fs.promises.writeFile(path.join(dir, "package.json"), pkgText);
    await fs.promises.rm(path.join(dir, "node_modules"), { recursive: true, force: true });
    try {
      await runCommand("cp", ["-al", path.join(t, "node_modules"), path.join(dir, "node_modules")], { cwd: dir });
    } catch {
      // hard links need one file system
      await fs.promises.rm(path.join(dir, "node_modules"), { recursive: true, force: true });
      await runCommand("cp", ["-a", path.join(t, "node_modules"), path.join(dir, "node_modules")], { cwd: dir });
    }
  }
  for (const [rel, content] of Object.entries(opts.files ?? {})) {
    const f = path.join(dir, rel);
    await fs.promises.mkdir(path.dirname(f), { recursive: true });
    await fs.promises.writeFile(f, content);
  }
  return dir;
}

/** Writes (or overwrites) files in a project: the "edit" of an edit → up cycle. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const f = path.join(dir, rel);
    await fs.promises.mkdir(path.dirname(f), { recursive: true });
    await fs.promises.writeFile(f, content);
  }
}
