/** The roster's public data types, declared without zod so that declarations never expose it. */

/** The keys a roster row may have, in the order they are written. */
export const ROW_KEYS = ["email", "active", "note", "workspaces"] as const;
/** The keys the roster file may have. */
export const FILE_KEYS = ["users"] as const;

/** A row as the tools see it, after defaults: `active` is always present. */
export interface RosterEntry {
  /** The user's email; must be acceptable to `wallaroo.User`. */
  email: string;
  /** Whether the user may log in and holds a licence seat. */
  active: boolean;
  /** Free text for humans; ignored by the tools. */
  note?: string | undefined;
  /** The workspaces the person belongs to, with their role: `{ fraud-detection: owner }`. */
  workspaces?: Record<string, "owner" | "collaborator"> | undefined;
}

/** A row as it may be written in the file (`active` optional, default `true`). */
export interface RosterRowInput {
  email: string;
  active?: boolean | undefined;
  note?: string | undefined;
  /** Validated by the schema: names as the API accepts them, roles owner or collaborator. */
  workspaces?: Record<string, unknown> | undefined;
}
