/** Ordering and classifying users for output. */
import { emailProblem, normalizeEmail } from "../sdk/email";
import type { WallarooUser } from "../sdk";

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
  reason: "no-email" | "invalid-email" | "duplicate-email";
  detail?: string;
}

/** Splits sorted users into those `wallaroo.User` can manage and those it cannot, with the reason. */
export function classifyUsers(users: readonly WallarooUser[]): {
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
