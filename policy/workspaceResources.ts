/**
 * How the policies see `wallaroo.Workspace` and `wallaroo.WorkspaceMember` resources: the shared
 * plumbing of the workspace policies (one policy per file beside this one).
 *
 * During preview a member's `workspaceId` (from a workspace not created yet) and `email` (from a
 * `wallaroo.User`'s output) are usually unknown. A stack policy receives each property's
 * dependencies as resources, so an unknown value is resolved through the resource it comes from:
 * the user's `email` input, the workspace's id or, for a workspace not created yet, its URN. A
 * value that cannot be resolved is skipped, never guessed.
 */
import type { PolicyResource } from "@pulumi/policy";
import { normalizeEmail } from "../sdk/email";
import { USER_TYPE, WORKSPACE_MEMBER_TYPE, WORKSPACE_TYPE } from "../provider/types";
import { readProperty, UNKNOWN } from "./userResources";

export { WORKSPACE_MEMBER_TYPE, WORKSPACE_TYPE };

/** The parts of a `wallaroo.WorkspaceMember` the policies look at, with unknowns resolved when possible. */
export interface WallarooMember {
  readonly name: string;
  readonly urn: string;
  /** `id:<n>` for a known workspace id, `urn:<urn>` for a workspace of this stack not created yet; undefined when unknowable. */
  readonly workspaceKey?: string;
  /** How the workspace is named in messages. */
  readonly workspaceLabel: string;
  /** Trimmed, lower-cased; undefined when unknowable. */
  readonly email?: string;
  /** The `wallaroo.User` of this stack the email comes from or matches, when there is one. */
  readonly user?: PolicyResource;
}

/** The single resource of `type` a property depends on, if any. */
function dependencyOf(resource: PolicyResource, key: string, type: string): PolicyResource | undefined {
  const deps = (resource.propertyDependencies[key] ?? []).filter((d) => d.type === type);
  return deps.length === 1 ? deps[0] : undefined;
}

function workspaceOf(resource: PolicyResource): { key?: string; label: string } {
  const raw = readProperty(resource.props, "workspaceId");
  if (typeof raw === "number") return { key: `id:${raw}`, label: `workspace ${raw}` };
  const ws = raw === UNKNOWN ? dependencyOf(resource, "workspaceId", WORKSPACE_TYPE) : undefined;
  if (!ws) return { label: "a workspace not known until apply" };
  const id = readProperty(ws.props, "workspaceId");
  const name = readProperty(ws.props, "name");
  const label = typeof name === "string" ? `workspace '${name}'` : `workspace ${ws.name}`;
  return { key: typeof id === "number" ? `id:${id}` : `urn:${ws.urn}`, label };
}

function userEmail(user: PolicyResource): string | undefined {
  const email = readProperty(user.props, "email");
  return typeof email === "string" ? normalizeEmail(email) : undefined;
}

/** The `wallaroo.WorkspaceMember` resources of a stack, in the engine's order. */
export function wallarooMembers(resources: readonly PolicyResource[]): WallarooMember[] {
  const usersByEmail = new Map<string, PolicyResource>();
  for (const r of resources) {
    if (r.type !== USER_TYPE) continue;
    const e = userEmail(r);
    if (e !== undefined && !usersByEmail.has(e)) usersByEmail.set(e, r);
  }
  const members: WallarooMember[] = [];
  for (const r of resources) {
    if (r.type !== WORKSPACE_MEMBER_TYPE) continue;
    const raw = readProperty(r.props, "email");
    let email: string | undefined;
    let user: PolicyResource | undefined;
    if (typeof raw === "string") {
      email = normalizeEmail(raw);
      user = usersByEmail.get(email);
    } else if (raw === UNKNOWN) {
      user = dependencyOf(r, "email", USER_TYPE);
      email = user && userEmail(user);
    }
    const ws = workspaceOf(r);
    members.push({ name: r.name, urn: r.urn, workspaceKey: ws.key, workspaceLabel: ws.label, email, user });
  }
  return members;
}
