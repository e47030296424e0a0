/**
 * `npm run demo` must fail when a step does not do what it prints. CI runs the
 * demo itself (the passing path); this runs it against an emulator that refuses
 * every deactivation and checks that it says so, exits non-zero, stops, and
 * still removes its temporary files.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

const DEMO = path.resolve(__dirname, "../../demo/run.js");

describe("npm run demo", function () {
  this.timeout(120_000);

  it("exits non-zero, naming the step, when the server does not do what the step promises", async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [DEMO, "--harness"],
        {
          // HARNESS_NO_CACHE="" lets the demo reuse the tests' install cache instead of installing again.
          env: {
            ...process.env,
            NO_COLOR: "1",
            HARNESS_NO_CACHE: "",
            DEMO_EMULATOR_FAULTS: JSON.stringify([{ endpoint: "/v1/api/users/deactivate", status: 400 }]),
          },
          timeout: 110_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (_err, stdout, stderr) => resolve({ code: child.exitCode, output: `${stdout}${stderr}` }),
      );
    });
    assert.equal(code, 1, output);
    assert.match(output, /engine: {4}the test harness \(--harness given\)/);
    assert.match(output, /\[1\] pulumi preview[^\n]*\n {2}✔ the preview succeeds/);
    assert.match(output, /\[2\] pulumi up[\s\S]*✘ the up succeeds/);
    assert.match(
      output,
      /✘ alice and carol are active, bob was invited and deactivated\n {6}the emulator holds: [^\n]*bob@example\.com active/,
    );
    assert.match(output, /stopped: step 2 did not do what it printed/);
    // How many checks fail depends on which steps the failed deactivation cancelled (step_executor.go).
    assert.doesNotMatch(output, /\[3\]/, "no step after the failed one");
    assert.match(
      output,
      /demo FAILED after [\d.]+ s: \d+ checks did not hold:\n {2}- pulumi up: the up succeeds \(bob: [^\n]*could not be deactivated/,
    );
    assert.doesNotMatch(output, /demo OK/);
    const dataFile = /data file (\S+wallaroo\.json)\)/.exec(output)?.[1];
    assert.ok(dataFile, "the demo names its data file");
    assert.equal(existsSync(path.dirname(dataFile)), false, `${path.dirname(dataFile)} was removed`);
  });
});
