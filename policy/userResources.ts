/**
 * How the policies see `wallaroo.User` resources.
 *
 * The engine hands a policy pack each resource's properties: during `pulumi preview` the inputs
 * of the resources about to be created or updated (a dynamic provider cannot preview, so the
 * engine uses the checked inputs as the planned state), afterwards the outputs in the state.
 * Internal keys such as `__provider` are not sent; secrets (`password`) arrive unwrapped, so the
 * policies never read or print anything but `email` and `active`.
 *
 * A value computed from another resource's output is *unknown* during preview. The engine sends
 * it as a sentinel string and @pulumi/policy wraps `props` in a proxy that throws
 * `UnknownValueError` when such a property is read. The helpers here read the raw property
 * instead (a property descriptor passes through the proxy without the throwing `get` trap) and
 * turn every sentinel into {@link UNKNOWN}, so a policy can skip the value instead of being
 * abandoned as a whole.
 */
import type { PolicyResource } from "@pulumi/policy";
import { normalizeEmail } from "../sdk/email";
import { UNKNOWN_DURING_PREVIEW, USER_TYPE } from "../provider/types";

/** Type token of `wallaroo.User`, a dynamic resource registered with module "wallaroo" and type "User". */
export const WALLAROO_USER_TYPE = USER_TYPE;

/**
 * The sentinels the Pulumi engine uses for values that are not known during preview (one per
 * kind of value; a computed input from a Node.js program arrives as the string one). These are
 * wire-protocol constants, the same as @pulumi/policy's (a test checks they stay equal).
 */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  UNKNOWN_DURING_PREVIEW, // string
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/**
 * The sentinel a computed value actually arrives as: the Node.js SDK sends every unknown input as
 * the string sentinel and the engine passes it on unchanged, so an unknown `active` looks like
 * this too (and @pulumi/policy's proxy would call it "string value at .active").
 */
export { UNKNOWN_DURING_PREVIEW };

/** Stands for a property whose value is not known until `pulumi up` computes it. */
export const UNKNOWN: unique symbol = Symbol("unknown until apply");
export type Unknown = typeof UNKNOWN;

/**
 * Reads `props[key]` without triggering @pulumi/policy's unknown-value proxy:
 * `undefined` when absent, {@link UNKNOWN} when computed, the plain value otherwise.
 */
export function readProperty(props: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(props, key);
  if (descriptor === undefined) {
    return undefined;
  }
  const value: unknown = descriptor.value;
  return typeof value === "string" && UNKNOWN_SENTINELS.has(value) ? UNKNOWN : value;
}

/** The parts of a `wallaroo.User` resource the policies look at. */
export interface WallarooUser {
  readonly name: string;
  readonly urn: string;
  /** The raw `email` property: a string when well typed, {@link UNKNOWN} during preview if computed. */
  readonly email: unknown;
  /** `active` defaults to true: only an explicit `false` deactivates a user. */
  readonly active: boolean | Unknown;
  /**
   * The server's id when the planned state carries it: the user exists and this update does not
   * change it. Absent for a user being created (or, in a preview, changed).
   */
  readonly userId?: string;
}

/** True for the type token of `wallaroo.User`. */
export function isWallarooUser(resource: { readonly type: string }): boolean {
  return resource.type === WALLAROO_USER_TYPE;
}

/** Views one resource (assumed to be a `wallaroo.User`) as a {@link WallarooUser}. */
export function toWallarooUser(resource: Pick<PolicyResource, "name" | "urn" | "props">): WallarooUser {
  const active = readProperty(resource.props, "active");
  const userId = readProperty(resource.props, "userId");
  return {
    name: resource.name,
    urn: resource.urn,
    email: readProperty(resource.props, "email"),
    active: active === UNKNOWN ? UNKNOWN : active !== false,
    ...(typeof userId === "string" && userId !== "" ? { userId } : {}),
  };
}

/** The `wallaroo.User` resources of a stack, in the engine's order; one pass over `resources`. */
export function wallarooUsers(resources: readonly PolicyResource[]): WallarooUser[] {
  const users: WallarooUser[] = [];
  for (const resource of resources) {
    if (isWallarooUser(resource)) {
      users.push(toWallarooUser(resource));
    }
  }
  return users;
}

/** The key two users are compared by (trimmed, lower-cased), or undefined when the email is not a known string. */
export function emailKey(user: WallarooUser): string | undefined {
  return typeof user.email === "string" ? normalizeEmail(user.email) : undefined;
}

/** How a user is named in messages: the email when known, otherwise the resource name. */
export function describeUser(user: WallarooUser): string {
  if (typeof user.email === "string" && user.email.trim() !== "") {
    return user.email.trim();
  }
  if (user.email === UNKNOWN) {
    return `${user.name} (email not known until apply)`;
  }
  return `${user.name} (no email)`;
}
