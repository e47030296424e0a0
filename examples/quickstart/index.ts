import * as pulumi from "@pulumi/pulumi";
import * as wallaroo from "pulumi-wallaroo";

const config = new pulumi.Config();

// An active user; the server generates a temporary password (exported below as a secret).
const alice = new wallaroo.User("alice", { email: "alice@example.com" });

// An inactive user with a chosen initial password: invited (active: it needs a free seat for a moment),
// then deactivated, so it holds no licence seat afterwards.
const bob = new wallaroo.User("bob", {
  email: "bob@example.com",
  active: false,
  password: config.requireSecret("bobPassword"),
});

// Flip `pulumi config set carolActive false` to deactivate carol in place.
const carol = new wallaroo.User("carol", {
  email: "carol@example.com",
  active: config.getBoolean("carolActive") ?? true,
});

// Where they work: a workspace with alice as an owner and carol as a collaborator. Pass the outputs
// (workspaceId, email), so the memberships wait for the workspace and the users.
const ml = new wallaroo.Workspace("ml", { name: "quickstart-ml" });
new wallaroo.WorkspaceMember("ml-alice", { workspaceId: ml.workspaceId, email: alice.email, role: "owner" });
new wallaroo.WorkspaceMember("ml-carol", { workspaceId: ml.workspaceId, email: carol.email, role: "collaborator" });

export const userIds = { alice: alice.userId, bob: bob.userId, carol: carol.userId };
export const workspaceId = ml.workspaceId;
export const active = { alice: alice.active, bob: bob.active, carol: carol.active };
/** Hand this to alice; `pulumi stack output aliceInitialPassword --show-secrets` reveals it. */
export const aliceInitialPassword = alice.initialPassword;
