/** What the numbers were measured on. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as os from "node:os";

export interface Machine {
  date: string;
  cpu: string;
  nproc: number;
  memoryGb: number;
  node: string;
  os: string;
  pulumi: string;
  loadAverage: string;
}

export function machine(pulumiVersion: string): Machine {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpu;
  } catch {
    // not Linux
  }
  let nproc = os.cpus().length;
  try {
    nproc = Number(execFileSync("nproc", { encoding: "utf8" }).trim()) || nproc;
  } catch {
    // no nproc
  }
  return {
    date: new Date().toISOString(),
    cpu,
    nproc,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    pulumi: pulumiVersion,
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
  };
}
