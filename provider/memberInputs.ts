/**
 * The inputs of `wallaroo.WorkspaceMember` as the provider receives them, and their validation
 * (its `check`). Pure: no network, so preview works offline; unknown values (preview, e.g. a
 * `workspaceId` from a workspace not created yet) pass untouched.
 */
import type { WorkspaceRole } from "../sdk/workspaces";
import { closest } from "../sdk/suggest";
import { CheckFailure, checkEmail, isUnknown, typeName, unknownPropertyFailures } from "./inputs";

export const ROLES: readonly WorkspaceRole[] = ["owner", "collaborator"];

/** Inputs after `check`: defaults applied, types verified. */
export interface MemberInputs {
  workspaceId: number;
  email: string;
  role: WorkspaceRole;
}

const KNOWN = ["workspaceId", "email", "role"] as const;

/** Validates raw inputs. Never throws: every problem is a failure naming the property. */
export function checkMemberInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
} {
  const failures = unknownPropertyFailures(news, KNOWN, "wallaroo.WorkspaceMember");
  const { workspaceId, email, role } = news;
  if (workspaceId === undefined || workspaceId === null) {
    failures.push({
      property: "workspaceId",
      reason: "workspaceId is required (typically a wallaroo.Workspace's workspaceId)",
    });
  } else if (
    !isUnknown(workspaceId) &&
    (typeof workspaceId !== "number" || !Number.isSafeInteger(workspaceId) || workspaceId < 1)
  ) {
    failures.push({
      property: "workspaceId",
      reason: `workspaceId must be a positive whole number, not ${typeof workspaceId === "number" ? workspaceId : typeName(workspaceId)}`,
    });
  }
  const emailFailure = checkEmail(email, "email is required (typically a wallaroo.User's email)");
  if (emailFailure) failures.push(emailFailure);
  if (role !== undefined && !isUnknown(role) && !(ROLES as readonly unknown[]).includes(role)) {
    const guess = typeof role === "string" ? closest(role, ROLES) : undefined;
    // JSON.stringify gives undefined for a function or a symbol, whatever its declared type says.
    const shown = JSON.stringify(role) as string | undefined;
    failures.push({
      property: "role",
      reason: `role must be "owner" or "collaborator", not ${shown ?? typeName(role)}${guess ? ` (did you mean '${guess}'?)` : ""}`,
    });
  }
  return { inputs: { ...news, role: role ?? "collaborator" }, failures };
}

/** Reads checked inputs into their type; `check` has already vetted them. */
export function asMemberInputs(props: Record<string, unknown>): MemberInputs {
  return {
    workspaceId: Number(props.workspaceId),
    email: String(props.email),
    role: props.role === "owner" ? "owner" : "collaborator",
  };
}
