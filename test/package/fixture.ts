/**
 * The package as a user gets it: a fresh `git clone` of this repository's HEAD, `npm pack` there
 * (its `prepare` builds), and one install of that tarball shared by every consumer project of the
 * package tests (node_modules hard-linked, see test/harness/consumer.ts). The same clone is what
 * the Git URL install (git-install.test.ts) installs from.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import { assertOk, createConsumerProject, findRepoRoot, makeTempDir, runCommand } from "../harness";
import type { World } from "../support/world";

export const REPO = findRepoRoot();
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

export interface PackedPackage {
  /** The clone the tarball was packed from. */
  clone: string;
  tarball: string;
  /** Paths inside the tarball, without the `package/` prefix, sorted. */
  files: string[];
  /** How long clone + pack took. */
  ms: number;
}

function installedVersion(name: string): string {
  return (
    JSON.parse(fs.readFileSync(path.join(REPO, "node_modules", name, "package.json"), "utf8")) as { version: string }
  ).version;
}

let cloned: Promise<string> | undefined;

/** A `git clone` of HEAD (committed files only), once per process. */
export function freshClone(): Promise<string> {
  cloned ??= (async () => {
    const clone = path.join(makeTempDir("clone"), "pulumi-wallaroo");
    await runCommand("git", ["clone", "--quiet", "--no-hardlinks", REPO, clone], { cwd: REPO });
    return clone;
  })();
  return cloned;
}

let packed: Promise<PackedPackage> | undefined;

/** Packs the fresh clone, once per process. */
export function packFromFreshClone(): Promise<PackedPackage> {
  packed ??= (async () => {
    const started = Date.now();
    const clone = await freshClone();
    // `npm ci` would download the same tree the lockfile pins; the checkout's is reused (hard links).
    await runCommand("cp", ["-al", path.join(REPO, "node_modules"), path.join(clone, "node_modules")], { cwd: clone });
    const dest = makeTempDir("packed");
    const { stdout } = await runCommand(npm, ["pack", "--json", "--pack-destination", dest, "--loglevel=error"], {
      cwd: clone,
    });
    const [info] = JSON.parse(stdout.slice(stdout.indexOf("["))) as [{ filename: string; files: { path: string }[] }];
    const tarball = path.join(dest, info.filename);
    const listed = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l && !l.endsWith("/"))
      .map((l) => l.replace(/^package\//, ""))
      .sort();
    return { clone, tarball, files: listed, ms: Date.now() - started };
  })();
  return packed;
}

/**
 * A consumer project with the packed package installed, and @pulumi/policy and typescript at the
 * checkout's versions (what a project with a standalone policy pack, or `tsc`, has).
 */
export async function packageConsumer(files: Record<string, string>): Promise<string> {
  const { tarball } = await packFromFreshClone();
  return createConsumerProject({
    tarballs: [tarball],
    dependencies: { "@pulumi/policy": installedVersion("@pulumi/policy"), typescript: installedVersion("typescript") },
    files,
  });
}

/** `tsc -p <project>` with the consumer's own TypeScript; returns its output (empty when it type-checks). */
export function tsc(dir: string, project = "tsconfig.json"): string {
  try {
    execFileSync(process.execPath, [path.join(dir, "node_modules", "typescript", "bin", "tsc"), "-p", project], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return "";
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return `${err.stdout ?? ""}${err.stderr ?? ""}` || err.message;
  }
}

/** A plain JavaScript program using the resource and `lookupUser`, as a consumer writes it. */
export const JS_PROGRAM = `"use strict";
const wallaroo = require("pulumi-wallaroo");

module.exports = async () => {
  const before = await wallaroo.lookupUser({ email: "alice@example.com" });
  const alice = new wallaroo.User("alice", { email: "alice@example.com" });
  return { aliceId: alice.userId, foundId: before ? before.id : "none" };
};
`;

/**
 * The check both program variants pass in a consumer: `up` creates alice (lookupUser finds no one
 * yet), a second `up` finds her by email, `destroy` succeeds.
 */
export async function upFindsAndDestroys(world: World, program: string): Promise<void> {
  const engine = world.engine();
  const first = assertOk(await engine.up(program));
  assert.equal(first.outputs.foundId, "none");
  const alice = world.emu.users().find((u) => u.email === "alice@example.com");
  assert.ok(alice?.enabled, "alice is active on the server");
  assert.equal(first.outputs.aliceId, alice.id);
  assert.equal(assertOk(await engine.up(program)).outputs.foundId, alice.id);
  assert.ok((await engine.destroy()).ok);
}

/** @types/node of the checkout, for consumers' tsconfig `typeRoots` (the template has it as a devDependency). */
export const TYPE_ROOTS = [path.join(REPO, "node_modules", "@types")];
