/**
 * The verdict of `wallaroo-active-user-limit` on a seat count (./seats.ts), in words: the
 * violation, or nothing when the count fits. The policy reports it, and `wallaroo-users seats
 * --roster` prints it, so that a CI job that checks a roster without Pulumi gets the policy's answer
 * word for word.
 */
import { agree, plural } from "./plural";
import type { SeatCount } from "./seats";
import { describeUser, type WallarooUser } from "./userResources";

/** At most this many users are listed in one message; the rest are counted. */
export const MAX_LISTED_USERS = 50;

function listUsers(users: readonly WallarooUser[]): string {
  const listed = users.slice(0, MAX_LISTED_USERS).map(describeUser).join(", ");
  const rest = users.length - MAX_LISTED_USERS;
  return rest > 0 ? `${listed} and ${rest} more` : listed;
}

/** How the users outside the stack are named: counted live (the count has `existing`), or configured. */
function outside(count: SeatCount): string {
  return count.existing === undefined
    ? `${count.unmanaged} unmanaged`
    : `${count.unmanaged} active outside it, counted live`;
}

/** "4 active Wallaroo users after the update (3 in this stack + 1 unmanaged), 5 licence seats at its peak". */
export function describeSeatCount(count: SeatCount): string {
  return (
    `${plural(count.final, "active Wallaroo user")} after the update (${count.activeInStack.length} in this stack + ${outside(count)}), ` +
    `${plural(count.peak, "licence seat")} at its peak`
  );
}

/**
 * The violation when the stack's own users take the instance over `limit`, at the end of the update
 * or at its peak; undefined when they fit. `source` names the limit ("the community licence").
 */
export function seatViolation(count: SeatCount, limit: number, source: string): string | undefined {
  const skipped =
    count.unknown > 0
      ? ` ${plural(count.unknown, "more user")} whose active flag or email is not known until apply ${agree(count.unknown, "was", "were")} not counted.`
      : "";
  const live =
    count.existing === undefined
      ? ""
      : ` (live count: ${plural(count.unmanaged, "active user")} outside this stack; ${count.existing} of its users ${agree(count.existing, "exists", "exist")}, ${count.invited ?? 0} will be invited)`;
  // A stack is only at fault when its own users take the instance over the limit.
  if (count.activeInStack.length > 0 && count.final > limit) {
    const requested =
      count.unmanaged > 0
        ? `${plural(count.final, "active Wallaroo user")} requested (${count.activeInStack.length} in this stack + ${outside(count)})`
        : `${plural(count.final, "active Wallaroo user")} requested in this stack`;
    return (
      `${requested}, but ${source} allows ${limit}. ` +
      `Deactivate ${count.final - limit} (set active: false) or raise the limit. ` +
      `Active in this stack: ${listUsers(count.activeInStack)}.${skipped}${live}`
    );
  }
  if (count.transient.length > 0 && count.peak > limit) {
    const n = count.transient.length;
    return (
      `${plural(count.peak, "licence seat")} ${agree(count.peak, "is", "are")} needed during this update, but ${source} allows ${limit}: ` +
      `${count.final} ${agree(count.final, "stays", "stay")} active (${count.activeInStack.length} in this stack + ${outside(count)}) and ` +
      `${plural(n, "user")} ${agree(n, "holds", "hold")} a seat only while it runs, because the API invites a user ` +
      "active before it can deactivate it and the engine may run every create before any deactivation: " +
      `${listUsers(count.transient)}. Create ${agree(n, "it", "them")} in an earlier pulumi up ` +
      "while a seat is free, or deactivate someone first in a separate pulumi up." +
      `${skipped}${live}`
    );
  }
  return undefined;
}
