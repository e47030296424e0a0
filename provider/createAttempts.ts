/**
 * The creates this host process has begun, per managed object (a user's email, a workspace's name,
 * a membership), and what each left behind.
 *
 * The engine runs one host per operation and calls Create once per resource, except that an
 * `onError` resource hook (pulumi/pulumi pkg/resource/deploy/step.go, retries.go) has it call
 * Create again, in the same step and host, after a failure. So a second create of one object is
 * either that retry — allowed, and it must take over what its own earlier attempt made (a user
 * invited before its deactivation failed), since the engine drops a resource whose retry fails
 * outright — or another resource of the program managing the same object: refused before any call.
 * The resource's name (the `__resourceName` input the resource classes add) tells the two apart; without
 * one, a create after a failed attempt counts as its retry.
 */

/** What a failed attempt left behind, for its retry. */
export interface FailedAttempt<Made> {
  /** What it created before it failed (known from a partial failure). */
  made?: Made;
  /**
   * When the attempt began, if it failed without knowing whether the server acted (an answer lost
   * after the request went out): its retry may find what it made, created since then.
   */
  outcomeUnknownSince?: number;
}

interface Attempt<Made> extends FailedAttempt<Made> {
  owner?: string;
  state: "running" | "succeeded" | "failed";
}

export type Begun<Made> = { duplicate: true } | { duplicate: false; retryOf?: FailedAttempt<Made>; startedAt: number };

export class CreateAttempts<Made> {
  readonly #byKey = new Map<string, Attempt<Made>>();

  /** Begins a create of `key` for the resource `owner`: a retry of its failed attempt, a first one, or a duplicate. */
  begin(key: string, owner: string | undefined): Begun<Made> {
    const before = this.#byKey.get(key);
    if (before && !(before.state === "failed" && (owner === undefined || before.owner === owner))) {
      return { duplicate: true };
    }
    const left: FailedAttempt<Made> = { made: before?.made, outcomeUnknownSince: before?.outcomeUnknownSince };
    this.#byKey.set(key, { owner, state: "running", ...left });
    return { duplicate: false, retryOf: before ? left : undefined, startedAt: Date.now() };
  }

  succeeded(key: string): void {
    const a = this.#byKey.get(key);
    if (a) this.#byKey.set(key, { owner: a.owner, state: "succeeded" });
  }

  /** The attempt failed, leaving `left`; what earlier attempts left is kept (the earliest unknown outcome counts). */
  failed(key: string, left: FailedAttempt<Made>): void {
    const a = this.#byKey.get(key);
    const since = [a?.outcomeUnknownSince, left.outcomeUnknownSince].filter((t): t is number => t !== undefined);
    this.#byKey.set(key, {
      owner: a?.owner,
      state: "failed",
      made: left.made ?? a?.made,
      outcomeUnknownSince: since.length > 0 ? Math.min(...since) : undefined,
    });
  }
}

/**
 * Whether a failed request may still have been performed: no answer after the request went out,
 * or a gateway's 502/504 (the same rule the client applies to its own retries, sdk/transport.ts).
 * Follows `cause` through the provider's wrapped errors.
 */
export function outcomeUnknown(e: unknown): boolean {
  for (let c: unknown = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const x = c as { code?: unknown; outcomeUnknown?: unknown; status?: unknown };
    if (x.code === "WALLAROO_NETWORK" && x.outcomeUnknown === true) return true;
    if (x.code === "WALLAROO_SERVER" && (x.status === 502 || x.status === 504)) return true;
  }
  return false;
}

/** The resource name the classes put into the inputs (`__resourceName`), if any. */
export function ownerOf(props: Record<string, unknown>): string | undefined {
  return typeof props.__resourceName === "string" ? props.__resourceName : undefined;
}
