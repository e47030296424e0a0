/**
 * `--flag -1` as `--flag=-1` for options that take a value: node's parseArgs refuses a value that
 * starts with a dash ("argument is ambiguous"), so both spellings would otherwise get different
 * answers; with this, both reach the option's own check and its message.
 */
export function joinNegativeValues(
  argv: readonly string[],
  options: Readonly<Record<string, { type: "string" | "boolean" }>>,
): string[] {
  const takesValue = new Set(
    Object.entries(options)
      .filter(([, o]) => o.type === "string")
      .map(([name]) => `--${name}`),
  );
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (takesValue.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}
