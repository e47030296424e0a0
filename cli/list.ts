/** `wallaroo-users list`: the users and the workspaces as tables, or as JSON. */
import type { WallarooUser } from "../sdk";
import { formatTable } from "./table";
import { sortUsers } from "./users";
import { ListedWorkspace, memberLabel, sortMembers, sortWorkspaces } from "./workspaces";

export const NO_EMAIL = "(no email)";

/** `YYYY-MM-DD` (UTC) of a Keycloak timestamp in ms; `-` when it is not a valid time. */
export function isoDate(ms: number): string {
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) && ms > 0 ? d.toISOString().slice(0, 10) : "-";
}

/**
 * The aligned table: EMAIL, ACTIVE, ID, CREATED, sorted by email, users without one last; and
 * FEDERATION (the User Federation provider a user comes from, `-` for a user stored in Keycloak)
 * when any user has one, so that the table of an instance without federation is unchanged.
 */
export function formatUserTable(users: readonly WallarooUser[]): string {
  const federated = users.some((u) => u.federationLink !== undefined);
  const rows = sortUsers(users).map((u) => [
    u.email ?? NO_EMAIL,
    u.enabled ? "yes" : "no",
    u.id,
    isoDate(u.createdTimestamp),
    ...(federated ? [u.federationLink ?? "-"] : []),
  ]);
  return formatTable(["EMAIL", "ACTIVE", "ID", "CREATED", ...(federated ? ["FEDERATION"] : [])], rows);
}

/** A JSON array of the users, in the table's order (`federationLink` on users that have one). */
export function formatUserJson(users: readonly WallarooUser[]): string {
  return JSON.stringify(sortUsers(users), null, 2) + "\n";
}

/** The workspaces table: WORKSPACE, ID, ARCHIVED, MEMBER, ROLE; one row per member, owners first. */
export function formatWorkspaceTable(workspaces: readonly ListedWorkspace[], users: readonly WallarooUser[]): string {
  const byId = new Map(users.map((u) => [u.id, u]));
  const rows: string[][] = [];
  for (const w of sortWorkspaces(workspaces)) {
    const head = [w.name, String(w.id), w.archived ? "yes" : "no"];
    const members = sortMembers(w.members, byId);
    if (members.length === 0) rows.push([...head, "-", "-"]);
    for (const m of members) rows.push([...head, memberLabel(m.userId, byId), m.role]);
  }
  return formatTable(["WORKSPACE", "ID", "ARCHIVED", "MEMBER", "ROLE"], rows);
}

/**
 * A JSON array of the users, in the table's order, each with the workspaces it belongs to
 * (`workspaces: [{ workspaceId, name, role, archived }]`): the array of earlier versions, with one
 * more field, so scripts that read it keep working.
 */
export function formatUserJsonWithWorkspaces(
  users: readonly WallarooUser[],
  workspaces: readonly ListedWorkspace[],
): string {
  const of = new Map<string, { workspaceId: number; name: string; role: string; archived: boolean }[]>();
  for (const w of sortWorkspaces(workspaces)) {
    for (const m of w.members) {
      const list = of.get(m.userId) ?? [];
      list.push({ workspaceId: w.id, name: w.name, role: m.role, archived: w.archived });
      of.set(m.userId, list);
    }
  }
  return (
    JSON.stringify(
      sortUsers(users).map((u) => ({ ...u, workspaces: of.get(u.id) ?? [] })),
      null,
      2,
    ) + "\n"
  );
}
