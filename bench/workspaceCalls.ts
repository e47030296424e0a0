/**
 * The workspace stack's programs and its API calls made directly (#16): W workspaces of M members each,
 * member 0 of each workspace an owner, the rest collaborators; the edit makes member 1 an owner too.
 * Every member is a user of its own (`m<w>-<m>@<domain>`), invited before the phases by
 * {@link inviteMembers}, so that the measured phases hold the workspace resources only.
 *
 * The floor and the sequential baseline make the calls a script would: up = `create` per workspace,
 * then `add_user` per member; refresh = one request per resource (`list` for a workspace,
 * `list_users` of its workspace for a member); update = `add_user` with the new role per member
 * promoted; destroy = `remove_user` per member (deleting a wallaroo.Workspace makes no call: the API
 * cannot delete a workspace).
 */
import type { WorkspaceShape } from "./args";
import { DirectClient, FloorPhase, measuredPhase, pooled } from "./floor";
import type { MeasuredEmulator, PhaseName } from "./phases";

/** The user of member `m` of workspace `w`. */
export function memberEmail(w: number, m: number, domain: string): string {
  return `m${w}-${m}@${domain}`;
}

/** How many members of each workspace are owners (the first ones): 1 at up, 2 after the edit. */
export const OWNERS_AT_UP = 1;
export const OWNERS_AFTER_EDIT = 2;

export function roleOf(m: number, owners: number): "owner" | "collaborator" {
  return m < owners ? "owner" : "collaborator";
}

/** Members whose role the edit changes, per workspace. */
export function promotedPerWorkspace(s: WorkspaceShape): number {
  return Math.max(0, Math.min(s.members, OWNERS_AFTER_EDIT) - OWNERS_AT_UP);
}

/** Resources in the stack: the workspaces and their members. */
export function resourcesOf(s: WorkspaceShape): number {
  return s.workspaces * (s.members + 1);
}

/**
 * The program: `new wallaroo.Workspace("w<i>", { name: "<prefix>-w<i>" })` and, for each of its members,
 * `new wallaroo.WorkspaceMember("w<i>-m<j>", { workspaceId: ws.workspaceId, email, role })`. Names are
 * unique per stack: a workspace outlives its resource, and create refuses a name that exists.
 */
export function workspaceProgram(s: WorkspaceShape, prefix: string, domain: string, owners: number): string {
  return `import * as wallaroo from "pulumi-wallaroo";

for (let w = 0; w < ${s.workspaces}; w++) {
  const ws = new wallaroo.Workspace(\`w\${w}\`, { name: \`${prefix}-w\${w}\` });
  for (let m = 0; m < ${s.members}; m++) {
    new wallaroo.WorkspaceMember(\`w\${w}-m\${m}\`, {
      workspaceId: ws.workspaceId,
      email: \`m\${w}-\${m}@${domain}\`,
      role: m < ${owners} ? "owner" : "collaborator",
    });
  }
}
`;
}

export interface DirectOptions {
  emu: MeasuredEmulator;
  parallel: number;
  adminPassword: string;
}

/** Invites the W × M users the members are (outside any measured phase): one login, `parallel` at a time. */
export async function inviteMembers(o: DirectOptions & { shape: WorkspaceShape; domain: string }): Promise<void> {
  const client = new DirectClient(o.emu.url, o.parallel);
  try {
    await client.login(o.adminPassword);
    const { workspaces, members } = o.shape;
    await pooled(workspaces * members, o.parallel, async (k) => {
      await client.post("users", "invite", { email: memberEmail(Math.floor(k / members), k % members, o.domain) });
    });
  } finally {
    await client.pool.close();
  }
}

export interface WorkspaceFloorOptions extends DirectOptions {
  shape: WorkspaceShape;
  /** Workspaces are named `<prefix>-w<i>`. */
  prefix: string;
  /** The members' users' domain (see {@link inviteMembers}). */
  domain: string;
}

/** The four phases' calls straight from undici, `parallel` at a time; with `parallel` 1, the sequential baseline. */
export async function runWorkspaceFloor(o: WorkspaceFloorOptions): Promise<FloorPhase[]> {
  const client = new DirectClient(o.emu.url, o.parallel);
  const { workspaces: W, members: M } = o.shape;
  const ids: number[] = new Array<number>(W);
  const each = (n: number, work: (w: number, m: number) => Promise<void>) =>
    pooled(W * n, o.parallel, (k) => work(Math.floor(k / n), k % n));
  const addUser = (w: number, m: number, owners: number) =>
    client.post<void>("workspaces", "add_user", {
      workspace_id: ids[w],
      email: memberEmail(w, m, o.domain),
      user_type: roleOf(m, owners).toUpperCase(),
    });
  const results: FloorPhase[] = [];
  const phase = (name: PhaseName, fn: () => Promise<void>) => measuredPhase(o.emu, results, name, fn);
  try {
    await phase("up", async () => {
      await client.login(o.adminPassword);
      await pooled(W, o.parallel, async (w) => {
        const r = await client.post<{ workspace_id: number }>("workspaces", "create", {
          workspace_name: `${o.prefix}-w${w}`,
        });
        ids[w] = r.workspace_id;
      });
      await each(M, (w, m) => addUser(w, m, OWNERS_AT_UP));
    });
    await phase("refresh", async () => {
      await pooled(W, o.parallel, () => client.post<void>("workspaces", "list", {}));
      await each(M, (w) => client.post("workspaces", "list_users", { workspace_id: ids[w] }));
    });
    const promoted = promotedPerWorkspace(o.shape);
    await phase("update", () => each(promoted, (w, k) => addUser(w, OWNERS_AT_UP + k, OWNERS_AFTER_EDIT)));
    await phase("destroy", () =>
      each(M, (w, m) =>
        client.post("workspaces", "remove_user", { workspace_id: ids[w], email: memberEmail(w, m, o.domain) }),
      ),
    );
  } finally {
    await client.pool.close();
  }
  return results;
}
