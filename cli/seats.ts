/**
 * `wallaroo-users seats`: the instance's licence seats, and (given the emails a stack manages)
 * the exact `unmanagedActiveUsers` for the policy pack's `wallaroo-active-user-limit`.
 * Users without an email (the built-in admin) hold no seat, as the policy's live count says.
 */
import { readFileSync } from "node:fs";
import { loadRoster } from "../roster";
import { normalizeEmail, type WallarooUser } from "../sdk";
import type { Edition } from "./args";
import { sortUsers } from "./users";

/** Active users a Wallaroo Community licence allows. */
const COMMUNITY_LIMIT = 5;

export interface SeatsOptions {
  edition: Edition;
  limit?: number;
  /** The emails the stack manages, and where they came from (for the text). */
  managed?: { emails: string[]; source: string };
}

export interface SeatsReport {
  active: string[];
  inactive: string[];
  seatsUsed: number;
  /** null: no limit (enterprise). */
  limit: number | null;
  edition: Edition;
  managed?: { source: string; emails: number; activeManaged: number; unmanagedActiveUsers: number };
  policyConfig?: Record<string, unknown>;
}

/** The emails of a `--roster` file or of a `--program-users` file (one per line; `#` starts a comment). */
export function managedEmails(roster: string | undefined, programUsers: string | undefined): SeatsOptions["managed"] {
  if (roster !== undefined) return { emails: loadRoster(roster).map((r) => r.email), source: roster };
  if (programUsers === undefined) return undefined;
  const emails = readFileSync(programUsers, "utf8")
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, "").trim())
    .filter((l) => l !== "");
  return { emails, source: programUsers };
}

export function seatsReport(users: readonly WallarooUser[], o: SeatsOptions): SeatsReport {
  const seated = sortUsers(users).filter((u): u is WallarooUser & { email: string } => u.email !== undefined);
  const active = seated.filter((u) => u.enabled).map((u) => u.email);
  const inactive = seated.filter((u) => !u.enabled).map((u) => u.email);
  const limit = o.limit ?? (o.edition === "community" ? COMMUNITY_LIMIT : null);
  const report: SeatsReport = { active, inactive, seatsUsed: active.length, limit, edition: o.edition };
  if (o.managed) {
    const mine = new Set(o.managed.emails.map(normalizeEmail));
    const activeManaged = active.filter((e) => mine.has(normalizeEmail(e))).length;
    const unmanagedActiveUsers = active.length - activeManaged;
    report.managed = { source: o.managed.source, emails: mine.size, activeManaged, unmanagedActiveUsers };
    report.policyConfig = {
      "wallaroo-active-user-limit": {
        edition: o.edition,
        ...(o.limit === undefined ? {} : { maxActiveUsers: o.limit }),
        unmanagedActiveUsers,
      },
    };
  }
  return report;
}

export function formatSeats(r: SeatsReport, source: string): string {
  const of =
    r.limit === null
      ? `no limit (${r.edition} licence)`
      : `${r.limit} allowed (${r.edition === "community" && r.limit === COMMUNITY_LIMIT ? "community licence" : "--limit"})`;
  const lines = [
    `Seats on ${source}: ${r.seatsUsed} active user${r.seatsUsed === 1 ? "" : "s"}, ${of}; ${r.inactive.length} inactive.`,
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
    lines.push(
      "",
      `${r.managed.source} manages ${r.managed.emails} email${r.managed.emails === 1 ? "" : "s"}, ${r.managed.activeManaged} of them active here; ` +
        `${r.managed.unmanagedActiveUsers} active user${r.managed.unmanagedActiveUsers === 1 ? " is" : "s are"} outside it.`,
      `unmanagedActiveUsers: ${r.managed.unmanagedActiveUsers}`,
      "",
      "Policy config (the file given to pulumi preview --policy-pack-config):",
      JSON.stringify(r.policyConfig, null, 2),
    );
  }
  return lines.join("\n") + "\n";
}
