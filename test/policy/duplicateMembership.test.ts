import * as assert from "node:assert/strict";
import { duplicateMembershipPolicy } from "../../policy/duplicateMembership";
import { memberResource, runStackPolicy, UNKNOWN_DURING_PREVIEW, userResource, workspaceResource } from "./harness";

const U = UNKNOWN_DURING_PREVIEW;

describe("wallaroo-duplicate-membership", () => {
  it("reports two members for the same workspace id and email, on the second, compared case-insensitively", async () => {
    const { violations } = await runStackPolicy(duplicateMembershipPolicy, [
      memberResource("a", { workspaceId: 3, email: "alice@example.com" }),
      memberResource("b", { workspaceId: 3, email: " Alice@Example.com", role: "owner" }),
    ]);
    assert.equal(violations.length, 1);
    assert.match(violations[0].urn!, /::b$/);
    assert.match(violations[0].message, /'a' and 'b' both manage alice@example\.com in workspace 3/);
  });

  it("passes the same email in two workspaces, and two emails in one", async () => {
    const { violations } = await runStackPolicy(duplicateMembershipPolicy, [
      memberResource("a", { workspaceId: 3, email: "alice@example.com" }),
      memberResource("b", { workspaceId: 4, email: "alice@example.com" }),
      memberResource("c", { workspaceId: 3, email: "bob@example.com" }),
    ]);
    assert.deepEqual(violations, []);
  });

  it("during preview, compares through the workspace and the user the unknown values come from", async () => {
    const ws = workspaceResource("fraud", { name: "fraud-detection", workspaceId: U });
    const alice = userResource("alice", { email: "alice@example.com" });
    const { violations } = await runStackPolicy(duplicateMembershipPolicy, [
      ws,
      alice,
      memberResource("a", { workspaceId: U, email: U }, { workspaceId: [ws], email: [alice] }),
      memberResource("b", { workspaceId: U, email: "ALICE@example.com" }, { workspaceId: [ws] }),
    ]);
    assert.equal(violations.length, 1);
    assert.match(violations[0].message, /in workspace 'fraud-detection'/);
  });

  it("skips values it cannot resolve, without a crash or a violation", async () => {
    const { violations } = await runStackPolicy(duplicateMembershipPolicy, [
      memberResource("a", { workspaceId: U, email: "alice@example.com" }),
      memberResource("b", { workspaceId: U, email: "alice@example.com" }),
      memberResource("c", { workspaceId: 3, email: U }),
      memberResource("d", { workspaceId: 3, email: U }),
    ]);
    assert.deepEqual(violations, []);
  });
});
