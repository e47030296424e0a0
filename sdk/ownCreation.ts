/**
 * Recognising a user this client created when the creation's answer was lost (inviteUser, and
 * createKeycloakUser on Enterprise): only a user that exists, in the state asked for, created after
 * the first attempt began (minus clock skew) can be ours; anything older is someone else's.
 */
import type { WallarooUser } from "./types";

/** How far an existing user's creation may precede our first attempt and still be ours (clock skew). */
export const OWN_CREATION_SKEW_MS = 120_000;

/** Whether `user` may be the one our creation made, begun at `startedAt` (ms epoch) and asking for `enabled`. */
export function isOwnCreation(user: WallarooUser, startedAt: number, enabled: boolean): boolean {
  return user.enabled === enabled && user.createdTimestamp >= startedAt - OWN_CREATION_SKEW_MS;
}

/** `, created <ISO date>` for a message, or nothing when the timestamp is not a date. */
export function createdNote(user: WallarooUser): string {
  return Math.abs(user.createdTimestamp) <= 8.64e15 ? `, created ${new Date(user.createdTimestamp).toISOString()}` : "";
}
