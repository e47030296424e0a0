#!/usr/bin/env node
/** The `wallaroo-users` bin: a thin wrapper around {@link run} (cli/run.ts), where the logic and its tests live. */
import { run } from "./run";

export { run };

if (require.main === module) {
  // A closed pipe (`wallaroo-users list | head`) is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => (e.code === "EPIPE" ? process.exit(0) : undefined));
  void run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => (process.exitCode = code),
  );
}
