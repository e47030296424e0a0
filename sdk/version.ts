/** The version of the installed pulumi-wallaroo, for the commands' `--version`. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Read from the package's package.json (dist/sdk/version.js → ../../package.json; "unknown" if absent). */
export function packageVersion(): string {
  for (const up of ["..", "../.."]) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, up, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "pulumi-wallaroo" && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return "unknown";
}
