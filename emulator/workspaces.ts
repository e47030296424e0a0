/**
 * Workspaces: POST /v1/api/workspaces/{list,create,add_user,list_users,remove_user},
 * their store, their part of the data file, and their control endpoints.
 * Kept apart from the user API so the two evolve without touching each other.
 */
import { promises as fs } from "node:fs";
import { fail, json, parseJsonObject, Reply } from "./http";
import { DataFileError } from "./persistence";
import type { UserStore } from "./store";
import type { StoredWorkspace, WorkspaceRole } from "./types";

export const WORKSPACES_PREFIX = "/v1/api/workspaces/";
export const WORKSPACE_OPS = ["list", "create", "add_user", "list_users", "remove_user"] as const;
export type WorkspaceOp = (typeof WORKSPACE_OPS)[number];

/** The Wallaroo SDK's rule, quoted in errors so a user sees what to change. */
export const WORKSPACE_NAME_RULE = "^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]*$";
const NAME = new RegExp(WORKSPACE_NAME_RULE);
export const WORKSPACE_NAME_MAX = 63;

const ROLES: readonly WorkspaceRole[] = ["OWNER", "COLLABORATOR"];

export interface WorkspaceRules {
  /** `create` answers 400 for a name already taken (the API docs) instead of allowing it (the SDK docs). */
  uniqueNames: boolean;
  /** `add_user` on a member answers 400 "already a member" (as the SDK refuses) instead of setting the role. */
  refuseExistingMember: boolean;
}

interface WorkspaceRecord {
  id: number;
  name: string;
  createdAt: string;
  createdBy: string;
  archived: boolean;
  /** user id → role, in the order members were added. */
  members: Map<string, WorkspaceRole>;
}

function snapshot(w: WorkspaceRecord): StoredWorkspace {
  return {
    id: w.id,
    name: w.name,
    created_at: w.createdAt,
    created_by: w.createdBy,
    archived: w.archived,
    members: [...w.members].map(([user_id, user_type]) => ({ user_id, user_type })),
  };
}

/** Why `name` is not a valid workspace name, or undefined. */
export function workspaceNameProblem(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (name.length > WORKSPACE_NAME_MAX) return `is ${name.length} characters long; the limit is ${WORKSPACE_NAME_MAX}`;
  if (!NAME.test(name))
    return `does not match ${WORKSPACE_NAME_RULE} (letters, digits and dashes, starting with a letter)`;
  return undefined;
}

export class WorkspaceStore {
  readonly #byId = new Map<number, WorkspaceRecord>();
  readonly #users: UserStore;
  #nextId = 1;

  constructor(users: UserStore, stored: StoredWorkspace[] = []) {
    this.#users = users;
    for (const w of stored) {
      this.#byId.set(w.id, {
        id: w.id,
        name: w.name,
        createdAt: w.created_at,
        createdBy: w.created_by,
        archived: w.archived,
        members: new Map(w.members.map((m) => [m.user_id, m.user_type])),
      });
      this.#nextId = Math.max(this.#nextId, w.id + 1);
    }
  }

  all(): StoredWorkspace[] {
    return [...this.#byId.values()].map(snapshot);
  }

  get(id: number): StoredWorkspace | undefined {
    const w = this.#byId.get(id);
    return w && snapshot(w);
  }

  create(name: string, ownerId: string, rules: WorkspaceRules): number {
    const problem = workspaceNameProblem(name);
    if (problem) fail(400, `Invalid workspace name ${JSON.stringify(name)}: it ${problem}`);
    if (rules.uniqueNames) {
      const taken = [...this.#byId.values()].find((w) => w.name === name);
      if (taken) fail(400, `A workspace named ${JSON.stringify(name)} already exists (id ${taken.id})`);
    }
    const id = this.#nextId++;
    this.#byId.set(id, {
      id,
      name,
      createdAt: new Date().toISOString(),
      createdBy: ownerId,
      archived: false,
      members: new Map([[ownerId, "OWNER"]]),
    });
    return id;
  }

  /** The record, or a 400: the API declares no 404, so an unknown id is a bad request. */
  #require(id: number): WorkspaceRecord {
    const w = this.#byId.get(id);
    if (!w) fail(400, `Workspace not found: ${id}`);
    return w;
  }

  /** Returns whether anything changed. */
  addMember(id: number, userId: string, role: WorkspaceRole, who: string, rules: WorkspaceRules): boolean {
    const w = this.#require(id);
    const current = w.members.get(userId);
    if (current !== undefined && rules.refuseExistingMember)
      fail(400, `User ${who} is already a member of workspace ${id} (as ${current})`);
    if (current === role) return false;
    w.members.set(userId, role);
    return true;
  }

  members(id: number): { user_id: string; user_type: WorkspaceRole }[] {
    return [...this.#require(id).members].map(([user_id, user_type]) => ({ user_id, user_type }));
  }

  /** Returns how many memberships were removed (0 or 1). */
  removeMember(id: number, userId: string): number {
    return this.#require(id).members.delete(userId) ? 1 : 0;
  }

  setArchived(id: number, archived: boolean): boolean {
    const w = this.#require(id);
    if (w.archived === archived) return false;
    w.archived = archived;
    return true;
  }

  /** Workspaces `userId` belongs to; the built-in admin sees every workspace, like a platform administrator. */
  visibleTo(userId: string): StoredWorkspace[] {
    const all = [...this.#byId.values()];
    return (userId === this.#users.adminId ? all : all.filter((w) => w.members.has(userId))).map(snapshot);
  }
}

// ---- the API ----

export interface WorkspacesContext {
  store: WorkspaceStore;
  users: UserStore;
  rules: WorkspaceRules;
  persist: () => Promise<void>;
}

async function saved(ctx: WorkspacesContext): Promise<void> {
  try {
    await ctx.persist();
  } catch (e) {
    fail(500, `The change was made but could not be saved: ${(e as Error).message}`);
  }
}

function workspaceIdOf(body: Record<string, unknown>): number {
  const v = body.workspace_id;
  if (v === undefined || v === null) fail(400, "Missing required field: workspace_id");
  if (typeof v !== "number" || !Number.isSafeInteger(v))
    fail(400, `Field workspace_id must be an integer, not ${JSON.stringify(v)}`);
  return v;
}

/** The user named by `email` or `user_id`; a 400 when neither is given or no such user exists. */
function userOf(ctx: WorkspacesContext, body: Record<string, unknown>): { id: string; who: string } {
  const { email, user_id } = body;
  if (typeof email === "string" && email.trim() !== "") {
    const rec = ctx.users.byEmail(email.trim());
    if (!rec) fail(400, `User not found: ${email.trim().toLowerCase()}`);
    return { id: rec.user.id, who: rec.user.email ?? rec.user.username };
  }
  if (typeof user_id === "string" && user_id !== "") {
    const rec = ctx.users.byId(user_id);
    if (!rec) fail(400, `User not found: ${user_id}`);
    return { id: rec.user.id, who: rec.user.email ?? rec.user.username };
  }
  if (email !== undefined && email !== null) fail(400, "Field email must be a non-empty string");
  if (user_id !== undefined && user_id !== null) fail(400, "Field user_id must be a non-empty string");
  return fail(400, "Missing required field: email (or user_id)");
}

function roleOf(body: Record<string, unknown>): WorkspaceRole {
  const v = body.user_type;
  if (v === undefined || v === null) return "COLLABORATOR";
  const role = typeof v === "string" ? v.toUpperCase() : undefined;
  if (!ROLES.includes(role as WorkspaceRole))
    fail(400, `Field user_type must be OWNER or COLLABORATOR, not ${JSON.stringify(v)}`);
  return role as WorkspaceRole;
}

function listed(w: StoredWorkspace) {
  return {
    id: w.id,
    name: w.name,
    created_at: w.created_at,
    created_by: w.created_by,
    archived: w.archived,
    models: [],
    pipelines: [],
  };
}

function list(ctx: WorkspacesContext, body: Record<string, unknown>, callerId: string): Reply {
  let visible = ctx.store.visibleTo(callerId);
  // The sources disagree on the filter's name: both are accepted.
  const filter = body.user_ids ?? (body.user_id === undefined || body.user_id === null ? undefined : [body.user_id]);
  if (filter !== undefined) {
    if (!Array.isArray(filter) || !filter.every((x) => typeof x === "string"))
      fail(400, "Field user_id must be a string and user_ids an array of strings (Keycloak user ids)");
    const ids = new Set(filter as string[]);
    visible = visible.filter((w) => w.members.some((m) => ids.has(m.user_id)));
  }
  return json(200, { workspaces: visible.map(listed) });
}

async function create(ctx: WorkspacesContext, body: Record<string, unknown>, callerId: string): Promise<Reply> {
  const name = body.workspace_name;
  if (name === undefined || name === null) fail(400, "Missing required field: workspace_name");
  if (typeof name !== "string") fail(400, `Field workspace_name must be a string, not ${typeof name}`);
  const id = ctx.store.create(name, callerId, ctx.rules);
  await saved(ctx);
  return json(200, { workspace_id: id });
}

async function addUser(ctx: WorkspacesContext, body: Record<string, unknown>): Promise<Reply> {
  const id = workspaceIdOf(body);
  const role = roleOf(body);
  const user = userOf(ctx, body);
  if (ctx.store.addMember(id, user.id, role, user.who, ctx.rules)) await saved(ctx);
  return json(200, {});
}

async function removeUser(ctx: WorkspacesContext, body: Record<string, unknown>): Promise<Reply> {
  const id = workspaceIdOf(body);
  if (!ctx.store.get(id)) fail(400, `Workspace not found: ${id}`);
  const user = userOf(ctx, body);
  const n = ctx.store.removeMember(id, user.id);
  if (n > 0) await saved(ctx);
  return json(200, { affected_rows: n });
}

/** Runs one workspace operation for the (already authenticated) user `callerId`. */
export async function handleWorkspaceOp(
  ctx: WorkspacesContext,
  op: WorkspaceOp,
  rawBody: string,
  callerId: string,
): Promise<Reply> {
  const body = parseJsonObject(rawBody);
  switch (op) {
    case "list":
      return list(ctx, body, callerId);
    case "create":
      return create(ctx, body, callerId);
    case "add_user":
      return addUser(ctx, body);
    case "list_users": {
      const id = workspaceIdOf(body);
      return json(200, { users: ctx.store.members(id) });
    }
    case "remove_user":
      return removeUser(ctx, body);
  }
}

// ---- control endpoints (test-only) ----

/** Handlers for /__emulator/workspaces*, merged into control.ts's routes. */
export const WORKSPACE_CONTROL = {
  /** Every workspace with its members, whoever the caller. */
  list: (ctx: WorkspacesContext): Reply => json(200, { workspaces: ctx.store.all() }),
  /** `{workspace_id, archived?}`: archives (or, with archived false, restores) a workspace out of band. */
  archive: async (ctx: WorkspacesContext, raw: string): Promise<Reply> => {
    const body = parseJsonObject(raw);
    const id = workspaceIdOf(body);
    if (body.archived !== undefined && typeof body.archived !== "boolean") fail(400, "archived must be a boolean");
    if (ctx.store.setArchived(id, body.archived !== false)) await saved(ctx);
    return json(200, ctx.store.get(id));
  },
  /** `{workspace_id, email | user_id}`: removes a membership out of band (drift). */
  removeMember: async (ctx: WorkspacesContext, raw: string): Promise<Reply> => {
    const body = parseJsonObject(raw);
    const id = workspaceIdOf(body);
    if (!ctx.store.get(id)) fail(400, `Workspace not found: ${id}`);
    const n = ctx.store.removeMember(id, userOf(ctx, body).id);
    if (n > 0) await saved(ctx);
    return json(200, { affected_rows: n });
  },
};

// ---- the data file ----

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function workspaceProblem(w: unknown, userExists: (id: string) => boolean): string | undefined {
  if (!isObject(w)) return "not an object";
  if (typeof w.id !== "number" || !Number.isSafeInteger(w.id) || w.id < 1) return `"id" is not a positive integer`;
  for (const k of ["name", "created_at", "created_by"]) if (typeof w[k] !== "string") return `"${k}" is not a string`;
  if (typeof w.archived !== "boolean") return `"archived" is not a boolean`;
  if (!Array.isArray(w.members)) return `"members" is not an array`;
  const seen = new Set<string>();
  for (const [i, m] of (w.members as unknown[]).entries()) {
    if (!isObject(m) || typeof m.user_id !== "string" || !ROLES.includes(m.user_type as WorkspaceRole))
      return `members[${i}] is not {user_id, user_type: OWNER|COLLABORATOR}`;
    if (!userExists(m.user_id)) return `members[${i}] names an unknown user ${m.user_id}`;
    if (seen.has(m.user_id)) return `members[${i}] repeats user ${m.user_id}`;
    seen.add(m.user_id);
  }
  return undefined;
}

/**
 * The workspaces of the data file. A file without a "workspaces" field (written before
 * workspaces existed) holds none. Users are loaded first: memberships must name them.
 */
export async function loadWorkspaces(file: string, users: UserStore): Promise<StoredWorkspace[]> {
  let data: unknown;
  try {
    data = JSON.parse(await fs.readFile(file, "utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e; // loadDataFile has read and parsed it already; anything else here is new and worth seeing
  }
  const raw = isObject(data) ? data.workspaces : undefined;
  if (raw === undefined) return [];
  const bad = (why: string) =>
    new DataFileError(
      `The emulator data file ${file} is corrupt (${why}); refusing to start. Move it away to start a fresh instance.`,
    );
  if (!Array.isArray(raw)) throw bad(`"workspaces" is not an array`);
  const ids = new Set<number>();
  return raw.map((w: unknown, i: number) => {
    const why = workspaceProblem(w, (id) => users.byId(id) !== undefined);
    if (why) throw bad(`workspaces[${i}]: ${why}`);
    const ws = w as StoredWorkspace;
    if (ids.has(ws.id)) throw bad(`workspaces[${i}]: duplicate id ${ws.id}`);
    ids.add(ws.id);
    return {
      id: ws.id,
      name: ws.name,
      created_at: ws.created_at,
      created_by: ws.created_by,
      archived: ws.archived,
      members: ws.members.map((m) => ({ user_id: m.user_id, user_type: m.user_type })),
    };
  });
}
