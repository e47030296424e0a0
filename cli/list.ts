/** `wallaroo-users list`: the users as a table or as JSON. */
import type { WallarooUser } from "../sdk";
import { formatTable } from "./table";
import { sortUsers } from "./users";

export const NO_EMAIL = "(no email)";

/** `YYYY-MM-DD` (UTC) of a Keycloak timestamp in ms; `-` when it is not a valid time. */
export function isoDate(ms: number): string {
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) && ms > 0 ? d.toISOString().slice(0, 10) : "-";
}

/** The aligned table: EMAIL, ACTIVE, ID, CREATED; sorted by email, users without one last. */
export function formatUserTable(users: readonly WallarooUser[]): string {
  const rows = sortUsers(users).map((u) => [
    u.email ?? NO_EMAIL,
    u.enabled ? "yes" : "no",
    u.id,
    isoDate(u.createdTimestamp),
  ]);
  return formatTable(["EMAIL", "ACTIVE", "ID", "CREATED"], rows);
}

/** A JSON array of the users, in the table's order. */
export function formatUserJson(users: readonly WallarooUser[]): string {
  return JSON.stringify(sortUsers(users), null, 2) + "\n";
}
