import * as pulumi from "@pulumi/pulumi";
import * as wallaroo from "pulumi-wallaroo";

const config = new pulumi.Config();
// Relative to the project folder (Pulumi runs the program there); messages name it as written.
const rosterFile = config.get("roster") ?? "team.yaml";
const adoptExisting = config.getBoolean("adoptExisting") ?? true;

let roster: wallaroo.RosterEntry[];
try {
  roster = wallaroo.loadRoster(rosterFile);
} catch (e) {
  // A bad roster stops the program before any user is registered, so nothing changes
  // (not even the users of removed lines): the message names every bad row, no stack trace.
  if (e instanceof wallaroo.RosterError) throw new pulumi.RunError(e.message);
  throw e;
}

// Resource names derive from the emails alone, never from the order of the rows, so moving rows
// renames nothing. A removed row's resource is deleted by Pulumi, which deactivates that user.
const names = wallaroo.resourceNames(roster.map((row) => row.email));
const nameOf = (email: string) => names.get(email.trim().toLowerCase())!;
const users = roster.map((row) => {
  const name = nameOf(row.email);
  return new wallaroo.User(name, {
    email: row.email,
    active: row.active,
    adoptExisting,
    // A roster in Git holds no secrets. A chosen initial password (else the server issues one) is a
    // secret in the stack's configuration, keyed by the resource name:
    //   pulumi config set --secret password-dave-example-com '<initial password>'
    // Used by the invite only: an existing (adopted) user keeps the password they have.
    password: config.getSecret(`password-${name}`),
  });
});

// Every workspace a row names, once. A workspace no row names any more leaves the stack but stays on
// the instance (the API cannot delete one); a removed membership removes the person from it.
const workspaces = new Map<string, wallaroo.Workspace>();
for (const row of roster) {
  for (const name of Object.keys(row.workspaces ?? {})) {
    if (!workspaces.has(name))
      workspaces.set(name, new wallaroo.Workspace(wallaroo.workspaceResourceName(name), { name, adoptExisting }));
  }
}
roster.forEach((row, i) => {
  for (const [name, role] of Object.entries(row.workspaces ?? {})) {
    new wallaroo.WorkspaceMember(wallaroo.memberResourceName(name, nameOf(row.email)), {
      workspaceId: workspaces.get(name)!.workspaceId,
      // The user's output, so the membership waits for the invitation.
      email: users[i].email,
      role,
    });
  }
});

export const activeUsers = roster.filter((r) => r.active).length;
export const userIds = Object.fromEntries(users.map((u, i) => [roster[i].email, u.userId]));
export const workspaceIds = Object.fromEntries([...workspaces].map(([name, w]) => [name, w.workspaceId]));
