/**
 * The reads behind `lookupUser` and `listUsers`, given a client: the program's own (lookup.ts, the
 * dynamic resources' functions) or a provider plugin's configured one (the native functions
 * `wallaroo:index:lookupUser` and `wallaroo:index:listUsers`). No Pulumi runtime here, so the
 * plugin can load it without loading @pulumi/pulumi.
 */
import type { WallarooClient } from "../sdk/client";
import type { WallarooUser } from "../sdk/types";

/** The user with this email, or undefined when there is none. */
export async function findUser(client: WallarooClient, email: string): Promise<WallarooUser | undefined> {
  return (await client.getUserByEmail(email)) ?? undefined;
}

/** Every user of the instance. */
export function allUsers(client: WallarooClient): Promise<WallarooUser[]> {
  return client.listUsers();
}
