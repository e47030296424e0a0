/**
 * Errors the engine shows to the user: a context and the cause's message, never stack frames
 * (the host prints `stack`; frames help nobody fix a configuration). Shared by every resource's
 * lifecycle.
 */

import { isWallarooError } from "../sdk/errors";
import { credentialsHint } from "./runtime";

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An error whose `stack` is its message alone. */
export function stackless(message: string): Error {
  const err = new Error(message);
  err.stack = `${err.name}: ${err.message}`;
  return err;
}

/**
 * `context: cause`, stackless, saying the action once: a client error that opens with
 * `Cannot <action>: ` (e.g. "Cannot invite 'x': ...") gives only its reason after a context that
 * already names it ("Cannot create Wallaroo user 'x': ..."); its endpoint still says what was asked.
 * A refused login also says where the credentials came from (see credentialsHint). The cause is
 * kept for callers that decide by its kind.
 */
export function actionable(context: string, cause: unknown): Error {
  const hint = isWallarooError(cause) && cause.code === "WALLAROO_AUTHENTICATION" ? ` ${credentialsHint()}` : "";
  return Object.assign(stackless(`${context}: ${reasonOf(cause)}${hint}`), { cause });
}

function reasonOf(cause: unknown): string {
  const message = messageOf(cause);
  const opening = isWallarooError(cause) && cause.action ? `Cannot ${cause.action}: ` : undefined;
  return opening && message.startsWith(opening) ? message.slice(opening.length) : message;
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
