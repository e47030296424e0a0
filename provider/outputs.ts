/** The outputs of `wallaroo.User`, built from what the server says about the user. */
import type { WallarooUser } from "../sdk/schemas";

export interface UserOutputs {
  userId: string;
  email: string;
  username: string;
  active: boolean;
  firstName?: string;
  lastName?: string;
  emailVerified?: boolean;
  createdTimestamp?: number;
  initialPassword?: string;
  adopted: boolean;
}

/** Outputs from the server's record; `kept` carries what only the provider knows (initial password, adoption). */
export function outputsFrom(
  user: WallarooUser,
  kept: { initialPassword?: string; adopted: boolean; email: string },
): UserOutputs {
  return dropUndefined({
    userId: user.id,
    email: user.email ?? kept.email,
    username: user.username,
    active: user.enabled,
    firstName: user.firstName,
    lastName: user.lastName,
    emailVerified: user.emailVerified,
    createdTimestamp: user.createdTimestamp,
    initialPassword: kept.initialPassword,
    adopted: kept.adopted,
  });
}

/** Protobuf structs cannot carry `undefined`; absent is absent. */
export function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
