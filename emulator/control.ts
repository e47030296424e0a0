/**
 * Test-only control endpoints under /__emulator/ (no auth; off in the CLI unless
 * --control), so a test or demo can drive an emulator running in another process.
 */
import type { FaultInjector } from "./faults";
import { apiError, fail, json, parseJsonObject, Reply } from "./http";
import { seedUser } from "./seed";
import { copyUser, licenceFor, StoreError, UserStore } from "./store";
import type { StatsRecorder } from "./stats";
import type { Edition } from "./types";
import { WORKSPACE_CONTROL, WorkspacesContext } from "./workspaces";

export const CONTROL_PREFIX = "/__emulator/";

export interface ControlContext {
  store: UserStore;
  faults: FaultInjector;
  stats: StatsRecorder;
  issueToken: () => string;
  tokenTtlSeconds: number;
  /** Saves the data file after a change made here. */
  persist: () => void;
  workspaces: WorkspacesContext;
}

type Handler = (ctx: ControlContext, body: string) => Reply | Promise<Reply>;

function typeErrors<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TypeError) fail(400, e.message);
    throw e;
  }
}

const ROUTES: Record<string, Partial<Record<string, Handler>>> = {
  faults: {
    POST: (ctx, raw) => {
      const body = parseJsonObject(raw);
      if (body.seed !== undefined && !Number.isInteger(body.seed)) fail(400, "seed must be an integer");
      typeErrors(() => ctx.faults.set(body.rules as never, body.seed as number | undefined));
      return json(200, { rules: ctx.faults.rules() });
    },
    GET: (ctx) => json(200, { rules: ctx.faults.rules() }),
    DELETE: (ctx) => {
      ctx.faults.clear();
      return json(200, {});
    },
  },
  stats: {
    GET: (ctx) => json(200, ctx.stats.snapshot()),
    DELETE: (ctx) => {
      ctx.stats.reset();
      return json(200, {});
    },
  },
  users: {
    GET: (ctx) => json(200, { users: [...ctx.store.records()].map((r) => copyUser(r.user)) }),
    // Seeds a user as emu.addUser does: an account with a password and chosen roles (or none), a federated user.
    POST: (ctx, raw) => {
      let user;
      try {
        user = typeErrors(() => seedUser(ctx.store, parseJsonObject(raw), "POST /__emulator/users"));
      } catch (e) {
        if (e instanceof StoreError) fail(e.kind === "exists" ? 409 : 400, e.message);
        throw e;
      }
      ctx.persist();
      return json(200, { user });
    },
    // Deletes a user out of band, as an admin could in Keycloak: the "really gone" case for refresh and destroy.
    DELETE: (ctx, raw) => {
      const body = parseJsonObject(raw);
      if (typeof body.id !== "string") fail(400, 'give the user to delete as {"id": "<keycloak id>"}');
      if (!ctx.store.remove(body.id)) fail(404, `No user with id ${body.id} (or it is the built-in admin)`);
      ctx.persist();
      return json(200, {});
    },
  },
  licence: {
    POST: (ctx, raw) => {
      const body = parseJsonObject(raw);
      const max = body.maxActiveUsers === null ? undefined : body.maxActiveUsers;
      typeErrors(() => ctx.store.setLicence(licenceFor(body.edition as Edition, max as number | undefined)));
      return json(200, { ...ctx.store.licence(), activeUsers: ctx.store.activeCount() });
    },
    GET: (ctx) => json(200, { ...ctx.store.licence(), activeUsers: ctx.store.activeCount() }),
  },
  tokens: {
    POST: (ctx) => json(200, { access_token: ctx.issueToken(), token_type: "Bearer", expires_in: ctx.tokenTtlSeconds }),
  },
  workspaces: { GET: (ctx) => WORKSPACE_CONTROL.list(ctx.workspaces) },
  "workspaces/archive": { POST: (ctx, raw) => WORKSPACE_CONTROL.archive(ctx.workspaces, raw) },
  "workspaces/remove-member": { POST: (ctx, raw) => WORKSPACE_CONTROL.removeMember(ctx.workspaces, raw) },
};

// Own properties only: a path segment like "constructor" must not reach Object.prototype.
function own<T>(o: Record<string, T>, k: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

/** Answers a /__emulator/ request. */
export function handleControl(ctx: ControlContext, method: string, path: string, body: string): Reply | Promise<Reply> {
  const routes = own(ROUTES, path.slice(CONTROL_PREFIX.length));
  if (!routes) return apiError(404, `Unknown control endpoint: ${path}`);
  const handler = own(routes, method);
  if (!handler)
    return apiError(405, `Method ${method} not allowed on ${path}`, { allow: Object.keys(routes).join(", ") });
  return handler(ctx, body);
}
