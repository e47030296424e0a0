/** The `wallaroo.User` resource: one Wallaroo user, managed by email. */
import * as pulumi from "@pulumi/pulumi";
import { userProvider } from "./provider";
import { TYPE_MODULE, USER_TYPE } from "./types";

/** The type token the resource registers with; policies select on it. */
export { USER_TYPE };

export interface UserArgs {
  /**
   * The user's email address: their identity in Wallaroo (the username is the
   * email). Compared case-insensitively. Changing it replaces the user: the old
   * one is deactivated first, then the new one invited.
   */
  email: pulumi.Input<string>;
  /**
   * Whether the user may log in and holds a licence seat. Default `true`.
   * Changing it activates or deactivates the user in place.
   */
  active?: pulumi.Input<boolean>;
  /**
   * The initial password, used only when the user is invited; always stored as
   * a secret. Leave it out to have the server generate a temporary password
   * (published as `initialPassword`). Changing it later changes nothing on the
   * server: the user owns their password once invited.
   */
  password?: pulumi.Input<string>;
  /**
   * Take over a user that already exists with this email instead of failing.
   * Adoption changes nothing on the server when `active` already matches.
   * This is how existing users come under management: Pulumi's `import` does
   * not work for dynamic resources. Default `false`.
   */
  adoptExisting?: pulumi.Input<boolean>;
  /**
   * The user's first name. Wallaroo Enterprise only (`wallaroo:edition enterprise`): set when
   * the user is created and changed in place through Keycloak. Community's invite cannot set it,
   * so there the resource refuses it at preview.
   */
  firstName?: pulumi.Input<string>;
  /** The user's last name; Wallaroo Enterprise only, like `firstName`. */
  lastName?: pulumi.Input<string>;
}

/**
 * A Wallaroo user, managed by email. Deleting the resource (or destroying the stack) deactivates
 * the user, which frees its licence seat: the API has no call that deletes a user.
 */
export class User extends pulumi.dynamic.Resource {
  /** The Keycloak id of the user; also the resource id. */
  declare public readonly userId: pulumi.Output<string>;
  /** The email as the server stores it (lower case). */
  declare public readonly email: pulumi.Output<string>;
  /** The Keycloak username (the email, for invited users). */
  declare public readonly username: pulumi.Output<string>;
  /** Whether the user is active (enabled) on the server. */
  declare public readonly active: pulumi.Output<boolean>;
  /** First name, as the server holds it (set by `firstName` on Enterprise, or by the user). */
  declare public readonly firstName: pulumi.Output<string | undefined>;
  /** Last name, as the server holds it (set by `lastName` on Enterprise, or by the user). */
  declare public readonly lastName: pulumi.Output<string | undefined>;
  /** Whether the user has verified their email. */
  declare public readonly emailVerified: pulumi.Output<boolean | undefined>;
  /** When the user was created, in milliseconds since the Unix epoch. */
  declare public readonly createdTimestamp: pulumi.Output<number | undefined>;
  /** The temporary password the server issued when no `password` was given (secret), for an admin to hand over. */
  declare public readonly initialPassword: pulumi.Output<string | undefined>;
  /** True when the user existed before and was adopted (`adoptExisting`). */
  declare public readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: UserArgs, opts?: pulumi.CustomResourceOptions) {
    const { password, ...rest } = args;
    super(
      userProvider,
      name,
      {
        // Everything the caller passed goes to `check`, so an unknown property is reported, not dropped.
        ...rest,
        // Listed even when left out, so that `active` is an output of every user (its default is applied by check).
        active: rest.active,
        firstName: rest.firstName,
        lastName: rest.lastName,
        ...(password === undefined ? {} : { password: pulumi.secret(password) }),
        // The resource's name, so that the provider can tell an onError retry of its create from a second resource (createAttempts.ts).
        __resourceName: name,
        userId: undefined,
        username: undefined,
        emailVerified: undefined,
        createdTimestamp: undefined,
        initialPassword: undefined,
        adopted: undefined,
      },
      // Returning pulumi.secret() from a dynamic provider fails (pulumi/pulumi #3012, #6860): mark secrets here instead.
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["initialPassword", "password"] }),
      TYPE_MODULE,
      "User",
    );
  }
}
