/**
 * What an API call costs a process that has just started, as every provider host has: the same
 * invites and deactivations made by bare undici (a Pool and a dispatch handler, as sdk/transport.ts
 * uses it, nothing else) and by this package's WallarooClient, each in a fresh `node --cpu-prof`,
 * attributed like the host's profile (bench/profile.ts). It answers how much of this package's
 * share of the host's CPU is undici's own, which no client built on undici can shed.
 *
 *   node dist/bench/coldHttp.js [--requests N] [--parallel N] [--latency-ms N] [--runs N]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { integerFlag, UsageError } from "../emulator/flags";
import { consumerProject } from "../test/support/world";
import { EmulatorProcess } from "./emulator";
import { DirectClient } from "./floor";
import { profilingNodeArgs, takeHostProfiles } from "./profile";

type Mode = "undici" | "client";
const MODES: Mode[] = ["undici", "client"];

/**
 * In the child: `n` invites then `n` deactivations at `parallel`, with undici alone or with WallarooClient,
 * both as installed in the consumer project `project` (where the host finds them, and where the profile's
 * attribution recognises them).
 */
async function child(
  mode: Mode,
  project: string,
  [url, token]: [string, string],
  n: number,
  parallel: number,
  tag: string,
): Promise<void> {
  const pkg = createRequire(createRequire(path.join(project, "package.json")).resolve("pulumi-wallaroo"));
  let post: (op: "invite" | "deactivate", email: string) => Promise<void>;
  if (mode === "undici") {
    // The very module sdk/onDemand.ts loads, from where the package resolves it.
    const Pool = pkg("undici/lib/dispatcher/pool") as typeof import("undici").Pool;
    const pool = new Pool(url, { connections: parallel, headersTimeout: 30_000, bodyTimeout: 30_000 });
    const headers = {
      "content-type": "application/json",
      accept: "application/json",
      authorization: `Bearer ${token}`,
    };
    post = (op, email) =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        pool.dispatch(
          { method: "POST", path: `/v1/api/users/${op}`, headers, body: JSON.stringify({ email }) },
          {
            onRequestStart() {},
            onResponseStart() {},
            onResponseData: (_c, chunk) => void chunks.push(chunk),
            onResponseEnd: () => (JSON.parse(Buffer.concat(chunks).toString("utf8")), resolve()),
            onResponseError: (_c, e) => reject(e),
          },
        );
      });
  } else {
    // The client's own module: the package's index would load @pulumi/pulumi, which a host has loaded already.
    const root = path.dirname(pkg.resolve("pulumi-wallaroo/package.json"));
    const { WallarooClient } = pkg(path.join(root, "dist/sdk/client.js")) as typeof import("../sdk/client");
    const client = new WallarooClient({ env: {}, url, token });
    post = async (op, email) => {
      if (op === "invite") await client.inviteUser({ email });
      else await client.deactivateUser(email);
    };
  }
  for (const op of ["invite", "deactivate"] as const) {
    let next = 0;
    const worker = async () => {
      while (next < n) await post(op, `${tag}${next++}@cold.bench.example.com`);
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  }
  process.exit(0);
}

/** `--name N` of `args` (checked by the emulator's and the bench's own integer-flag parser), or `fallback`. */
function flag(args: string[], name: string, fallback: number, min = 1): number {
  const i = args.indexOf(`--${name}`);
  return (i >= 0 ? integerFlag(name, args[i + 1], min) : undefined) ?? fallback;
}

const USAGE = "Usage: node dist/bench/coldHttp.js [--requests N] [--parallel N] [--latency-ms N] [--runs N]";

async function main(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) return void console.log(USAGE);
  const unknown = args.filter((a) => a.startsWith("-") && !/^--(requests|parallel|latency-ms|runs)$/.test(a));
  if (unknown.length > 0) throw new UsageError(`unknown flag ${unknown[0]}\n${USAGE}`);
  const n = flag(args, "requests", 500);
  const parallel = flag(args, "parallel", 64);
  const latencyMs = flag(args, "latency-ms", 30, 0);
  const runs = flag(args, "runs", 3);
  const adminPassword = "cold-http-admin";
  const project = await consumerProject();
  const emu = await EmulatorProcess.start({ adminPassword, latencyMs });
  const dir = mkdtempSync(path.join(tmpdir(), "cold-http-"));
  try {
    const direct = new DirectClient(emu.url, 1);
    await direct.login(adminPassword);
    await direct.pool.close();
    console.log(
      `# ${2 * n} requests (${n} invites, ${n} deactivations) at ${parallel} at a time, +${latencyMs} ms, each run in a fresh node\n`,
    );
    console.log(
      "| run | undici alone: its CPU | per request | WallarooClient: this package's CPU | per request | of which undici |",
    );
    console.log("|---|---|---|---|---|---|");
    for (let run = 1; run <= runs; run++) {
      const row: string[] = [String(run)];
      for (const mode of MODES) {
        const out = execFileSync(
          process.execPath,
          [
            ...profilingNodeArgs(dir),
            __filename,
            "--child",
            mode,
            project,
            emu.url,
            direct.token,
            String(n),
            String(parallel),
            `${mode}${run}-`,
          ],
          { encoding: "utf8" },
        );
        const pid = Number(/pid (\d+)/.exec(out)?.[1]);
        const cpu = takeHostProfiles(dir, [pid]);
        if (!cpu) throw new Error(`no profile from the ${mode} child`);
        const perRequest = (ms: number) => `${((ms * 1000) / (2 * n)).toFixed(0)} µs`;
        if (mode === "undici") row.push(`${cpu.ownMs.toFixed(0)} ms`, perRequest(cpu.ownMs));
        else row.push(`${cpu.ownMs.toFixed(0)} ms`, perRequest(cpu.ownMs), `${cpu.ownBy.undici.toFixed(0)} ms`);
      }
      console.log(`| ${row.join(" | ")} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await emu.stop();
  }
}

const argv = process.argv.slice(2);
if (argv[0] === "--child") {
  const [, mode, project, url, token, n, parallel, tag] = argv;
  process.stdout.write(`pid ${process.pid}\n`);
  child(mode as Mode, project, [url, token], Number(n), Number(parallel), tag).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main(argv).catch((e: unknown) => {
    console.error(e instanceof UsageError ? `coldHttp: ${e.message}` : e);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
