/**
 * Reading a roster. Bad input never produces a stack trace: every problem of the
 * file is collected, with its row number (1-based), line and email, and reported
 * at once in one {@link RosterError}, so a reviewer fixes everything in one pass.
 */
import { readFileSync } from "node:fs";
import type { Node as YamlNode, Pair } from "yaml";
import type { z } from "zod";
import { emailProblem, normalizeEmail } from "../sdk/email";
import { rosterSchemas, yaml } from "./onDemand";
import { FILE_KEYS, ROW_KEYS } from "./types";
import type { RosterEntry } from "./types";
import { closest } from "../sdk/suggest";

export interface RosterProblem {
  /** The row (1-based position in `users`) at fault; 0 for a problem of the file as a whole. */
  row: number;
  /** The row's email, when it has one (as written, even when malformed). */
  email?: string;
  /** The line of the file (1-based), when known. */
  line?: number;
  /** What is wrong, and when possible how to fix it. */
  message: string;
}

/** A roster that cannot be used; `message` lists every problem, `problems` has them as data. */
export class RosterError extends Error {
  /** Where the roster came from (the file name, or "roster"). */
  readonly source: string;
  readonly problems: RosterProblem[];

  constructor(source: string, problems: RosterProblem[]) {
    super(composeMessage(source, problems));
    this.name = "RosterError";
    this.source = source;
    this.problems = problems;
  }
}

function composeMessage(source: string, problems: RosterProblem[]): string {
  const n = problems.length;
  const lines = problems.map((p) => `  ${describeProblem(p)}`);
  return `${source}: not a valid roster (${n} problem${n === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

/** One problem as a line: `row 3 (carol@example.com, line 7): unknown key 'activ' (did you mean 'active'?)`. */
export function describeProblem(p: RosterProblem): string {
  const where: string[] = [];
  if (p.email !== undefined) where.push(p.email);
  if (p.line !== undefined) where.push(`line ${p.line}`);
  if (p.row === 0) return p.line !== undefined ? `line ${p.line}: ${p.message}` : p.message;
  return `row ${p.row}${where.length ? ` (${where.join(", ")})` : ""}: ${p.message}`;
}

/** How a YAML value is named in messages. */
function describeValue(v: unknown): string {
  if (v === null || v === undefined) return "empty";
  if (typeof v === "string") return `the text ${JSON.stringify(v)}`;
  if (typeof v === "number" || typeof v === "bigint") return `the number ${String(v)}`;
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return "a list";
  return "a mapping";
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const guess = closest(key, allowed);
  return `unknown key '${key}' ${guess ? `(did you mean '${guess}'?)` : `(allowed: ${allowed.join(", ")})`}`;
}

/** The message for a wrong value of a known row key. */
function wrongValueMessage(key: string, value: unknown): string {
  if (value === undefined && key === "email") return "has no 'email'";
  switch (key) {
    case "email":
      return `'email' must be text, not ${describeValue(value)}`;
    case "active": {
      let hint = "";
      if (typeof value === "string" && /^(true|yes|y|on)$/i.test(value.trim())) hint = " (write: active: true)";
      if (typeof value === "string" && /^(false|no|n|off)$/i.test(value.trim())) hint = " (write: active: false)";
      return `'active' must be true or false, not ${describeValue(value)}${hint}`;
    }
    case "note": {
      const hint =
        typeof value === "number" || typeof value === "boolean" ? ` (quote it: note: "${String(value)}")` : "";
      return `'note' must be text, not ${describeValue(value)}${hint}`;
    }
    case "workspaces":
      return `'workspaces' must be a mapping of workspace name to role, such as 'workspaces: { fraud-detection: owner }', not ${describeValue(value)}`;
    default:
      return `'${key}' has a wrong value: ${describeValue(value)}`;
  }
}

/** Translates zod's issues for one row into messages, with the key each is about. */
function rowIssues(raw: unknown, issues: z.core.$ZodIssue[]): { key?: string; message: string }[] {
  const out: { key?: string; message: string }[] = [];
  for (const issue of issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : undefined;
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) out.push({ key: k, message: unknownKeyMessage(k, ROW_KEYS) });
    } else if (key === undefined) {
      const hint = typeof raw === "string" && raw.includes("@") ? ` (write: - email: ${raw})` : "";
      out.push({ message: `must be a mapping such as '- email: alice@example.com', not ${describeValue(raw)}${hint}` });
    } else if (issue.code === "custom") {
      out.push({ key, message: issue.message });
    } else {
      out.push({ key, message: wrongValueMessage(key, isRecord(raw) ? raw[key] : undefined) });
    }
  }
  return out;
}

/**
 * Parses roster YAML. `source` names the input in messages (a file name).
 * Throws {@link RosterError} listing every problem: YAML syntax errors (with their
 * line), rows that are not mappings, bad or missing emails, wrong types, unknown
 * keys (with a suggestion for near misses) and duplicate emails (case-insensitive).
 */
export function parseRoster(text: string, source = "roster"): RosterEntry[] {
  const { isMap, isSeq, LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const lineOf = (node: { range?: [number, number, number] | null } | null | undefined): number | undefined =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;

  if (doc.errors.length > 0) {
    throw new RosterError(
      source,
      doc.errors.map((e) => ({
        row: 0,
        line: e.linePos?.[0].line,
        message: `YAML syntax error: ${e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "").trim()}${e.linePos ? ` (column ${e.linePos[0].col})` : ""}`,
      })),
    );
  }

  const problems: RosterProblem[] = [];
  const fail = (): never => {
    throw new RosterError(source, problems);
  };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    problems.push({ row: 0, message: `the file cannot be read as data: ${(e as Error).message}` });
    return fail();
  }

  if (value === null || value === undefined) {
    problems.push({ row: 0, message: "the file is empty: it needs a 'users:' list (write 'users: []' for none)" });
    return fail();
  }
  if (!isRecord(value) || !isMap(doc.contents)) {
    const hint = Array.isArray(value) ? " (is the 'users:' line missing above the list?)" : "";
    problems.push({
      row: 0,
      line: lineOf(doc.contents as YamlNode | null),
      message: `the file must be a mapping with a 'users:' list, not ${describeValue(value)}${hint}`,
    });
    return fail();
  }

  const top = doc.contents;
  const keyLine = (map: unknown, key: string): number | undefined => {
    if (!isMap(map)) return undefined;
    const pair = (map.items as Pair<unknown, unknown>[]).find(
      (p) => (p.key as { value?: unknown } | null)?.value === key || p.key === key,
    );
    return lineOf(pair?.key as YamlNode | undefined);
  };

  let suggestedUsers = false;
  for (const k of Object.keys(value)) {
    if ((FILE_KEYS as readonly string[]).includes(k)) continue;
    const message = unknownKeyMessage(k, FILE_KEYS);
    if (closest(k, FILE_KEYS) === "users") suggestedUsers = true;
    problems.push({ row: 0, line: keyLine(top, k), message });
  }
  const users = value.users;
  if (!("users" in value)) {
    if (!suggestedUsers) problems.push({ row: 0, message: "the file has no 'users:' list" });
    return fail();
  }
  if (users !== null && !Array.isArray(users)) {
    problems.push({
      row: 0,
      line: keyLine(top, "users"),
      message: `'users' must be a list of rows such as '- email: alice@example.com', not ${describeValue(users)}`,
    });
    return fail();
  }

  const rows = (users ?? []) as unknown[];
  const seqNode = top.get("users", true);
  const itemNodes = isSeq(seqNode) ? (seqNode.items as unknown[]) : [];
  const entries: RosterEntry[] = [];
  const firstRowOf = new Map<string, { row: number; email: string; line?: number }>();

  rows.forEach((raw, i) => {
    const row = i + 1;
    const node = itemNodes[i] as YamlNode | undefined;
    const rowLine = lineOf(node);
    const email = isRecord(raw) && typeof raw.email === "string" ? raw.email : undefined;
    const parsed = rosterSchemas().RosterRowSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of rowIssues(raw, parsed.error.issues)) {
        problems.push({ row, email, line: (issue.key && keyLine(node, issue.key)) || rowLine, message: issue.message });
      }
    }
    // A row with another problem (a typo such as `activ: false`) still claims its email: a duplicate is
    // reported now, not after the typo is fixed. A malformed email has been reported, and is compared with nothing.
    const rowEmail = parsed.success
      ? parsed.data.email
      : email !== undefined && !emailProblem(email)
        ? email
        : undefined;
    if (rowEmail === undefined) return;
    const key = normalizeEmail(rowEmail);
    const first = firstRowOf.get(key);
    if (first) {
      const same = first.email === rowEmail ? "" : ` as ${first.email}`;
      problems.push({
        row,
        email,
        line: rowLine,
        message: `duplicate email: row ${first.row}${first.line !== undefined ? ` (line ${first.line})` : ""} already lists it${same} (emails are compared case-insensitively)`,
      });
      return;
    }
    firstRowOf.set(key, { row, email: rowEmail, line: rowLine });
    if (!parsed.success) return;
    const entry: RosterEntry = { email: parsed.data.email, active: parsed.data.active };
    if (parsed.data.note !== undefined) entry.note = parsed.data.note;
    if (parsed.data.workspaces !== undefined) entry.workspaces = parsed.data.workspaces;
    entries.push(entry);
  });

  if (problems.length > 0) fail();
  return entries;
}

/** Reads and parses a roster file; an unreadable file is a {@link RosterError} too. */
export function loadRoster(path: string): RosterEntry[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "the file does not exist"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES"
            ? "permission denied"
            : (code ?? "cannot read it");
    throw new RosterError(path, [{ row: 0, message: `the file cannot be read: ${why}` }]);
  }
  return parseRoster(text, path);
}
