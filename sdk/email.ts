/**
 * Email rules shared by the client, the provider's `check` and the policy pack,
 * so that all three agree on what a well-formed address is.
 *
 * Why it matters: the Wallaroo reference notes that a user registered without a
 * proper email cannot create a workspace or log in, so we refuse such addresses
 * before they reach the server.
 */

/** Keycloak stores emails lower-cased; compare and send them that way. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const MAX_LENGTH = 254;
const MAX_LOCAL = 64;
// Local part: printable characters other than space, quotes, brackets, commas, semicolons, colons, backslash and '@'.
const LOCAL = /^[^\s@"(),:;<>[\\\]]+$/u;
// Domain label: letters (any script), digits and inner hyphens.
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
// Printable ASCII but space: no invisible character, and LABEL means isAsciiLabel.
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

/**
 * LABEL for an ASCII label, without the Unicode classes: a provider host checks every resource's
 * email in a process that has just started, where the \p{…} classes and the invisible-character scan
 * took about 19 ms of a 1,000-user up's host CPU, this path about 1 ms (CPU profiles, docs/benchmarks.md).
 */
function isAsciiLabel(label: string): boolean {
  const n = label.length;
  if (n === 0 || n > 63) return false;
  for (let i = 0; i < n; i++) {
    const c = label.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alnum && !(c === 0x2d && i > 0 && i < n - 1)) return false;
  }
  return true;
}

/** Explains why `email` is not acceptable, or returns undefined when it is. */
export function emailProblem(email: string): string | undefined {
  if (email.length === 0) return "is empty";
  if (email !== email.trim()) return "has leading or trailing white space";
  const ascii = PRINTABLE_ASCII.test(email);
  // Invisible characters (zero-width spaces, direction overrides, controls) come from copy and paste
  // and make an address that looks right but is not the one typed.
  const hidden = ascii ? null : /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u.exec(email);
  if (hidden)
    return `contains the invisible character U+${hidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  if (email.length > MAX_LENGTH) return `is longer than ${MAX_LENGTH} characters`;
  const at = email.lastIndexOf("@");
  if (at < 0) return "has no '@'";
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length === 0) return "has nothing before the '@'";
  if (local.length > MAX_LOCAL) return `has more than ${MAX_LOCAL} characters before the '@'`;
  if (!LOCAL.test(local) || local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    return "has characters that are not allowed before the '@'";
  }
  const labels = domain.split(".");
  if (labels.length < 2) return "has no dot in the domain";
  if (!labels.every(ascii ? isAsciiLabel : (l) => LABEL.test(l))) return "has an invalid domain";
  return undefined;
}

/** True when `email` is a well-formed address (see {@link emailProblem}). */
export function isValidEmail(email: string): boolean {
  return emailProblem(email) === undefined;
}
