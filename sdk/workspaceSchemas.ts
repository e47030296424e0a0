/**
 * One zod schema per wire shape of the workspace API (POST /v1/api/workspaces/*).
 * Parsed at the boundary only (workspaces.ts); the public types are plain
 * interfaces declared there, so the published .d.ts never names zod.
 */
import * as z from "zod";

/** Workspace ids are integers on the wire; a string id is a different API. */
const WorkspaceId = z.number().int();

/** One entry of `list`; `models` and `pipelines` are not used, so not checked. */
export const WorkspaceSchema = z.looseObject({
  id: WorkspaceId,
  name: z.string(),
  created_at: z.string(),
  // Seen both as a user id and as an email: kept as text.
  created_by: z.string(),
  archived: z.boolean(),
});

/** `list` response. */
export const ListWorkspacesResponseSchema = z.looseObject({ workspaces: z.array(WorkspaceSchema) });

/** `create` response. */
export const CreateWorkspaceResponseSchema = z.looseObject({ workspace_id: WorkspaceId });

/** `list_users` response; the role is compared case-insensitively and handed out in lower case. */
export const ListWorkspaceUsersResponseSchema = z.looseObject({
  users: z.array(
    z.looseObject({
      user_id: z.string().min(1),
      user_type: z
        .string()
        .transform((s) => s.toLowerCase())
        .pipe(z.enum(["owner", "collaborator"])),
    }),
  ),
});

/** `remove_user` response. */
export const RemoveWorkspaceUserResponseSchema = z.looseObject({ affected_rows: z.number().int().nonnegative() });

/** `add_user` answers `{}`. */
export const AddWorkspaceUserResponseSchema = z.looseObject({});
