/** The `wallaroo.WorkspaceMember` resource: one user's membership of one workspace, with a role. */
import * as pulumi from "@pulumi/pulumi";
import type { WorkspaceRole } from "../sdk/workspaces";
import { workspaceMemberProvider } from "./provider";
import { TYPE_MODULE, WORKSPACE_MEMBER_TYPE } from "./types";

/** The type token the resource registers with; policies select on it. */
export { WORKSPACE_MEMBER_TYPE };

export interface WorkspaceMemberArgs {
  /**
   * The workspace, by id: typically a `wallaroo.Workspace`'s `workspaceId`, so the membership
   * waits for the workspace. Changing it replaces the membership.
   */
  workspaceId: pulumi.Input<number>;
  /**
   * The member's email: typically a `wallaroo.User`'s `email`, so the membership waits for the
   * user (who must exist). Compared case-insensitively. Changing it replaces the membership.
   */
  email: pulumi.Input<string>;
  /**
   * `"owner"` or `"collaborator"`. Default `"collaborator"`. Changing it changes the role in
   * place. A user who is already a member with this role is taken over without any change.
   */
  role?: pulumi.Input<WorkspaceRole>;
}

/**
 * A user's membership of a Wallaroo workspace. Deleting the resource removes the user from the
 * workspace (nothing else: the user and the workspace stay).
 */
export class WorkspaceMember extends pulumi.dynamic.Resource {
  /** The workspace's id. */
  declare public readonly workspaceId: pulumi.Output<number>;
  /** The member's email (lower case, as compared). */
  declare public readonly email: pulumi.Output<string>;
  /** The member's Keycloak user id; the resource id is `<workspaceId>/<userId>`. */
  declare public readonly userId: pulumi.Output<string>;
  /** The role the server lists: `"owner"` or `"collaborator"`. Shows as drift on refresh. */
  declare public readonly role: pulumi.Output<WorkspaceRole>;
  /** True when the user was already a member when the resource was created (taken over, not added). */
  declare public readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: WorkspaceMemberArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      workspaceMemberProvider,
      name,
      {
        // Everything the caller passed goes to `check`, so an unknown property is reported, not dropped.
        ...args,
        // Listed even when left out, so that `role` is an output of every member (its default is applied by check).
        role: args.role,
        // The resource's name, so that the provider can tell an onError retry of its create from a second resource (createAttempts.ts).
        __resourceName: name,
        userId: undefined,
        adopted: undefined,
      },
      opts,
      TYPE_MODULE,
      "WorkspaceMember",
    );
  }
}
