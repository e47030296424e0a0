import * as assert from "node:assert/strict";
import { memberResource, runStackPolicy, UNKNOWN_DURING_PREVIEW, userResource } from "./harness";
import { memberInactivePolicy } from "../../policy/memberInactive";

describe("wallaroo-member-inactive", () => {
  it("notes a membership of a user this stack manages as inactive, matched by email", async () => {
    const { violations } = await runStackPolicy(memberInactivePolicy, [
      userResource("carol", { email: "carol@example.com", active: false }),
      userResource("alice", { email: "alice@example.com" }),
      memberResource("m-carol", { workspaceId: 3, email: "Carol@example.com" }),
      memberResource("m-alice", { workspaceId: 3, email: "alice@example.com" }),
    ]);
    assert.equal(violations.length, 1);
    assert.match(violations[0].urn!, /::m-carol$/);
    assert.match(violations[0].message, /carol@example\.com is a member of workspace 3/);
    assert.match(violations[0].message, /wallaroo\.User 'carol', active: false/);
  });

  it("follows an email not known until apply to the user it comes from", async () => {
    const carol = userResource("carol", { email: "carol@example.com", active: false });
    const { violations } = await runStackPolicy(memberInactivePolicy, [
      carol,
      memberResource("m", { workspaceId: 3, email: UNKNOWN_DURING_PREVIEW }, { email: [carol] }),
    ]);
    assert.equal(violations.length, 1);
  });

  it("passes users not managed here, and an active flag not known until apply", async () => {
    const { violations } = await runStackPolicy(memberInactivePolicy, [
      userResource("dave", { email: "dave@example.com", active: UNKNOWN_DURING_PREVIEW }),
      memberResource("m-dave", { workspaceId: 3, email: "dave@example.com" }),
      memberResource("m-erin", { workspaceId: 3, email: "erin@example.com" }),
    ]);
    assert.deepEqual(violations, []);
  });
});
