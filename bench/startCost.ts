/**
 * What the provider host's fixed start cost is made of: node itself, `@pulumi/pulumi` (the host's own
 * code), and this package's modules, which the host requires (`pulumi-wallaroo/dist/provider/lifecycle`,
 * with the client, zod and undici) when the first request reaches the provider. Measured in a fresh node
 * in the consumer project, with `process.hrtime` around each require, in that order.
 */
import { execFileSync } from "node:child_process";
import { median } from "./stats";

export interface StartCost {
  /** `node -e ""`, wall, ms. */
  nodeMs: number;
  /** require("@pulumi/pulumi") + its dynamic-provider module, ms. */
  pulumiMs: number;
  /** require("pulumi-wallaroo/dist/provider/lifecycle") after that, ms. */
  packageMs: number;
  /** Of which zod and undici alone (required first, on their own), ms. */
  zodUndiciMs: number;
}

const SCRIPT = `
const t = () => Number(process.hrtime.bigint()) / 1e6;
const t0 = t();
require("@pulumi/pulumi");
require("@pulumi/pulumi/dynamic");
const t1 = t();
const r = require.resolve("pulumi-wallaroo/dist/provider/lifecycle");
const from = require("module").createRequire(r);
require(from.resolve("zod"));
require(from.resolve("undici"));
const t2 = t();
require(r);
const t3 = t();
process.stdout.write(JSON.stringify({ pulumiMs: t1 - t0, zodUndiciMs: t2 - t1, restMs: t3 - t2 }));
`;

export function measureStartCost(projectDir: string, runs = 5): StartCost {
  const node: number[] = [];
  const pulumi: number[] = [];
  const pkg: number[] = [];
  const zu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    execFileSync(process.execPath, ["-e", ""], { cwd: projectDir });
    node.push(performance.now() - t0);
    const m = JSON.parse(execFileSync(process.execPath, ["-e", SCRIPT], { cwd: projectDir, encoding: "utf8" })) as {
      pulumiMs: number;
      zodUndiciMs: number;
      restMs: number;
    };
    pulumi.push(m.pulumiMs);
    pkg.push(m.zodUndiciMs + m.restMs);
    zu.push(m.zodUndiciMs);
  }
  return { nodeMs: median(node), pulumiMs: median(pulumi), packageMs: median(pkg), zodUndiciMs: median(zu) };
}
