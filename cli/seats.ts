/**
 * `wallaroo-users seats`: the instance's licence seats; given the emails a stack manages, the exact
 * `unmanagedActiveUsers` for the policy pack's `wallaroo-active-user-limit`; given a roster, whether
 * it fits: the policy's own live count and verdict (policy/seats.ts, policy/seatVerdict.ts), so a CI
 * job can check a roster without the Pulumi CLI and get the policy's answer.
 * Users without an email (the built-in admin) hold no seat, as the policy's live count says.
 */
import { readFileSync } from "node:fs";
import { activeUserLimit } from "../policy/config";
import { agree, plural } from "../policy/plural";
import { countLive } from "../policy/seats";
import { describeSeatCount, seatViolation } from "../policy/seatVerdict";
import type { WallarooUser as StackUser } from "../policy/userResources";
import { loadRoster, resourceNames } from "../roster";
import { normalizeEmail, type WallarooUser } from "../sdk";
import { describeEditionSource, type Edition, type EditionSource, type ResolvedEdition } from "../sdk/edition";
import { sortUsers } from "./users";

/** The emails a stack manages, and where they came from. */
export interface ManagedUsers {
  /** The file, for the text. */
  source: string;
  /** A roster knows each user's `active`; a `--program-users` file lists emails only. */
  kind: "roster" | "program-users";
  users: { email: string; active: boolean }[];
}

export interface SeatsOptions {
  edition: ResolvedEdition;
  /** `--limit`: overrides the edition's limit, as the policy's maxActiveUsers does. */
  limit?: number;
  managed?: ManagedUsers;
}

/** A roster against the instance, as `wallaroo-active-user-limit` counts it live. */
export interface SeatsFit {
  /** Active users after the update: the roster's active users plus the active users outside it. */
  activeAfterUpdate: number;
  /** Seats held at the update's peak (every create before any deactivation). */
  seatsAtPeak: number;
  /** Active users of the instance outside the roster. */
  unmanaged: number;
  /** Roster users that exist on the instance already (no invite). */
  existing: number;
  /** Roster users the update will invite. */
  invited: number;
  /** Roster users that hold a seat only while the update runs (invited active, then deactivated). */
  transient: string[];
  /** Whether the roster fits the limit at the end of the update and at its peak. */
  fits: boolean;
  /** The figures in the policy's words: "5 active Wallaroo users after the update (...), 6 licence seats at its peak". */
  summary: string;
  /** When it does not fit: the policy's violation, word for word. */
  violation?: string;
}

export interface SeatsReport {
  active: string[];
  inactive: string[];
  seatsUsed: number;
  /** null: no limit (enterprise). */
  limit: number | null;
  edition: Edition;
  /** Where the edition came from: `flag` (--edition), `environment` (WALLAROO_EDITION) or `default` (assumed). */
  editionSource: EditionSource;
  /** How the limit is named: "the community licence (from --edition)", "the configured limit (--limit)". */
  limitSource: string;
  managed?: { source: string; emails: number; activeManaged: number; unmanagedActiveUsers: number };
  policyConfig?: Record<string, unknown>;
  /** `--roster` only. */
  fit?: SeatsFit;
}

/** The stack's users of a `--roster` file or of a `--program-users` file (one email per line; `#` starts a comment). */
export function managedUsers(roster: string | undefined, programUsers: string | undefined): ManagedUsers | undefined {
  if (roster !== undefined) {
    return {
      source: roster,
      kind: "roster",
      users: loadRoster(roster).map((r) => ({ email: r.email, active: r.active })),
    };
  }
  if (programUsers === undefined) return undefined;
  const emails = readFileSync(programUsers, "utf8")
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, "").trim())
    .filter((l) => l !== "");
  // Active flags are not known; they do not change who is outside the stack.
  return { source: programUsers, kind: "program-users", users: emails.map((email) => ({ email, active: true })) };
}

/** The limit in force and how the report names it: the policy's words, and where the edition came from. */
function limitOf(o: SeatsOptions): { limit: number | undefined; source: string } {
  const { limit, source, byEdition } = activeUserLimit(
    { edition: o.edition.edition, maxActiveUsers: o.limit },
    "--limit",
  );
  return { limit, source: byEdition ? `${source} (${describeEditionSource(o.edition, "--edition")})` : source };
}

export function seatsReport(users: readonly WallarooUser[], o: SeatsOptions): SeatsReport {
  const seated = sortUsers(users).filter((u): u is WallarooUser & { email: string } => u.email !== undefined);
  const active = seated.filter((u) => u.enabled).map((u) => u.email);
  const inactive = seated.filter((u) => !u.enabled).map((u) => u.email);
  const { limit, source } = limitOf(o);
  const report: SeatsReport = {
    active,
    inactive,
    seatsUsed: active.length,
    limit: limit ?? null,
    edition: o.edition.edition,
    editionSource: o.edition.source,
    limitSource: source,
  };
  if (!o.managed) return report;

  const names = resourceNames(o.managed.users.map((u) => u.email));
  const stack: StackUser[] = o.managed.users.map((u) => {
    const name = names.get(normalizeEmail(u.email)) ?? u.email;
    return { name, urn: name, email: u.email, active: u.active };
  });
  const count = countLive(
    stack,
    users.map((u) => ({ id: u.id, email: u.email, enabled: u.enabled })),
  );
  report.managed = {
    source: o.managed.source,
    emails: names.size,
    activeManaged: active.length - count.unmanaged,
    unmanagedActiveUsers: count.unmanaged,
  };
  report.policyConfig = {
    "wallaroo-active-user-limit": {
      edition: o.edition.edition,
      ...(o.limit === undefined ? {} : { maxActiveUsers: o.limit }),
      unmanagedActiveUsers: count.unmanaged,
    },
  };
  if (o.managed.kind === "roster") {
    const violation = limit === undefined ? undefined : seatViolation(count, limit, source);
    report.fit = {
      activeAfterUpdate: count.final,
      seatsAtPeak: count.peak,
      unmanaged: count.unmanaged,
      existing: count.existing ?? 0,
      invited: count.invited ?? 0,
      transient: count.transient.map((u) => String(u.email)),
      fits: violation === undefined,
      summary: describeSeatCount(count),
      ...(violation === undefined ? {} : { violation }),
    };
  }
  return report;
}

export function formatSeats(r: SeatsReport, source: string): string {
  const of = r.limit === null ? `${r.limitSource} has no limit` : `${r.limitSource} allows ${r.limit}`;
  const lines = [
    `Seats on ${source}: ${plural(r.seatsUsed, "active user")}, ${r.inactive.length} inactive; ${of}.`,
    "",
    `Active (${r.active.length}):${r.active.length === 0 ? " none" : ""}`,
    ...r.active.map((e) => `  ${e}`),
    `Inactive (${r.inactive.length}):${r.inactive.length === 0 ? " none" : ""}`,
    ...r.inactive.map((e) => `  ${e}`),
  ];
  if (r.limit !== null && r.seatsUsed >= r.limit) {
    lines.push("", "The instance is full: inviting anyone, even a user that ends inactive, needs a free seat first.");
  }
  if (r.managed && r.policyConfig) {
    const outside = r.managed.unmanagedActiveUsers;
    lines.push(
      "",
      `${r.managed.source} manages ${plural(r.managed.emails, "email")}, ${r.managed.activeManaged} of them active here; ` +
        `${plural(outside, "active user")} ${agree(outside, "is", "are")} outside it.`,
      `unmanagedActiveUsers: ${outside}`,
    );
  }
  if (r.fit) {
    lines.push(
      "",
      r.fit.violation === undefined
        ? `${r.managed?.source} fits: ${r.fit.summary}; ${of}.`
        : `${r.managed?.source} does not fit: ${r.fit.violation}`,
    );
  } else if (r.managed) {
    lines.push(
      "(--program-users lists emails without their active flags: give --roster to check that the stack fits.)",
    );
  }
  if (r.policyConfig) {
    lines.push(
      "",
      "Policy config (the file given to pulumi preview --policy-pack-config):",
      JSON.stringify(r.policyConfig, null, 2),
    );
  }
  return lines.join("\n") + "\n";
}
