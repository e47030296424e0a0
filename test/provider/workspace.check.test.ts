/** The offline parts of wallaroo.Workspace and wallaroo.WorkspaceMember: check and diff, and the frozen entry's exports. */
import assert from "node:assert/strict";
import * as entry from "../../provider/lifecycle";
import { UNKNOWN } from "../../provider/inputs";
import { checkMemberInputs } from "../../provider/memberInputs";
import { checkWorkspaceInputs } from "../../provider/workspaceInputs";

describe("Workspace.check", () => {
  it("accepts a valid name and applies the default", () => {
    const { inputs, failures } = checkWorkspaceInputs({ name: "fraud-detection" });
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs, { name: "fraud-detection", adoptExisting: false });
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ["a missing name", {}, "name", /required/],
    [
      "a name with an underscore",
      { name: "fraud_detection" },
      "name",
      /'fraud_detection' is not valid: it does not match/,
    ],
    ["a name of 64 characters", { name: "a".repeat(64) }, "name", /the limit is 63/],
    ["a name that is a number", { name: 7 }, "name", /must be a string, not number/],
    ["an adoptExisting that is a string", { name: "a", adoptExisting: "yes" }, "adoptExisting", /true or false/],
    ["a misspelt property", { name: "a", adoptExistng: true }, "adoptExistng", /did you mean 'adoptExisting'/],
  ];
  for (const [what, news, property, reason] of bad) {
    it(`reports ${what} on '${property}'`, () => {
      const { failures } = checkWorkspaceInputs(news);
      const f = failures.find((x) => x.property === property);
      assert.ok(f, JSON.stringify(failures));
      assert.match(f.reason, reason);
    });
  }

  it("lets values not known during preview pass", () => {
    assert.deepEqual(checkWorkspaceInputs({ name: UNKNOWN, adoptExisting: UNKNOWN }).failures, []);
  });

  it("diff: a name change (or an unknown name) replaces; adoptExisting changes nothing", async () => {
    const olds = { name: "a", workspaceId: 1 };
    assert.deepEqual(await entry.workspace.diff("1", olds, { name: "b" }), {
      changes: true,
      replaces: ["name"],
      deleteBeforeReplace: false,
    });
    assert.deepEqual((await entry.workspace.diff("1", olds, { name: UNKNOWN })).replaces, ["name"]);
    assert.equal((await entry.workspace.diff("1", olds, { name: "a", adoptExisting: true })).changes, false);
  });
});

describe("WorkspaceMember.check", () => {
  it("accepts a membership and defaults the role to collaborator", () => {
    const { inputs, failures } = checkMemberInputs({ workspaceId: 3, email: "a@example.com" });
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs, { workspaceId: 3, email: "a@example.com", role: "collaborator" });
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ["a missing workspaceId", { email: "a@example.com" }, "workspaceId", /required/],
    ["a workspaceId that is text", { workspaceId: "3", email: "a@example.com" }, "workspaceId", /not string/],
    ["a workspaceId of 0", { workspaceId: 0, email: "a@example.com" }, "workspaceId", /positive whole number, not 0/],
    ["a missing email", { workspaceId: 3 }, "email", /required/],
    ["a malformed email", { workspaceId: 3, email: "a@localhost" }, "email", /no dot/],
    ["a misspelt role", { workspaceId: 3, email: "a@example.com", role: "ownr" }, "role", /did you mean 'owner'/],
    [
      "an unknown role",
      { workspaceId: 3, email: "a@example.com", role: "admin" },
      "role",
      /"owner" or "collaborator", not "admin"$/,
    ],
  ];
  for (const [what, news, property, reason] of bad) {
    it(`reports ${what} on '${property}'`, () => {
      const { failures } = checkMemberInputs(news);
      const f = failures.find((x) => x.property === property);
      assert.ok(f, JSON.stringify(failures));
      assert.match(f.reason, reason);
    });
  }

  it("lets values not known during preview pass", () => {
    assert.deepEqual(checkMemberInputs({ workspaceId: UNKNOWN, email: UNKNOWN, role: UNKNOWN }).failures, []);
  });

  it("diff: another workspace or email replaces; a role change is in place; case and spaces of emails do not count", async () => {
    const olds = { workspaceId: 3, email: "a@example.com", role: "collaborator", userId: "u" };
    const d = (news: Record<string, unknown>) => entry.workspaceMember.diff("3/u", olds, news);
    assert.deepEqual(await d({ workspaceId: 3, email: " A@Example.com", role: "collaborator" }), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.deepEqual(await d({ workspaceId: 3, email: "a@example.com", role: "owner" }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.deepEqual((await d({ workspaceId: 4, email: "b@example.com", role: "owner" })).replaces, [
      "workspaceId",
      "email",
    ]);
    assert.deepEqual((await d({ workspaceId: UNKNOWN, email: UNKNOWN })).replaces, ["workspaceId", "email"]);
  });
});

describe("the frozen entry's workspace exports", () => {
  it("offer the six operations for each resource, beside the user's unchanged ones", () => {
    for (const name of ["workspace", "workspaceMember"] as const) {
      assert.deepEqual(Object.keys(entry[name]).sort(), ["check", "create", "diff", "read", "remove", "update"]);
    }
    for (const f of ["configure", "check", "diff", "create", "read", "update", "remove"] as const)
      assert.equal(typeof entry[f], "function");
  });
});
