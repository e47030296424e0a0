/** The public data types of the client, declared without zod so that declarations never expose it. */

/** A Wallaroo user: the fields of the Keycloak record that this package exposes. */
export interface WallarooUser {
  /** The Keycloak id. */
  id: string;
  /** The Keycloak username (the email, for invited users). */
  username: string;
  /** The email; absent for users such as the built-in `admin`. */
  email?: string | undefined;
  /** Whether the user may log in (and holds a licence seat). */
  enabled: boolean;
  /** The first name, when the user or an admin set one. */
  firstName?: string | undefined;
  /** The last name, when the user or an admin set one. */
  lastName?: string | undefined;
  /** Whether the user has verified their email. */
  emailVerified?: boolean | undefined;
  /** Creation time, ms since the epoch. */
  createdTimestamp: number;
  /** Keycloak's pending actions for the user (e.g. `UPDATE_PASSWORD`). */
  requiredActions?: string[] | undefined;
  /** The User Federation provider (LDAP and the like) the user comes from; absent for a user stored in Keycloak. */
  federationLink?: string | undefined;
}
