/** Pulumi resource names derived from emails. */
import { createHash } from "node:crypto";
import { domainToASCII } from "node:url";

/** Longest name before a collision suffix; URNs stay readable. */
const MAX_BASE = 80;

/** Letters that Unicode decomposition does not reduce to ASCII. */
const TRANSLITERATION: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  ø: "o",
  œ: "oe",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
  ĸ: "k",
  ŋ: "ng",
  ħ: "h",
  ŧ: "t",
};

/** A run of non-ASCII letters and digits as ASCII: its punycode (`xn--...`), so distinct runs stay distinct. */
function asciiRun(run: string): string {
  const puny = domainToASCII(run).toLowerCase();
  if (/^[a-z0-9-]+$/.test(puny)) return puny;
  return [...run].map((c) => `u${c.codePointAt(0)!.toString(16)}`).join("-");
}

/** The name before uniqueness is applied: lower case, `[a-z0-9-]`, starting with a letter. */
export function baseNameFor(email: string): string {
  const folded = email
    .trim()
    .toLowerCase()
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    // eslint-disable-next-line no-control-regex -- the ASCII range, not control characters, is what is meant
    .replace(/[^\u0000-\u007f]/g, (c) => TRANSLITERATION[c] ?? c);
  const parts: string[] = [];
  for (const m of folded.matchAll(/([a-z0-9]+)|([\p{L}\p{N}]+)|[^a-z0-9\p{L}\p{N}]+/gu)) {
    if (m[1]) parts.push(m[1]);
    else if (m[2]) parts.push(asciiRun(m[2]));
    else if (parts[parts.length - 1] !== "-") parts.push("-");
  }
  let name = parts.join("").replace(/^-+|-+$/g, "");
  if (name.length > MAX_BASE) name = name.slice(0, MAX_BASE).replace(/-+$/, "");
  if (name === "") return "user";
  return /^[a-z]/.test(name) ? name : `user-${name}`;
}

/**
 * Pulumi resource names for a set of emails, keyed by the normalized email (trimmed, lower case):
 * `alice@example.com` → `alice-example-com`. Names never depend on the order of the emails: an
 * email whose base name no other email of the set shares keeps the base name; emails that share
 * one (`a.b@x.com` and `a-b@x.com` both give `a-b-x-com`) each get a suffix derived from the
 * email itself (`a-b-x-com-3f9a1c2e`). Reordering rows therefore renames nothing, and removing
 * one of two colliding rows deletes that row's resource only (the other is renamed to its base
 * name, which adopts the same user: see the README on renames).
 */
export function resourceNames(emails: readonly string[]): Map<string, string> {
  const byBase = new Map<string, Set<string>>();
  for (const raw of emails) {
    const email = raw.trim().toLowerCase();
    const base = baseNameFor(email);
    let group = byBase.get(base);
    if (!group) byBase.set(base, (group = new Set()));
    group.add(email);
  }
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const [base, group] of byBase) {
    for (const email of group) {
      if (group.size > 1) break;
      names.set(email, base);
      used.add(base);
    }
  }
  for (const [base, group] of byBase) {
    if (group.size === 1) continue;
    for (const email of group) {
      // 8 hex digits; lengthened in the (astronomically unlikely) case it meets another name.
      const digest = createHash("sha256").update(email).digest("hex");
      let n = 8;
      while (used.has(`${base}-${digest.slice(0, n)}`)) n += 4;
      const name = `${base}-${digest.slice(0, n)}`;
      names.set(email, name);
      used.add(name);
    }
  }
  return names;
}

/**
 * A Pulumi resource name for one email, given the names already `taken` (which it extends): the
 * base name, or `-2`, `-3`... on a collision. The result depends on the order of the calls, so a
 * reordered roster can rename resources: prefer {@link resourceNames}, which does not.
 * @deprecated Use {@link resourceNames}; kept for programs written against 0.1.0.
 */
export function resourceNameFor(email: string, taken: Set<string>): string {
  const base = baseNameFor(email);
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

/**
 * The Pulumi resource name of the `wallaroo.Workspace` named `name`: `workspace-<name>`. Valid
 * workspace names are `[a-zA-Z0-9-]`, so distinct workspaces get distinct resource names.
 */
export function workspaceResourceName(name: string): string {
  return `workspace-${name}`;
}

/**
 * The Pulumi resource name of a `wallaroo.WorkspaceMember`: `<workspace name>.<user resource name>`.
 * Neither part contains a dot, so distinct memberships get distinct names.
 */
export function memberResourceName(workspaceName: string, userResourceName: string): string {
  return `${workspaceName}.${userResourceName}`;
}
