/**
 * Errors the engine shows to the user: a context and the cause's message, never stack frames
 * (the host prints `stack`; frames help nobody fix a configuration). Shared by every resource's
 * lifecycle.
 */

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An error whose `stack` is its message alone. */
export function stackless(message: string): Error {
  const err = new Error(message);
  err.stack = `${err.name}: ${err.message}`;
  return err;
}

/** `context: cause`, stackless. */
export function actionable(context: string, cause: unknown): Error {
  return stackless(`${context}: ${messageOf(cause)}`);
}

/** A `.catch` handler that rethrows with `context`. */
export function rethrow(context: string): (e: unknown) => never {
  return (e: unknown) => {
    throw actionable(context, e);
  };
}

/**
 * The host turns an error with `id` and `properties` into ErrorResourceInitFailed: the engine keeps
 * the resource with those properties as outputs. The host does not add `__provider` to them, and
 * refresh and destroy load the provider from them, so `properties` must carry it (or the resource
 * is stranded: "code must be a string").
 */
export function initFailed<P extends { __provider: unknown }>(id: string, properties: P, message: string): Error {
  return Object.assign(stackless(message), { id, properties, reasons: [message] });
}
