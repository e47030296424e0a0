import * as assert from "node:assert/strict";
import { runResourcePolicy, UNKNOWN_DURING_PREVIEW, userResource, workspaceResource } from "./harness";
import { workspaceNamePolicy } from "../../policy/workspaceName";

describe("wallaroo-workspace-name", () => {
  it("passes names that follow the rule", async () => {
    for (const name of ["fraud-detection", "a", "Churn2", "x".repeat(63)]) {
      const { violations } = await runResourcePolicy(workspaceNamePolicy, workspaceResource("w", { name }));
      assert.deepEqual(violations, [], name);
    }
  });

  it("reports a name with an underscore, a dot, a leading digit, a trailing dash or over 63 characters", async () => {
    for (const [name, why] of [
      ["fraud_detection", /does not match/],
      ["team.one", /does not match/],
      ["2fast", /does not match/],
      ["x".repeat(64), /is 64 characters long; the limit is 63/],
      ["", /is empty/],
    ] as const) {
      const { violations } = await runResourcePolicy(workspaceNamePolicy, workspaceResource("w", { name }));
      assert.equal(violations.length, 1, name);
      assert.match(violations[0].message, /^Wallaroo workspace 'w': name /);
      assert.match(violations[0].message, why);
      assert.match(violations[0].message, /letters, digits and dashes/);
    }
  });

  it("reports a missing name", async () => {
    const { violations } = await runResourcePolicy(workspaceNamePolicy, workspaceResource("w", {}));
    assert.match(violations[0].message, /has no name/);
  });

  it("skips a name not known until apply, without a crash", async () => {
    const { violations } = await runResourcePolicy(
      workspaceNamePolicy,
      workspaceResource("w", { name: UNKNOWN_DURING_PREVIEW }),
    );
    assert.deepEqual(violations, []);
  });

  it("does not apply to users", async () => {
    const outcome = await runResourcePolicy(workspaceNamePolicy, userResource("u", { email: "u@example.com" }));
    assert.match(outcome.notApplicable ?? "", /Workspace/);
  });
});
