import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as wallaroo from "pulumi-wallaroo";

const config = new pulumi.Config();
const rosterFile = path.resolve(config.get("roster") ?? "team.yaml");
const adoptExisting = config.getBoolean("adoptExisting") ?? true;

let roster: wallaroo.RosterEntry[];
try {
  roster = wallaroo.loadRoster(rosterFile);
} catch (e) {
  // A bad row stops the program with the rows named, not a stack trace.
  if (e instanceof wallaroo.RosterError) throw new pulumi.RunError(e.message);
  throw e;
}

// Resource names derive from emails, so a row keeps its resource when others move.
const taken = new Set<string>();
const users = roster.map(
  (row) => new wallaroo.User(wallaroo.resourceNameFor(row.email, taken), { email: row.email, active: row.active, adoptExisting }),
);

export const activeUsers = roster.filter((r) => r.active).length;
export const userIds = Object.fromEntries(users.map((u, i) => [roster[i].email, u.userId]));
