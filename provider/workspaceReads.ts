/**
 * Refresh reads of workspaces and memberships, gathered into few requests. The engine hands the
 * host its reads as its `--parallel` slots free up, not all at once; waiting a moment before
 * sending lets a refresh of W workspaces share one `list`, and the M members of a workspace share
 * one `list_users` (the client only shares requests already in flight). Only reads use these:
 * create and update read afresh, after their own change.
 */
import type { WallarooWorkspace, WorkspaceMember } from "../sdk/workspaces";
import { getClient } from "./runtime";

/** As the user reads' window (runtime.ts): reads are never the slow part of an operation. */
const WINDOW_MS = 25;

let listing: Promise<WallarooWorkspace[]> | undefined;
const membersOf = new Map<number, Promise<WorkspaceMember[]>>();

function later<T>(fn: () => Promise<T>): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, WINDOW_MS)).then(fn);
}

/** Every workspace the account can see; concurrent callers share one request. */
export function sharedWorkspaces(): Promise<WallarooWorkspace[]> {
  if (!listing) {
    const p = later(() => getClient().listWorkspaces()).finally(() => {
      if (listing === p) listing = undefined;
    });
    listing = p;
  }
  return listing;
}

/** The members of a workspace; concurrent callers share one request. Copies, so callers cannot disturb each other. */
export async function sharedMembers(workspaceId: number): Promise<WorkspaceMember[]> {
  let p = membersOf.get(workspaceId);
  if (!p) {
    const q = later(() => getClient().listWorkspaceMembers(workspaceId)).finally(() => {
      if (membersOf.get(workspaceId) === q) membersOf.delete(workspaceId);
    });
    membersOf.set(workspaceId, (p = q));
  }
  return (await p).map((m) => ({ ...m }));
}
