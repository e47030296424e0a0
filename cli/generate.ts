/**
 * `wallaroo-users generate`: the users of an instance as code that adopts them,
 * either a Pulumi TypeScript program or a team roster.
 */
import { agree, plural } from "../policy/plural";
import type { AccountIdentity, WallarooUser, WorkspaceRole } from "../sdk";
import { commentSafe, formatRoster, memberResourceName, resourceNames, workspaceResourceName } from "../roster";
import type { RosterEntry } from "../roster";
import { classifyUsers, ExcludedUser } from "./users";
import {
  classifyWorkspaces,
  ExcludedWorkspace,
  ListedWorkspace,
  memberLabel,
  sortMembers,
  WorkspaceListing,
} from "./workspaces";

export interface GenerateOptions {
  /** Where the users came from (the API URL), for the header comment. */
  source: string;
  /** The account the tool logged in with: left out, with a comment saying why. */
  account?: AccountIdentity;
  /** The workspaces with their members, or why they could not be listed (then none are generated). */
  workspaces?: WorkspaceListing;
}

export interface Generated {
  text: string;
  /** Users written as code. */
  managed: number;
  /** Users left out (listed in a comment). */
  excluded: number;
  /** Workspaces written as code. */
  workspaces: number;
  /** Memberships written as code. */
  members: number;
}

/**
 * A string literal for TypeScript source: JSON.stringify, plus escapes for
 * U+2028/U+2029, which JSON leaves raw.
 */
export function tsString(s: string): string {
  return JSON.stringify(s)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
    "instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private " +
    "protected public static yield any boolean constructor declare get module require number set string symbol type from of await async " +
    "wallaroo userIds"
  ).split(" "),
);

/** A TypeScript identifier for a resource name (`alice-example-com` → `alice_example_com`). */
export function identifierFor(resourceName: string): string {
  const id = resourceName.replace(/[^a-zA-Z0-9_$]/g, "_");
  return RESERVED.has(id) || !/^[A-Za-z_$]/.test(id) ? `_${id}` : id;
}

/** Comment lines describing the users left out, and why. */
function exclusionLines(excluded: readonly ExcludedUser[]): string[] {
  const lines: string[] = [];
  const who = (u: WallarooUser) =>
    `${JSON.stringify(u.email ?? u.username)} (username ${JSON.stringify(u.username)}, id ${u.id}${u.enabled ? "" : ", inactive"})`;
  const noEmail = excluded.filter((e) => e.reason === "no-email");
  if (noEmail.length > 0) {
    lines.push(
      `Left out: ${plural(noEmail.length, "user")} without an email. The Wallaroo user API addresses`,
      "users by email, so a user without one (such as the built-in admin) cannot be managed:",
      ...noEmail.map(
        (e) => `  - username ${JSON.stringify(e.user.username)} (id ${e.user.id}${e.user.enabled ? "" : ", inactive"})`,
      ),
    );
  }
  const own = excluded.filter((e) => e.reason === "automation-account");
  if (own.length > 0) {
    if (lines.length > 0) lines.push("");
    lines.push(
      "Left out: the account this was generated with, which is presumably the one Pulumi logs in with. Managed here,",
      "destroying the stack (or deleting its line) would deactivate the automation's own account. Manage it by hand,",
      "or add it yourself with the `protect: true` resource option:",
      ...own.map((e) => `  - ${who(e.user)}`),
    );
  }
  const other = excluded.filter((e) => e.reason !== "no-email" && e.reason !== "automation-account");
  if (other.length > 0) {
    if (lines.length > 0) lines.push("");
    lines.push(
      `Left out: ${plural(other.length, "user")} whose email wallaroo.User cannot manage:`,
      ...other.map((e) => `  - ${who(e.user)}: ${e.detail ?? e.reason}`),
    );
  }
  return lines;
}

/** The workspaces and memberships generated code adopts, and comment lines for what it leaves out. */
interface WorkspacePlan {
  workspaces: { workspace: ListedWorkspace; members: { email: string; role: WorkspaceRole }[] }[];
  lines: string[];
}

function planWorkspaces(
  listing: WorkspaceListing | undefined,
  users: readonly WallarooUser[],
  managed: readonly (WallarooUser & { email: string })[],
): WorkspacePlan {
  if (listing === undefined) return { workspaces: [], lines: [] };
  if ("error" in listing) {
    return {
      workspaces: [],
      lines: [
        "No workspaces: they could not be listed, so none are written here (the users above are complete).",
        `  ${listing.error}`,
      ],
    };
  }
  const byId = new Map(users.map((u) => [u.id, u]));
  const managedIds = new Set(managed.map((u) => u.id));
  const { adoptable, excluded } = classifyWorkspaces(listing.workspaces);
  const lines: string[] = [];
  const defaults = excluded.filter((e) => e.reason.startsWith("the personal default workspace"));
  if (defaults.length > 0) {
    lines.push(
      `Left out: ${plural(defaults.length, "personal default workspace")} ("<email> - Default Workspace"), which the`,
      `Wallaroo SDK makes for each user on first use and which ${agree(defaults.length, "belongs", "belong")} to that user, not to this stack:`,
      ...defaults.map((e) => `  - ${JSON.stringify(e.workspace.name)} (id ${e.workspace.id})`),
    );
  }
  const other = excluded.filter((e: ExcludedWorkspace) => !defaults.includes(e));
  if (other.length > 0) {
    if (lines.length > 0) lines.push("");
    lines.push(
      `Left out: ${plural(other.length, "workspace")} that wallaroo.Workspace cannot adopt:`,
      ...other.map((e) => `  - ${JSON.stringify(e.workspace.name)} (id ${e.workspace.id}): ${e.reason}`),
    );
  }
  const skipped: string[] = [];
  const planned = adoptable.map((w) => {
    const members: { email: string; role: WorkspaceRole }[] = [];
    for (const m of sortMembers(w.members, byId)) {
      const u = byId.get(m.userId);
      if (u && managedIds.has(u.id) && u.email) members.push({ email: u.email, role: m.role });
      else skipped.push(`  - ${memberLabel(m.userId, byId)} in ${JSON.stringify(w.name)} (${m.role})`);
    }
    return { workspace: w, members };
  });
  if (skipped.length > 0) {
    if (lines.length > 0) lines.push("");
    lines.push(
      `Left out: ${plural(skipped.length, "membership")} of users not managed here (see above for why),`,
      `which ${agree(skipped.length, "stays as it is", "stay as they are")}:`,
      ...skipped,
    );
  }
  return { workspaces: planned, lines };
}

/** Identifiers unique within one program: `_2`, `_3`... on a collision. */
function uniqueIdentifier(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
  used.add(id);
  return id;
}

/** A complete Pulumi TypeScript program: one `wallaroo.User` per user with an email, adopting it. */
export function generateTs(users: readonly WallarooUser[], options: GenerateOptions): Generated {
  const { managed, excluded } = classifyUsers(users, options.account);
  const header = [
    `Generated by \`wallaroo-users generate --format ts\` from ${options.source}`,
    "",
    `Brings the ${plural(managed.length, "existing user")} with an email under management: each wallaroo.User`,
    "adopts the user with its email (adoptExisting: true); adoption changes nothing",
    "on the server when `active` already matches. Review, then run `pulumi up`.",
    "Configure the connection with `pulumi config set wallaroo:url ...` and",
    "`pulumi config set --secret wallaroo:password ...` (or the WALLAROO_* variables).",
  ];
  const plan = planWorkspaces(options.workspaces, users, managed);
  if (plan.workspaces.length > 0) {
    header.push(
      "",
      `Also brings ${plural(plan.workspaces.length, "workspace")} and ${agree(plan.workspaces.length, "its", "their")} members' memberships under management: each`,
      "wallaroo.Workspace adopts the workspace of its name (adoptExisting: true) and each",
      "wallaroo.WorkspaceMember takes over the membership with its role; neither changes anything.",
      "Destroying the stack would remove these memberships; the workspaces stay (the API cannot delete one).",
    );
  }
  const excludedLines = [...exclusionLines(excluded)];
  if (plan.lines.length > 0) excludedLines.push(...(excludedLines.length > 0 ? [""] : []), ...plan.lines);
  if (excludedLines.length > 0) header.push("", ...excludedLines);

  const out: string[] = header.map((l) => (l === "" ? "//" : `// ${commentSafe(l)}`));
  out.push('import * as wallaroo from "pulumi-wallaroo";', "");

  const names = resourceNames(managed.map((u) => u.email));
  const vars: { email: string; id: string }[] = [];
  const used = new Set<string>();
  const userVar = new Map<string, string>();
  for (const u of managed) {
    const name = names.get(u.email.trim().toLowerCase())!;
    const id = uniqueIdentifier(identifierFor(name), used);
    vars.push({ email: u.email, id });
    userVar.set(u.email, id);
    out.push(
      `const ${id} = new wallaroo.User(${tsString(name)}, { email: ${tsString(u.email)}, active: ${u.enabled ? "true" : "false"}, adoptExisting: true });`,
    );
  }
  if (vars.length > 0) out.push("");
  let memberCount = 0;
  for (const { workspace: w, members } of plan.workspaces) {
    const wsName = workspaceResourceName(w.name);
    const id = uniqueIdentifier(identifierFor(wsName), used);
    out.push(
      `const ${id} = new wallaroo.Workspace(${tsString(wsName)}, { name: ${tsString(w.name)}, adoptExisting: true });${w.archived ? " // archived" : ""}`,
    );
    for (const m of members) {
      const userName = names.get(m.email.trim().toLowerCase())!;
      out.push(
        `new wallaroo.WorkspaceMember(${tsString(memberResourceName(w.name, userName))}, { workspaceId: ${id}.workspaceId, email: ${userVar.get(m.email)}.email, role: ${tsString(m.role)} });`,
      );
      memberCount++;
    }
    out.push("");
  }
  out.push("/** The Keycloak id of each managed user, by email. */");
  if (vars.length === 0) {
    out.push("export const userIds: Record<string, never> = {};");
  } else {
    out.push("export const userIds = {", ...vars.map((v) => `    ${tsString(v.email)}: ${v.id}.userId,`), "};");
  }
  return {
    text: out.join("\n") + "\n",
    managed: managed.length,
    excluded: excluded.length,
    workspaces: plan.workspaces.length,
    members: memberCount,
  };
}

/** The team roster (YAML) of the users with an email; the others are listed as comments. */
export function generateRoster(users: readonly WallarooUser[], options: GenerateOptions): Generated {
  const { managed, excluded } = classifyUsers(users, options.account);
  const plan = planWorkspaces(options.workspaces, users, managed);
  const roles = new Map<string, Record<string, WorkspaceRole>>();
  let memberCount = 0;
  for (const { workspace: w, members } of plan.workspaces) {
    for (const m of members) {
      roles.set(m.email, { ...roles.get(m.email), [w.name]: m.role });
      memberCount++;
    }
  }
  const entries: RosterEntry[] = managed.map((u) => {
    const workspaces = roles.get(u.email);
    return workspaces ? { email: u.email, active: u.enabled, workspaces } : { email: u.email, active: u.enabled };
  });
  const header = [
    `Generated by \`wallaroo-users generate --format roster\` from ${options.source}`,
    "One row per user with an email; `active: false` marks an inactive user.",
    "The examples/team-roster program adopts these users (adoption changes nothing",
    "on the server when `active` already matches).",
  ];
  if (memberCount > 0)
    header.push(
      "`workspaces` lists each user's workspaces and role; the program adopts those workspaces",
      "and takes over the memberships without changing them.",
    );
  const excludedLines = [...exclusionLines(excluded)];
  if (plan.lines.length > 0) excludedLines.push(...(excludedLines.length > 0 ? [""] : []), ...plan.lines);
  if (excludedLines.length > 0) header.push("", ...excludedLines);
  return {
    text: formatRoster(entries, { header }),
    managed: managed.length,
    excluded: excluded.length,
    workspaces: new Set(plan.workspaces.filter((p) => p.members.length > 0).map((p) => p.workspace.id)).size,
    members: memberCount,
  };
}
