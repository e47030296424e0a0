/**
 * The five steps the demo plays, each with what it promises and the checks
 * that it kept the promise (on the emulator's side and in the policy verdict):
 *
 *   1. preview with the licence policy pack   (nothing may change on the server)
 *   2. up                                      (alice, carol active; bob invited, then deactivated;
 *                                               workspace quickstart-ml: alice owner, carol collaborator)
 *   3. edit: carolActive=false, up             (carol deactivated in place; the advisory
 *                                               wallaroo-member-inactive notes her membership)
 *   4. destroy                                 (everyone deactivated; the workspace stays, without them)
 *   5. over-the-licence variant: six active users, preview with the policy pack
 *      → a mandatory violation, so `up` is not run (as the Pulumi CLI would stop)
 */
import type { RunningEmulator } from "../emulator";
import {
  checkEmulator,
  expect,
  Holdings,
  holdings,
  mutatingCalls,
  printVerdict,
  workspaceMembers,
  red,
  say,
  step,
  stepDone,
  yellow,
} from "./print";
import { MEMBER_INACTIVE_POLICY } from "../policy/workspacePolicies";
import { LIMIT_POLICY, type Runner, type StepResult } from "./runner";

/** The quickstart's workspace (examples/quickstart/index.ts). */
const WORKSPACE = "quickstart-ml";

/** Plays the steps; throws StepFailed (from `step`) after a step that did not hold. */
export async function playSteps(runner: Runner, emu: RunningEmulator, viaCli: boolean): Promise<void> {
  const users = (alice: boolean, bob: boolean, carol: boolean): Holdings => ({
    "alice@example.com": alice,
    "bob@example.com": bob,
    "carol@example.com": carol,
  });

  // 1. preview with the policy pack
  let r = await play(emu, "pulumi preview --policy-pack node_modules/pulumi-wallaroo/policy", {
    run: () => runner.preview("quickstart"),
    succeeds: "the preview succeeds",
    holds: {},
    what: "a preview creates nothing",
    noChanges: true,
  });
  expect(
    r.verdict.mandatory.length === 0,
    "the policy pack passes three users, two of them active",
    r.verdict.lines.join(" "),
  );

  // 2. up
  r = await play(emu, "pulumi up", {
    run: () => runner.up(),
    succeeds: "the up succeeds",
    holds: users(true, false, true),
    what: "alice and carol are active, bob was invited and deactivated",
    also: () => {
      const members = workspaceMembers(emu, WORKSPACE);
      expect(
        members?.["alice@example.com"] === "owner" && members["carol@example.com"] === "collaborator",
        `workspace ${WORKSPACE} exists with alice as owner and carol as collaborator`,
        JSON.stringify(members),
      );
    },
  });
  expect(r.verdict.mandatory.length === 0, "no policy violation", r.verdict.lines.join(" "));

  // 3. the edit
  r = await play(emu, "pulumi config set carolActive false && pulumi up", {
    before: () => runner.setCarolInactive(),
    run: () => runner.up(),
    succeeds: "the up succeeds",
    holds: users(true, false, false),
    what: "carol is deactivated, alice and bob unchanged",
    also: () => {
      const deactivations = emu.stats().requests["/v1/api/users/deactivate"] ?? 0;
      expect(
        mutatingCalls(emu) === 1 && deactivations === 1,
        "exactly one call was made: carol's deactivation",
        `${mutatingCalls(emu)} mutating calls`,
      );
    },
  });
  expect(r.verdict.mandatory.length === 0, "no mandatory policy violation", r.verdict.lines.join(" "));
  expect(
    r.verdict.lines.some((l) => l.includes(MEMBER_INACTIVE_POLICY) && l.includes("carol@example.com")),
    `the workspace policies see the memberships: ${MEMBER_INACTIVE_POLICY} (advisory) notes that carol, now inactive, is still a member`,
    r.verdict.lines.join(" "),
  );

  // 4. destroy
  await play(emu, "pulumi destroy", {
    run: () => runner.destroy(),
    succeeds: "the destroy succeeds",
    holds: users(false, false, false),
    what: "everyone is deactivated (the API has no delete)",
    also: () => {
      const members = workspaceMembers(emu, WORKSPACE);
      expect(
        members !== undefined && !("alice@example.com" in members) && !("carol@example.com" in members),
        `workspace ${WORKSPACE} stays on the instance (the API cannot delete it); the stack's members were removed`,
        JSON.stringify(members),
      );
    },
  });

  // 5. over the licence
  step(
    "over the licence: the quickstart plus dave, erin, frank and grace (six active); pulumi preview --policy-pack ...",
  );
  const before = holdings(emu);
  emu.resetStats();
  r = await runner.preview("over-licence");
  printVerdict(r.verdict);
  expect(
    r.verdict.mandatory.includes(LIMIT_POLICY),
    `the policy pack stops it: a mandatory ${LIMIT_POLICY} violation`,
    r.verdict.lines.join(" "),
  );
  if (viaCli) expect(!r.ok, "the preview fails, as it does in CI", "the CLI exited 0");
  say(
    r.verdict.mandatory.length
      ? yellow("  → `pulumi up` is not run: a mandatory violation stops it as it stops the preview")
      : red("  → the policy did not stop it; `pulumi up` is not run anyway"),
  );
  checkEmulator(emu, before, "nothing changed on the server", { noChanges: true });
  stepDone();
}

/**
 * One step: its heading, `before`, the request counts reset, `run`; then the checks that it
 * succeeded and that the emulator holds what it promised (and `also`), and the policy verdict.
 */
async function play(
  emu: RunningEmulator,
  title: string,
  p: {
    before?: () => Promise<void>;
    run: () => Promise<StepResult>;
    succeeds: string;
    holds: Holdings;
    what: string;
    noChanges?: boolean;
    also?: () => void;
  },
): Promise<StepResult> {
  step(title);
  await p.before?.();
  emu.resetStats();
  const r = await p.run();
  expect(r.ok, p.succeeds, r.error);
  checkEmulator(emu, p.holds, p.what, { noChanges: p.noChanges });
  p.also?.();
  printVerdict(r.verdict);
  return r;
}
