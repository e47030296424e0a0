/**
 * The team roster format: a YAML file listing the users a stack manages.
 *
 * ```yaml
 * users:
 *   - email: alice@example.com
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
import type { RosterEntry, RosterRowInput } from "./types";

export type { RosterEntry, RosterRowInput };

export { ROW_KEYS, FILE_KEYS } from "./types";

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
});

/** The roster file: `{ users: Row[] }`. */
export const RosterFileSchema = z.strictObject({
  users: z.array(RosterRowSchema),
});
