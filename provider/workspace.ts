/** The `wallaroo.Workspace` resource: one Wallaroo workspace, found by name, managed by id. */
import * as pulumi from "@pulumi/pulumi";
import { workspaceProvider } from "./provider";
import { TYPE_MODULE, WORKSPACE_TYPE } from "./types";

/** The type token the resource registers with; policies select on it. */
export { WORKSPACE_TYPE };

export interface WorkspaceArgs {
  /**
   * The workspace's name: letters, digits and dashes, starting with a letter, at most 63
   * characters (the Wallaroo SDK's rule, checked at preview). The API cannot rename a workspace,
   * so changing it replaces the resource: a workspace of the new name is created (or adopted),
   * and the old one stays on the instance, out of the stack (see `delete` in docs/workspaces.md).
   */
  name: pulumi.Input<string>;
  /**
   * Take over the workspace that already exists with this name instead of failing. Adoption
   * changes nothing on the server; it fails, listing the ids, when several workspaces share the
   * name. This is how existing workspaces come under management: Pulumi's `import` does not work
   * for dynamic resources. Default `false`.
   */
  adoptExisting?: pulumi.Input<boolean>;
}

/**
 * A Wallaroo workspace. Deleting the resource (or destroying the stack) leaves the workspace on
 * the instance, with its models and pipelines: the API has no call that deletes or archives one.
 * Memberships managed by `wallaroo.WorkspaceMember` resources are removed by their own deletes.
 */
export class Workspace extends pulumi.dynamic.Resource {
  /** The workspace's id on the instance (an integer); the resource id is its decimal text. */
  declare public readonly workspaceId: pulumi.Output<number>;
  /** The name as the server lists it. */
  declare public readonly name: pulumi.Output<string>;
  /** When the workspace was created, as the server wrote it (ISO 8601 text); unset until a read finds it. */
  declare public readonly createdAt: pulumi.Output<string | undefined>;
  /** Who created the workspace: a user id or an email, depending on the server version. */
  declare public readonly createdBy: pulumi.Output<string | undefined>;
  /** Whether the workspace is archived (in Wallaroo's UI; the API can only report it). Shows as drift on refresh. */
  declare public readonly archived: pulumi.Output<boolean>;
  /** True when the workspace existed before and was adopted (`adoptExisting`). */
  declare public readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: WorkspaceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      workspaceProvider,
      name,
      {
        // Everything the caller passed goes to `check`, so an unknown property is reported, not dropped.
        ...args,
        // The resource's name, so that the provider can tell an onError retry of its create from a second resource (createAttempts.ts).
        __resourceName: name,
        workspaceId: undefined,
        createdAt: undefined,
        createdBy: undefined,
        archived: undefined,
        adopted: undefined,
      },
      opts,
      TYPE_MODULE,
      "Workspace",
    );
  }
}
