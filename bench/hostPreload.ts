/**
 * Preloaded into the provider host (`node --cpu-prof --require <this>`) when the bench profiles it: the
 * harness stops the host with SIGTERM, which would end node before `--cpu-prof` writes its profile; an
 * orderly exit writes it. At exit it also writes the process's CPU time (user + system, every thread, from
 * getrusage) next to the profile, `cpu.<pid>.json`, to set against the profile's samples.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";

process.on("SIGTERM", () => process.exit(0));

const dirArg = process.execArgv.find((a) => a.startsWith("--cpu-prof-dir="));
if (dirArg) {
  const dir = dirArg.slice("--cpu-prof-dir=".length);
  process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(path.join(dir, `cpu.${process.pid}.json`), JSON.stringify({ userUs: user, systemUs: system }));
  });
}
