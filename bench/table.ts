/** Tables as Markdown: readable in a terminal, and pasted as is into docs/benchmarks.md. */

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.map(line)].join("\n");
}

export function ms(x: number): string {
  if (!Number.isFinite(x)) return "–";
  return x >= 10_000
    ? `${(x / 1000).toFixed(1)} s`
    : x >= 1000
      ? `${(x / 1000).toFixed(2)} s`
      : `${x.toFixed(x < 10 ? 1 : 0)} ms`;
}

export function ratio(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(x < 10 ? 2 : 1)}×` : "–";
}

export function mb(kb: number): string {
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : "–";
}

/** `invite 1000, deactivate 100, query 20, token 1` (or `ws:create 20, ws:add_user 1000, …`) in a fixed order. */
export function calls(c: Record<string, number>): string {
  const order = [
    "invite",
    "activate",
    "deactivate",
    "ws:create",
    "ws:add_user",
    "ws:remove_user",
    "ws:list",
    "ws:list_users",
    "query",
    "token",
  ];
  const keys = [...order.filter((k) => c[k]), ...Object.keys(c).filter((k) => !order.includes(k) && c[k])];
  return keys.map((k) => `${k} ${c[k]}`).join(", ") || "none";
}
