/**
 * `npm run demo`: examples/quickstart end to end against a throw-away emulator
 * (the steps are listed in ./steps.ts; `--help` prints the usage).
 *
 * With the `pulumi` CLI on PATH it runs the real CLI with a local file backend
 * (./cliRunner.ts); otherwise (or with `--harness`) the repository's test
 * harness, which runs the program and drives @pulumi/pulumi's own
 * dynamic-provider host over gRPC (./harnessRunner.ts). After each step it
 * prints what the emulator holds and the policy verdict, and checks both
 * (./print.ts); it exits non-zero if any step did not do what it printed.
 *
 * For tests: DEMO_EMULATOR_FAULTS='[{"endpoint":"/v1/api/users/deactivate","status":500}]'
 * starts the emulator with fault rules (see emulator/types.ts), to prove the demo fails.
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { startEmulator, validateFaultRules } from "../emulator";
import { plural } from "../policy/plural";
import { harnessTempRoot, makeTempDir } from "../test/harness";
import { exampleProject } from "../test/examples/project";
import { CliRunner, which } from "./cliRunner";
import { HarnessRunner } from "./harnessRunner";
import { bold, checks, dim, elapsed, green, red, say, StepFailed, yellow } from "./print";
import { EXAMPLE, overLicenceProgram, Runner, Setup } from "./runner";
import { playSteps } from "./steps";

const USAGE = `usage: npm run demo [-- --harness] [-- --keep] [-- --help]
       (or: node dist/demo/run.js [--harness] [--keep] [--help], after npm run build)

Plays examples/${EXAMPLE} against a throw-away Wallaroo emulator: preview with the
licence policy pack, up, an edit and up, destroy, and an over-the-licence preview
that the policy pack must stop. Checks every step; exits 1 if one did not hold.

options:
  --harness   use the repository's test harness even when a \`pulumi\` CLI is on PATH
              (without --harness the CLI is used when it is on PATH)
  --keep      keep the temporary project, state and data file, and print where
  --help      print this and exit

environment:
  DEMO_EMULATOR_FAULTS  JSON fault rules for the emulator (see emulator/types.ts),
                        e.g. '[{"endpoint":"/v1/api/users/deactivate","status":500}]'
  NO_COLOR              no colours
  HARNESS_NO_CACHE      "" to reuse the harness's install cache (default: install into the temporary directory)`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    say(USAGE);
    return 0;
  }
  const unknown = args.filter((a) => !["--harness", "--keep"].includes(a));
  if (unknown.length) {
    say(`unknown option ${unknown.join(" ")}; usage: npm run demo [-- --harness] [-- --keep] (--help for more)`);
    return 2;
  }
  if (args.includes("--keep")) process.env.HARNESS_KEEP_TEMP = "1";
  // Installs go into the temporary directory, removed on exit, unless the caller chose otherwise.
  process.env.HARNESS_NO_CACHE ??= "1";

  const pulumiCli = args.includes("--harness") ? undefined : which("pulumi");
  say(bold("pulumi-wallaroo demo: examples/quickstart against a throw-away Wallaroo emulator"));

  const tmp = makeTempDir("demo");
  const adminPassword = `admin-${randomBytes(6).toString("hex")}`;
  const bobPassword = `Bob-${randomBytes(6).toString("hex")}`;
  const faults = process.env.DEMO_EMULATOR_FAULTS
    ? validateFaultRules(JSON.parse(process.env.DEMO_EMULATOR_FAULTS))
    : undefined;
  const emu = await startEmulator({
    port: 0,
    dataFile: path.join(tmp, "wallaroo.json"),
    adminPassword,
    edition: "community",
    faults,
  });
  if (faults) say(yellow(`fault rules: ${JSON.stringify(faults)}`));
  let runner: Runner | undefined;
  const cleanup = async () => {
    await runner?.close();
    await emu.close();
  };
  const onSignal = (sig: NodeJS.Signals) => {
    say(`\n${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    say(`emulator:  ${emu.url}  (community licence: 5 active users; data file ${path.join(tmp, "wallaroo.json")})`);
    say(
      `engine:    ${pulumiCli ? `the Pulumi CLI at ${pulumiCli}` : `the test harness (${args.includes("--harness") ? "--harness given" : "no `pulumi` on PATH"})`}`,
    );
    say(
      dim(
        `preparing: npm pack, and a copy of examples/${EXAMPLE} with the tarball installed${pulumiCli ? " (with its devDependencies, for the CLI's TypeScript)" : ""} ...`,
      ),
    );
    const project = await exampleProject(EXAMPLE, { fullInstall: pulumiCli !== undefined });
    const setup: Setup = {
      emu,
      adminPassword,
      bobPassword,
      tmp,
      project,
      overLicenceProgram: overLicenceProgram(project.example.files["index.ts"]),
    };
    runner = pulumiCli ? await CliRunner.start(pulumiCli, setup) : await HarnessRunner.start(setup);
    say(`running:   ${runner.label}`);
    say(dim(`project:   ${project.dir}  (ready ${elapsed()} after the start)`));
    await playSteps(runner, emu, pulumiCli !== undefined);
  } catch (e) {
    if (e instanceof StepFailed) {
      say(red(`\nstopped: step ${checks.stepNo} did not do what it printed, and the next steps build on it`));
    } else {
      checks.failures.push(`${checks.currentStep}: ${e instanceof Error ? e.message : String(e)}`);
      say(red(`\n${e instanceof Error ? e.message : String(e)}`));
    }
  } finally {
    await cleanup();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }

  say("");
  if (process.env.HARNESS_KEEP_TEMP) say(dim(`kept the temporary files in ${harnessTempRoot()}`));
  else say(dim("cleaned up: emulator stopped; temporary project, state and data file are removed on exit"));
  const { failures } = checks;
  if (failures.length) {
    say(red(bold(`demo FAILED after ${elapsed()}: ${plural(failures.length, "check")} did not hold:`)));
    for (const f of failures) say(red(`  - ${f}`));
    return 1;
  }
  say(
    green(bold(`demo OK in ${elapsed()} using ${pulumiCli ? "the Pulumi CLI" : "the test harness"}.`)) +
      " Copy examples/quickstart (or team-roster, adopt-existing) into your own infra repository to start.",
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`demo crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
