/** Pulumi resource names derived from emails. */
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
 * A Pulumi resource name for the user with this email, e.g. `alice-example-com`:
 * lower case, only `[a-z0-9-]`, starting with a letter, and not in `taken`. On a
 * collision (`a.b@x.com` and `a-b@x.com` both give `a-b-x-com`) the later one gets
 * `-2`, then `-3`... The chosen name is added to `taken`, so calling this for the
 * rows of a roster in order gives the same names every time for the same roster.
 * Non-Latin letters become punycode (`josé@例え.jp` → `jose-xn--r8jz45g-jp`).
 */
export function resourceNameFor(email: string, taken: Set<string>): string {
  const base = baseNameFor(email);
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}
