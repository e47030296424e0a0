/**
 * Preloaded into the provider host (`node --expose-gc --require <this>`) by the bench's peak-RSS runs. Peak
 * RSS counts garbage the collector has not reached yet as well as what is kept; at exit this collects in
 * full and writes the heap still in use, `heap.<pid>.json` in $BENCH_HEAP_DIR, to tell the two apart:
 * a heap that grows with the number of resources would be something kept per resource.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";

process.on("SIGTERM", () => process.exit(0));

const dir = process.env.BENCH_HEAP_DIR;
const gc = (globalThis as { gc?: () => void }).gc;
if (dir && gc) {
  process.on("exit", () => {
    gc();
    writeFileSync(
      path.join(dir, `heap.${process.pid}.json`),
      JSON.stringify({ keptBytes: process.memoryUsage().heapUsed }),
    );
  });
}
