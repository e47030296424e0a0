/**
 * Licence seats a stack's change needs: at the end, and at its peak.
 *
 * The API cannot invite an inactive user: create invites (the user is active, holding a seat) and
 * then deactivates. The engine runs creates in parallel and may run every create before any
 * update, so during an `up` a user this stack newly invites holds a seat even when it ends
 * inactive, and a user it deactivates still holds its seat until its update runs. The peak is
 * what the instance must have free for the `up` to succeed; the final count is what stays.
 */
import { normalizeEmail } from "../sdk/email";
import { UNKNOWN, type WallarooUser } from "./userResources";

/** A user of the instance, as the live count sees it. */
export interface ServerUser {
  id: string;
  email?: string;
  enabled: boolean;
}

export interface SeatCount {
  /** Active users after the change. */
  final: number;
  /** Seats held at the worst moment of the change (every create before any deactivation). */
  peak: number;
  /** Active users outside this stack (configured, or counted live). */
  unmanaged: number;
  /** Users of this stack that end active. */
  activeInStack: WallarooUser[];
  /** Users of this stack that hold a seat during the change but not after it. */
  transient: WallarooUser[];
  /** Live only: users of this stack that already exist on the instance (no invite). */
  existing?: number;
  /** Live only: users of this stack that will be invited. */
  invited?: number;
  /** Users whose `active` (or, live, email) is not known until apply: not counted. */
  unknown: number;
}

/**
 * With a configured number of unmanaged users. A user whose planned state has no `userId` is
 * created or changed by this `up`; if it ends inactive it may hold a seat meanwhile (a new invite,
 * or an active user not deactivated yet), so it counts at the peak.
 */
export function countConfigured(users: readonly WallarooUser[], unmanaged: number): SeatCount {
  const activeInStack: WallarooUser[] = [];
  const transient: WallarooUser[] = [];
  let unknown = 0;
  for (const u of users) {
    if (u.active === UNKNOWN) unknown++;
    else if (u.active) activeInStack.push(u);
    else if (u.userId === undefined) transient.push(u);
  }
  const final = unmanaged + activeInStack.length;
  return { final, peak: final + transient.length, unmanaged, activeInStack, transient, unknown };
}

/**
 * With the instance's users: which of the stack's users exist (by `userId`, else by email,
 * case-insensitively), which active users are unmanaged, and the seats exactly. Users without an
 * email (the built-in admin) hold no seat, as the licence counts invited users.
 */
export function countLive(users: readonly WallarooUser[], server: readonly ServerUser[]): SeatCount {
  const byId = new Map(server.map((s) => [s.id, s]));
  const byEmail = new Map<string, ServerUser>();
  for (const s of server) if (s.email) byEmail.set(normalizeEmail(s.email), s);

  const managed = new Set<string>();
  const activeInStack: WallarooUser[] = [];
  const transient: WallarooUser[] = [];
  let unknown = 0;
  let existing = 0;
  let invited = 0;
  let seatsOfStack = 0;
  for (const u of users) {
    const id = u.userId;
    const match =
      (id !== undefined ? byId.get(id) : undefined) ??
      (typeof u.email === "string" ? byEmail.get(normalizeEmail(u.email)) : undefined);
    if (match) managed.add(match.id);
    if (u.active === UNKNOWN || (u.email === UNKNOWN && !match)) {
      unknown++;
      continue;
    }
    if (match) existing++;
    else invited++;
    // A seat at some moment: a new invite, an existing active user (until deactivated), or an activation.
    const holdsSeat = !match || match.enabled || u.active;
    if (u.active) activeInStack.push(u);
    else if (holdsSeat) transient.push(u);
    if (holdsSeat) seatsOfStack++;
  }
  const unmanaged = server.filter((s) => s.enabled && s.email && !managed.has(s.id)).length;
  return {
    final: unmanaged + activeInStack.length,
    peak: unmanaged + seatsOfStack,
    unmanaged,
    activeInStack,
    transient,
    existing,
    invited,
    unknown,
  };
}
