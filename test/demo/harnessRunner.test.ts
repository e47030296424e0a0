/**
 * The demo's harness runner hands the policy pack every resource of the stack, as the engine does
 * (not only the users): the workspace policies then run on the quickstart's workspace and memberships.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { HarnessRunner } from "../../demo/harnessRunner";
import { overLicenceProgram } from "../../demo/runner";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { makeTempDir } from "../harness";
import { exampleProject } from "../examples/project";

describe("the demo's harness runner", function () {
  this.timeout(180_000);
  let emu: RunningEmulator;
  let runner: HarnessRunner;

  before(async () => {
    const adminPassword = `admin-${randomBytes(6).toString("hex")}`;
    const tmp = makeTempDir("demo-runner");
    emu = await startEmulator({ port: 0, adminPassword, edition: "community", dataFile: path.join(tmp, "w.json") });
    const project = await exampleProject("quickstart");
    runner = await HarnessRunner.start({
      emu,
      adminPassword,
      bobPassword: `Bob-${randomBytes(6).toString("hex")}`,
      tmp,
      project,
      overLicenceProgram: overLicenceProgram(project.example.files["index.ts"]!),
    });
  });
  after(async () => {
    await runner?.close();
    await emu?.close();
  });

  it("shows the policy pack the workspace and the memberships at preview, and at up", async () => {
    const preview = await runner.preview("quickstart");
    assert.deepEqual(preview.verdict.lines, [
      "wallaroo-licence: no violations (checked 3 wallaroo.User, 1 wallaroo.Workspace, 2 wallaroo.WorkspaceMember)",
    ]);
    // carol created inactive, and a collaborator: only a policy that sees the memberships says so.
    await runner.setCarolInactive();
    const up = await runner.up();
    assert.ok(up.ok, up.error);
    assert.deepEqual(up.verdict.mandatory, []);
    assert.equal(up.verdict.lines.length, 1, up.verdict.lines.join("\n"));
    assert.match(
      up.verdict.lines[0]!,
      /^\[advisory\] wallaroo-member-inactive: Wallaroo workspace member 'ml-carol': carol@example\.com is a member of workspace \d+, but this stack manages that user as inactive/,
    );
    assert.ok((await runner.destroy()).ok);
  });
});
