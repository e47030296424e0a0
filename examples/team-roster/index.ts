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
const users = roster.map(
  (row) =>
    new wallaroo.User(names.get(row.email.trim().toLowerCase())!, {
      email: row.email,
      active: row.active,
      adoptExisting,
    }),
);

export const activeUsers = roster.filter((r) => r.active).length;
export const userIds = Object.fromEntries(users.map((u, i) => [roster[i].email, u.userId]));
