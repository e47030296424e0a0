/**
 * What the provider host's fixed start cost is made of: node itself, `@pulumi/pulumi` (the host's own
 * code), and this package's modules in the two steps the host loads them: the provider entry
 * (`pulumi-wallaroo/dist/provider/lifecycle`, required at the first request that reaches the provider:
 * all that configure, check and diff need), then what the first API call loads on demand (undici's pool,
 * the response schemas and zod: sdk/onDemand.ts). Measured in a fresh node in the consumer project,
 * with `process.hrtime` around each step, in that order.
 */
import { execFileSync } from "node:child_process";
import { median } from "./stats";

export interface StartCost {
  /** `node -e ""`, wall, ms. */
  nodeMs: number;
  /** require("@pulumi/pulumi") + its dynamic-provider module, ms. */
  pulumiMs: number;
  /** require("pulumi-wallaroo/dist/provider/lifecycle") after that, ms. */
  entryMs: number;
  /** Then what the first API call loads (undici's pool, the schemas, zod), ms. */
  firstCallMs: number;
}

const SCRIPT = `
const t = () => Number(process.hrtime.bigint()) / 1e6;
const t0 = t();
require("@pulumi/pulumi");
require("@pulumi/pulumi/dynamic");
const t1 = t();
const r = require.resolve("pulumi-wallaroo/dist/provider/lifecycle");
require(r);
const t2 = t();
const onDemand = require("module").createRequire(r)("../sdk/onDemand");
onDemand.undiciPool();
onDemand.userSchemas();
const t3 = t();
process.stdout.write(JSON.stringify({ pulumiMs: t1 - t0, entryMs: t2 - t1, firstCallMs: t3 - t2 }));
`;

export function measureStartCost(projectDir: string, runs = 5): StartCost {
  const node: number[] = [];
  const steps: Array<Omit<StartCost, "nodeMs">> = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    execFileSync(process.execPath, ["-e", ""], { cwd: projectDir });
    node.push(performance.now() - t0);
    steps.push(JSON.parse(execFileSync(process.execPath, ["-e", SCRIPT], { cwd: projectDir, encoding: "utf8" })));
  }
  return {
    nodeMs: median(node),
    pulumiMs: median(steps.map((s) => s.pulumiMs)),
    entryMs: median(steps.map((s) => s.entryMs)),
    firstCallMs: median(steps.map((s) => s.firstCallMs)),
  };
}
