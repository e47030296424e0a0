/**
 * Reading users a program does not manage: `lookupUser` and `listUsers` run in
 * the Pulumi program (not in the provider host), with the same configuration:
 * the `wallaroo:*` stack settings, then the environment.
 */
import * as pulumi from "@pulumi/pulumi";
import { WallarooClient } from "../sdk/client";
import type { WallarooUser } from "../sdk/types";
import { optionsFromConfig } from "./runtime";
import { allUsers, findUser } from "./userQueries";

export interface LookupUserArgs {
  /** The email to find (case-insensitive). */
  email: string;
}

async function withClient<T>(fn: (c: WallarooClient) => Promise<T>): Promise<T> {
  // getConfig returns secrets in plain text without the warning config.get() prints; they stay in this process.
  const client = new WallarooClient(optionsFromConfig((k) => pulumi.runtime.getConfig(k)));
  try {
    return await fn(client);
  } finally {
    // Closing the pool lets the program's process exit promptly.
    await client.close();
  }
}

/** The user with this email, or undefined when there is none. */
export async function lookupUser(args: LookupUserArgs): Promise<WallarooUser | undefined> {
  return withClient((c) => findUser(c, args.email));
}

/** Every user of the instance. */
export async function listUsers(): Promise<WallarooUser[]> {
  return withClient(allUsers);
}
