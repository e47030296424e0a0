/** Workspaces for `list` and `generate`: fetching them with their members, and deciding which can be adopted. */
import type { WallarooClient, WallarooUser, WallarooWorkspace, WorkspaceRole } from "../sdk";
import { workspaceNameProblem } from "../sdk";
import { normalizeEmail } from "../sdk/email";

/** A workspace with its members, as `list` and `list_users` show them. */
export interface ListedWorkspace extends WallarooWorkspace {
  members: { userId: string; role: WorkspaceRole }[];
}

/** The workspaces, or why they could not be listed (the users are shown either way). */
export type WorkspaceListing = { workspaces: ListedWorkspace[] } | { error: string };

/** `list_users` calls at once: enough to be quick, few enough not to flood the server. */
const CONCURRENCY = 8;

export async function fetchWorkspaces(client: WallarooClient): Promise<WorkspaceListing> {
  try {
    const all = await client.listWorkspaces();
    const out: ListedWorkspace[] = new Array(all.length);
    let next = 0;
    const worker = async () => {
      while (next < all.length) {
        const i = next++;
        const w = all[i]!; // i < all.length
        out[i] = { ...w, members: await client.listWorkspaceMembers(w.id) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, all.length) }, worker));
    return { workspaces: sortWorkspaces(out) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** By name, then id. */
export function sortWorkspaces<T extends WallarooWorkspace>(workspaces: readonly T[]): T[] {
  return [...workspaces].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id));
}

const DEFAULT_SUFFIX = " - Default Workspace";

/** The email whose personal default workspace this is (`<email> - Default Workspace`), if it is one. */
export function defaultWorkspaceOwner(name: string): string | undefined {
  return name.endsWith(DEFAULT_SUFFIX) ? name.slice(0, -DEFAULT_SUFFIX.length) : undefined;
}

export interface ExcludedWorkspace {
  workspace: ListedWorkspace;
  reason: string;
}

/**
 * Splits workspaces into those `wallaroo.Workspace` can adopt and those it cannot, with the reason:
 * personal default workspaces (each user's own, made by the Wallaroo SDK), names the API would
 * refuse, and names that several workspaces share (adoption refuses to guess).
 */
export function classifyWorkspaces(workspaces: readonly ListedWorkspace[]): {
  adoptable: ListedWorkspace[];
  excluded: ExcludedWorkspace[];
} {
  const count = new Map<string, number>();
  for (const w of workspaces) count.set(w.name, (count.get(w.name) ?? 0) + 1);
  const adoptable: ListedWorkspace[] = [];
  const excluded: ExcludedWorkspace[] = [];
  for (const w of sortWorkspaces(workspaces)) {
    const owner = defaultWorkspaceOwner(w.name);
    if (owner !== undefined) {
      excluded.push({ workspace: w, reason: `the personal default workspace of ${owner}` });
      continue;
    }
    const problem = workspaceNameProblem(w.name);
    if (problem) {
      excluded.push({ workspace: w, reason: `its name ${problem}` });
      continue;
    }
    if ((count.get(w.name) ?? 0) > 1) {
      excluded.push({ workspace: w, reason: `${count.get(w.name)} workspaces share its name` });
      continue;
    }
    adoptable.push(w);
  }
  return { adoptable, excluded };
}

/** How a member is named: the user's email, else the username, else the id. */
export function memberLabel(userId: string, users: ReadonlyMap<string, WallarooUser>): string {
  const u = users.get(userId);
  return u?.email ?? (u ? `username ${u.username}` : `user ${userId}`);
}

/** Members owners first, then by name. */
export function sortMembers<T extends { userId: string; role: WorkspaceRole }>(
  members: readonly T[],
  users: ReadonlyMap<string, WallarooUser>,
): T[] {
  const key = (m: T) => normalizeEmail(memberLabel(m.userId, users));
  return [...members].sort((a, b) =>
    a.role !== b.role ? (a.role === "owner" ? -1 : 1) : key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0,
  );
}
