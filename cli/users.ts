/** Ordering and classifying users for output. */
import { emailProblem, normalizeEmail } from "../sdk/email";
import type { AccountIdentity, WallarooUser } from "../sdk";

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** By email (case-insensitive), then id; users without an email last, by username. Does not modify `users`. */
export function sortUsers(users: readonly WallarooUser[]): WallarooUser[] {
  return [...users].sort((a, b) => {
    if (a.email && b.email) return compare(normalizeEmail(a.email), normalizeEmail(b.email)) || compare(a.id, b.id);
    if (a.email) return -1;
    if (b.email) return 1;
    return compare(a.username, b.username) || compare(a.id, b.id);
  });
}

export interface ExcludedUser {
  user: WallarooUser;
  /** Why the user is left out of generated code. */
  reason: "no-email" | "invalid-email" | "duplicate-email" | "automation-account";
  detail?: string;
}

/** Whether `user` is the account these credentials log in as. */
export function isAccount(user: WallarooUser, account: AccountIdentity | undefined): boolean {
  if (!account) return false;
  if (account.userId !== undefined && user.id === account.userId) return true;
  const name = account.username?.trim().toLowerCase();
  return (
    name !== undefined &&
    name !== "" &&
    (user.username.toLowerCase() === name || (user.email !== undefined && normalizeEmail(user.email) === name))
  );
}

/**
 * Splits sorted users into those `wallaroo.User` can manage and those it cannot, with the reason.
 * The `account` the tool logs in with is left out: managed by a stack, destroying the stack (or
 * deleting its roster line) would deactivate the automation's own account.
 */
export function classifyUsers(
  users: readonly WallarooUser[],
  account?: AccountIdentity,
): {
  managed: (WallarooUser & { email: string })[];
  excluded: ExcludedUser[];
} {
  const managed: (WallarooUser & { email: string })[] = [];
  const excluded: ExcludedUser[] = [];
  const seen = new Map<string, WallarooUser>();
  for (const user of sortUsers(users)) {
    if (!user.email) {
      excluded.push({ user, reason: "no-email" });
      continue;
    }
    if (isAccount(user, account)) {
      excluded.push({ user, reason: "automation-account" });
      continue;
    }
    const problem = emailProblem(user.email);
    if (problem) {
      excluded.push({ user, reason: "invalid-email", detail: `the email ${problem}` });
      continue;
    }
    const key = normalizeEmail(user.email);
    const first = seen.get(key);
    if (first) {
      excluded.push({ user, reason: "duplicate-email", detail: `user ${first.id} has the same email` });
      continue;
    }
    seen.set(key, user);
    managed.push(user as WallarooUser & { email: string });
  }
  return { managed, excluded };
}
