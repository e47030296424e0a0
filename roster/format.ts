/** Writing a roster: YAML that {@link parseRoster} reads back to the same entries. */
import { yaml } from "./onDemand";
import type { RosterEntry } from "./types";

export interface FormatRosterOptions {
  /** Comment lines written above `users:` (without the `#`). */
  header?: readonly string[];
  /** Comment lines written after the list (without the `#`). */
  footer?: readonly string[];
}

/**
 * Makes text safe for a one-line `#` comment: line breaks and other control
 * characters (including U+2028/U+2029) are written as escapes, so a comment can
 * never end early and turn the rest of its text into data.
 */
export function commentSafe(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- escaping control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function comments(lines: readonly string[] | undefined): string {
  return (lines ?? []).map((l) => (l === "" ? "#\n" : `# ${commentSafe(l)}\n`)).join("");
}

/**
 * The roster as YAML: `users:` then one row per entry, in the given order; `active`
 * is written only when false (true is the default), `note` and `workspaces` only when present.
 * Values that YAML would misread (`"2024"`, `"yes"`, leading `#`...) are quoted.
 */
export function formatRoster(entries: readonly RosterEntry[], options: FormatRosterOptions = {}): string {
  const rows = entries.map((e) => {
    const row: Record<string, unknown> = { email: e.email };
    if (e.active === false) row.active = false;
    if (e.note !== undefined) row.note = e.note;
    if (e.workspaces !== undefined && Object.keys(e.workspaces).length > 0) row.workspaces = { ...e.workspaces };
    return row;
  });
  const body = new (yaml().Document)({ users: rows }).toString({ lineWidth: 0, indentSeq: true });
  const header = comments(options.header);
  const footer = comments(options.footer);
  return `${header}${header ? "\n" : ""}${body}${footer ? `\n${footer}` : ""}`;
}
