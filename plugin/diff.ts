/**
 * Diff with a detailed diff, decided by the lifecycle alone. The lifecycle's `diff` (old outputs
 * against new inputs, so drift on the server shows as a change, as with the dynamic resources) says
 * whether anything changes and what forces a replacement; which properties change is asked of it
 * one property at a time (the old outputs with only that property taken from the new inputs), so
 * its rules (emails compared case-insensitively, defaults, inputs that steer only create) are never
 * written twice. Each changed property is an input diff when its old input differs from the new
 * one, and drift (an output diff) when only the server's value moved.
 */
import { isDeepStrictEqual } from "node:util";
import type { Lifecycle } from "./resources";
import type { Props } from "./wire";

export type PropertyChange = "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";

export interface DiffAnswer {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** The changed properties, when the lifecycle's answer could be traced to them. */
  detailed?: Record<string, { kind: PropertyChange; inputDiff: boolean }>;
}

export async function diffWithDetails(
  lifecycle: Lifecycle,
  id: string,
  oldInputs: Props,
  oldOutputs: Props,
  news: Props,
  inputNames: readonly string[],
): Promise<DiffAnswer> {
  const whole = await lifecycle.diff(id, oldOutputs, news);
  if (!whole.changes) return { changes: false, replaces: [], deleteBeforeReplace: false };
  const detailed: NonNullable<DiffAnswer["detailed"]> = {};
  for (const name of new Set([...inputNames, ...whole.replaces])) {
    // `changes`, not `diff`: these probes are no Diff of the engine's, and must not count as one (claims.ts).
    const alone = lifecycle.changes(oldOutputs, { ...oldOutputs, [name]: news[name] });
    const replaces = whole.replaces.includes(name);
    if (!alone.changes && !replaces) continue;
    const before = oldInputs[name] !== undefined;
    const after = news[name] !== undefined;
    const base = !before && after ? "add" : before && !after ? "delete" : "update";
    detailed[name] = {
      kind: replaces ? `${base}-replace` : base,
      inputDiff: !isDeepStrictEqual(oldInputs[name], news[name]),
    };
  }
  return { ...whole, detailed: Object.keys(detailed).length > 0 ? detailed : undefined };
}
