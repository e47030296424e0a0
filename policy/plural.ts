/**
 * Count-dependent words, one rule for every message of the policies, the CLI and the roster checker:
 * "1 user holds a seat", "2 users hold seats".
 */

/** 1234567 → "1,234,567" (no dependency on the ICU data Node was built with). */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * The count and the noun that agrees with it: `plural(1, "user")` → "1 user", `plural(2, "user")` →
 * "2 users"; `grouped`: "1,234 users" (for the CLI's progress lines).
 */
export function plural(n: number, singular: string, o: { grouped?: boolean; pluralForm?: string } = {}): string {
  return `${o.grouped ? groupDigits(n) : String(n)} ${n === 1 ? singular : (o.pluralForm ?? `${singular}s`)}`;
}

/** The word that agrees with `n`: `agree(1, "holds", "hold")` → "holds". */
export function agree(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}
