/** Command-line flag values shared by `wallaroo-emulator` and the benchmark's command line. */

/** A flag with a bad value; the commands print it with their usage, without a stack trace. */
export class UsageError extends Error {}

/** The integer value of `--name` within [min, max], or undefined when the flag was not given. */
export function integerFlag(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not '${value}'`);
  }
  return n;
}
