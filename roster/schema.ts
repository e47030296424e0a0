/**
 * The team roster format: a YAML file listing the users a stack manages.
 *
 * ```yaml
 * users:
 *   - email: alice@example.com
 *     workspaces: { fraud-detection: owner, churn: collaborator }
 *   - email: bob@example.com
 *     active: false
 *     note: on leave until March
 * ```
 *
 * The schemas are strict: an unknown key is an error, never silently ignored,
 * so that a typo such as `activ: false` cannot leave a user active.
 */
import { z } from "zod";
import { emailProblem } from "../sdk/email";
import { workspaceNameProblem, type WorkspaceRole } from "../sdk/workspaces";
import { closest } from "../sdk/suggest";
import type { RosterEntry, RosterRowInput } from "./types";

export type { RosterEntry, RosterRowInput };
export { ROW_KEYS, FILE_KEYS } from "./types";

/** The roles a person may have in a workspace. */
export const WORKSPACE_ROLES: readonly WorkspaceRole[] = ["owner", "collaborator"];

function describeRole(v: unknown): string {
  if (v === null || v === undefined) return "empty";
  if (typeof v === "string") return `'${v}'`;
  return Array.isArray(v) ? "a list" : typeof v === "object" ? "a mapping" : String(v);
}

/**
 * `{ workspace name: role }`: every name valid for the Wallaroo API, every role `owner` or
 * `collaborator` (with a suggestion for near misses).
 */
export const WorkspaceRolesSchema = z
  .record(z.string(), z.unknown())
  .superRefine((map, ctx) => {
    for (const [name, role] of Object.entries(map)) {
      const problem = workspaceNameProblem(name);
      if (problem)
        ctx.addIssue({
          code: "custom",
          message: `workspace name '${name}' ${problem}`,
        });
      if (typeof role === "string" && (WORKSPACE_ROLES as readonly string[]).includes(role)) continue;
      const guess =
        typeof role === "string"
          ? (WORKSPACE_ROLES.find((r) => r === role.trim().toLowerCase()) ?? closest(role, WORKSPACE_ROLES))
          : undefined;
      ctx.addIssue({
        code: "custom",
        message: `the role in workspace '${name}' must be owner or collaborator, not ${describeRole(role)}${
          guess ? ` (did you mean '${guess}'?)` : ""
        }`,
      });
    }
  })
  .transform((map) => map as Record<string, WorkspaceRole>);

/** One row: a user, identified by email. */
export const RosterRowSchema: z.ZodType<RosterEntry, RosterRowInput> = z.strictObject({
  /** The user's email; must be acceptable to `wallaroo.User` (see sdk/email.ts). */
  email: z.string().superRefine((email, ctx) => {
    const problem = emailProblem(email);
    if (problem) ctx.addIssue({ code: "custom", message: `email '${email}' ${problem}` });
  }),
  /** Whether the user may log in and holds a licence seat. Default `true`. */
  active: z.boolean().default(true),
  /** Free text for humans; ignored by the tools. */
  note: z.string().optional(),
  /** The workspaces the person belongs to, with their role: `{ fraud-detection: owner }`. */
  workspaces: WorkspaceRolesSchema.optional(),
});

/** The roster file: `{ users: Row[] }`. */
export const RosterFileSchema = z.strictObject({
  users: z.array(RosterRowSchema),
});
