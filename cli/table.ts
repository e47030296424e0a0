/** Plain-text tables: columns padded to the widest cell, two spaces apart. */

/** Display width of a cell: code points, control characters shown escaped. */
function cellText(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex -- escaping control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows].map((r) => r.map(cellText));
  const widths = header.map((_, c) => Math.max(...all.map((r) => [...(r[c] ?? "")].length)));
  return (
    all
      .map((r) =>
        r
          .map((cell, c) => (c === r.length - 1 ? cell : cell + " ".repeat((widths[c] ?? 0) - [...cell].length)))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}
