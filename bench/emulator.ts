/**
 * The emulator in a process of its own, so its CPU time can be read apart from
 * the harness's and the floor client's: the benchmark reports how busy it was,
 * to show that the numbers measure the client path and not the server.
 * Statistics come from the emulator's control endpoints (loopback only).
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { request } from "undici";
import type { EmulatorStats, StoredUser } from "../emulator/types";
import { readProcessCpuMs } from "../test/harness";

export interface EmulatorProcessOptions {
  adminPassword: string;
  edition?: "community" | "enterprise";
  /** Access-token lifetime, seconds (default 300). */
  tokenTtlSeconds?: number;
  /**
   * Milliseconds added to every request before it is handled: the emulator's `latencyMs` fault on endpoint
   * "*", which matches every path it counts, the token endpoint included (a real Keycloak sits next to the
   * Wallaroo API, as far away); only the /__emulator/ control endpoints the bench reads are exempt.
   */
  latencyMs?: number;
}

/** utime + stime of a process, in seconds (Linux /proc; NaN elsewhere). */
export function cpuSecondsOf(pid: number): number {
  return (readProcessCpuMs(pid) ?? NaN) / 1000;
}

export class EmulatorProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(opts: EmulatorProcessOptions): Promise<EmulatorProcess> {
    const cli = path.resolve(__dirname, "../emulator/cli.js");
    const args = [
      cli,
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--control",
      "--edition",
      opts.edition ?? "enterprise",
      "--admin-password",
      opts.adminPassword,
    ];
    if (opts.tokenTtlSeconds !== undefined) args.push("--token-ttl", String(opts.tokenTtlSeconds));
    if (opts.latencyMs) args.push("--fault", JSON.stringify({ endpoint: "*", latencyMs: opts.latencyMs }));
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`emulator did not start within 20 s\n${stderr}`)), 20_000);
      readline.createInterface({ input: child.stdout! }).once("line", (line) => {
        clearTimeout(timer);
        const m = /listening on (\S+)/.exec(line);
        if (m) resolve(m[1]);
        else reject(new Error(`emulator printed ${JSON.stringify(line)}\n${stderr}`));
      });
      child.once("exit", (code) => reject(new Error(`emulator exited (code ${code})\n${stderr}`)));
    });
    child.removeAllListeners("exit");
    return new EmulatorProcess(child, url);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** CPU seconds the emulator has used so far. */
  cpuSeconds(): number {
    return cpuSecondsOf(this.pid);
  }

  private async control(method: "GET" | "DELETE", name: string): Promise<unknown> {
    const res = await request(`${this.url}/__emulator/${name}`, { method });
    const body = await res.body.json();
    if (res.statusCode !== 200)
      throw new Error(`emulator control ${method} ${name}: ${res.statusCode} ${JSON.stringify(body)}`);
    return body;
  }

  async stats(): Promise<EmulatorStats> {
    return (await this.control("GET", "stats")) as EmulatorStats;
  }

  async resetStats(): Promise<void> {
    await this.control("DELETE", "stats");
  }

  async users(): Promise<StoredUser[]> {
    return ((await this.control("GET", "users")) as { users: StoredUser[] }).users;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
      this.child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill("SIGTERM");
    });
  }
}
