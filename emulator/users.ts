/** The Wallaroo user API: POST /v1/api/users/{query,invite,activate,deactivate}. */
import { fail, json, parseJsonObject, Reply } from "./http";
import { hashPassword, temporaryPassword } from "./passwords";
import { StoreError, UserStore } from "./store";
import type { StoredUser } from "./types";

export const USERS_PREFIX = "/v1/api/users/";
export const USER_OPS = ["query", "invite", "activate", "deactivate"] as const;
export type UserOp = (typeof USER_OPS)[number];

export interface UsersContext {
  store: UserStore;
  /** Resolves once the store is on disk (at once when memory-only): mutations answer only after it. */
  persist: () => Promise<void>;
  unknownIdsError: boolean;
}

const STORE_STATUS: Record<StoreError["kind"], number> = { exists: 409, not_found: 404, licence: 403, invalid: 400 };

// Loose on purpose (Keycloak checks little more): something@something, no spaces.
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Whether the emulator takes `s` for an email address (every way in: invite, Keycloak's POST, seeding). */
export function isEmail(s: string): boolean {
  return EMAIL.test(s);
}

function emailOf(body: Record<string, unknown>): string {
  const e = body.email;
  if (e === undefined || e === null) fail(400, "Missing required field: email");
  if (typeof e !== "string") fail(400, `Field email must be a string, not ${Array.isArray(e) ? "an array" : typeof e}`);
  const email = e.trim();
  if (!isEmail(email)) fail(400, `Invalid email address: ${JSON.stringify(e)}`);
  return email.toLowerCase();
}

function storeReply(e: unknown): never {
  if (e instanceof StoreError) fail(STORE_STATUS[e.kind], e.message);
  throw e;
}

async function saved(ctx: UsersContext): Promise<void> {
  try {
    await ctx.persist();
  } catch (e) {
    fail(500, `The change was made but could not be saved: ${(e as Error).message}`);
  }
}

function query(ctx: UsersContext, body: Record<string, unknown>): Reply {
  const ids = body.user_ids;
  const users: Record<string, StoredUser> = {};
  if (ids === undefined) {
    for (const r of ctx.store.records()) users[r.user.id] = r.user;
    return json(200, { users });
  }
  if (!Array.isArray(ids) || !ids.every((x) => typeof x === "string"))
    fail(400, "Field user_ids must be an array of strings (Keycloak user ids)");
  for (const id of ids as string[]) {
    const r = ctx.store.byId(id);
    if (r) users[id] = r.user;
    else if (ctx.unknownIdsError) fail(404, `User not found: ${id}`);
  }
  return json(200, { users });
}

async function invite(ctx: UsersContext, body: Record<string, unknown>): Promise<Reply> {
  const email = emailOf(body);
  const given = body.password;
  // null is taken as "not given": generated clients may send it for an unset optional field.
  if (given !== undefined && given !== null && (typeof given !== "string" || given === ""))
    fail(400, "Field password must be a non-empty string when given");
  const password = typeof given === "string" ? given : temporaryPassword();
  // Hash before the (synchronous) check-and-insert, so concurrent invites cannot both pass the checks.
  const passwordHash = await hashPassword(password);
  let user: StoredUser;
  try {
    user = ctx.store.create({ email, enabled: true, passwordHash, temporaryPassword: typeof given !== "string" });
  } catch (e) {
    storeReply(e);
  }
  await saved(ctx);
  return json(200, { id: user.id, password });
}

async function setEnabled(ctx: UsersContext, body: Record<string, unknown>, enabled: boolean): Promise<Reply> {
  const email = emailOf(body);
  let changed: boolean;
  try {
    changed = ctx.store.setEnabled(email, enabled);
  } catch (e) {
    storeReply(e);
  }
  if (changed) await saved(ctx);
  return json(200, {});
}

/** Runs one user operation on an already authenticated request. */
export async function handleUserOp(ctx: UsersContext, op: UserOp, rawBody: string): Promise<Reply> {
  const body = parseJsonObject(rawBody);
  switch (op) {
    case "query":
      return query(ctx, body);
    case "invite":
      return invite(ctx, body);
    case "activate":
      return setEnabled(ctx, body, true);
    case "deactivate":
      return setEnabled(ctx, body, false);
  }
}
