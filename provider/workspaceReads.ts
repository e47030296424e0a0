/**
 * Reads of workspaces and memberships, gathered into few requests. The engine hands the host its
 * reads as its `--parallel` slots free up, not all at once.
 * - Refresh: waiting a moment before sending, and letting an answer serve the reads that arrive
 *   shortly after it, makes a refresh of W workspaces share one `list`, and the M members of a
 *   workspace share one `list_users` (the client only shares requests in flight). Every change
 *   this provider makes forgets what is kept.
 * - Create and update of a member ({@link membersNow}): a listing sent after the call, never one
 *   kept from before, so that it shows the caller's own change; concurrent calls share it.
 */
import { Batcher } from "../sdk/batcher";
import type { WallarooWorkspace, WorkspaceMember } from "../sdk/workspaces";
import { getClient } from "./runtime";

/** How long a refresh read waits for company before it is sent: reads are never the slow part of an operation. */
const WINDOW_MS = 25;
/**
 * How long an answer serves later reads. A refresh reads a snapshot of the instance; a read that
 * follows a change of this provider's never gets an older answer (see {@link forgetWorkspaceReads}).
 */
const KEEP_MS = 2_000;

interface Kept<T> {
  promise: Promise<T>;
  settledAt?: number;
}

const kept = new Map<string, Kept<unknown>>();

function shared<T>(key: string, fetch: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const k = kept.get(key) as Kept<T> | undefined;
  if (k && (k.settledAt === undefined || now - k.settledAt <= KEEP_MS)) return k.promise;
  const entry: Kept<T> = {
    promise: new Promise((resolve) => setTimeout(resolve, WINDOW_MS)).then(fetch),
  };
  entry.promise.then(
    () => (entry.settledAt = Date.now()),
    // A failure is never kept: the next read asks again.
    () => kept.get(key) === entry && kept.delete(key),
  );
  kept.set(key, entry);
  return entry.promise;
}

/** Every workspace the account can see. */
export function sharedWorkspaces(): Promise<WallarooWorkspace[]> {
  return shared("list", () => getClient().listWorkspaces());
}

/** The members of a workspace. Copies, so callers cannot disturb each other. */
export async function sharedMembers(workspaceId: number): Promise<WorkspaceMember[]> {
  const members = await shared(`members/${workspaceId}`, () => getClient().listWorkspaceMembers(workspaceId));
  return members.map((m) => ({ ...m }));
}

/** Called by every change: later reads ask the server again. */
export function forgetWorkspaceReads(): void {
  kept.clear();
}

type Listing = { members: WorkspaceMember[] } | { error: unknown };

/**
 * Member listings for create and update: one that starts after the call, so that it shows the
 * caller's own change. The members of a workspace are created together (they all wait for it), so
 * their checks before and after `add_user` come in bursts: gathered like the user reads (runtime.ts),
 * a burst shares one `list_users` per workspace instead of two per member. A burst is over after
 * 10 ms without a new check, not 3: the engine hands members over as its slots free up, and on a
 * busy machine a burst's checks arrive several ms apart (3 × 4 members at --parallel 8: with 3 ms,
 * one run in six made 11–14 listings instead of 6–8; with 10 ms, 6 in 12 runs, a CPU hog running in
 * half of them; the 20 × 50 workspace up took as long, with 97–101 listings instead of 108–118).
 */
const MEMBER_BURST_IDLE_MS = 10;
const listings = new Batcher<number, Listing>(
  async (workspaceIds) => {
    const client = getClient();
    const answers = await Promise.all(
      workspaceIds.map((id) =>
        client.listWorkspaceMembers(id).then(
          (members): Listing => ({ members }),
          (error: unknown): Listing => ({ error }),
        ),
      ),
    );
    return new Map(workspaceIds.map((id, i) => [id, answers[i]!])); // one answer per id, in order
  },
  { windowMs: 25, idleMs: MEMBER_BURST_IDLE_MS, maxBatch: 100 },
);

/** The members of a workspace, from a `list_users` sent after this call. Copies, as above. */
export async function membersNow(workspaceId: number): Promise<WorkspaceMember[]> {
  const listing = await listings.load(workspaceId);
  if (!listing) throw new Error(`No listing of workspace ${workspaceId} came back`); // the batch answers every id
  if ("error" in listing) throw listing.error;
  return listing.members.map((m) => ({ ...m }));
}
