/**
 * startEmulator: wires the store, persistence, tokens, faults and routes to a
 * Node http(s) server, and runs each request through the fault pipeline.
 */
import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { TokenService } from "./auth";
import type { ControlContext } from "./control";
import { FaultAction, FaultInjector } from "./faults";
import { apiError, HttpError, readBody, Reply, STATUS_TEXT } from "./http";
import { keycloakEndpoint } from "./keycloakAdmin";
import { hashPassword } from "./passwords";
import { loadDataFile, Persister } from "./persistence";
import { seedUser } from "./seed";
import { dispatch, isControlPath, RouteContext } from "./routes";
import { StatsRecorder } from "./stats";
import { copyUser, licenceFor, StoreError, UserStore } from "./store";
import type { EmulatorOptions, NewUser, RunningEmulator, StoredUser } from "./types";
import { loadWorkspaces, WorkspacesContext, WorkspaceStore } from "./workspaces";

const NO_FAULT: FaultAction = { latencyMs: 0, kind: "none", status: 0, contentType: "application/json" };

function checkOptions(o: EmulatorOptions): void {
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v > 0))
      throw new TypeError(`${name} must be a positive number, got ${v}`);
  };
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535))
    throw new TypeError(`port must be an integer 0-65535, got ${o.port}`);
  positive("tokenTtlSeconds", o.tokenTtlSeconds);
  positive("refreshTtlSeconds", o.refreshTtlSeconds);
  if (o.adminPassword !== undefined && (typeof o.adminPassword !== "string" || o.adminPassword === ""))
    throw new TypeError("adminPassword must be a non-empty string");
  if (o.staticTokens?.some((t) => typeof t !== "string" || !/^\S+$/.test(t)))
    throw new TypeError("staticTokens must be non-empty strings without spaces");
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  checkOptions(options);
  const host = options.host ?? "127.0.0.1";
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 300;
  const log = options.log ?? (() => undefined);

  const store = new UserStore(
    licenceFor(options.edition ?? "community", options.maxActiveUsers),
    options.dataFile ? await loadDataFile(options.dataFile) : undefined,
  );
  const workspaceStore = new WorkspaceStore(
    store,
    options.dataFile ? await loadWorkspaces(options.dataFile, store) : undefined,
  );
  // The option is authoritative for admin's password on every start (the file keeps only a hash).
  store.setPasswordHash(store.adminId, await hashPassword(options.adminPassword ?? "admin"));
  const persister = options.dataFile
    ? new Persister(
        options.dataFile,
        () => store.records(),
        () => ({ workspaces: workspaceStore.all() }),
      )
    : undefined;
  // Written at once, so admin's id is stable across restarts even before the first mutation.
  await persister?.save().catch((e: Error) => {
    throw new Error(`Cannot write the emulator data file ${options.dataFile}: ${e.message}`);
  });

  const tokens = new TokenService(store, {
    tokenTtlSeconds,
    refreshTtlSeconds: options.refreshTtlSeconds ?? 1800,
    staticTokens: options.staticTokens ?? [],
  });
  const faults = new FaultInjector(options.faults ?? [], options.faultSeed);
  const stats = new StatsRecorder(() => tokens.issued);
  const workspaces: WorkspacesContext = {
    store: workspaceStore,
    users: store,
    rules: {
      uniqueNames: options.uniqueWorkspaceNames ?? false,
      refuseExistingMember: options.refuseExistingWorkspaceMember ?? false,
    },
    persist: () => persister?.save() ?? Promise.resolve(),
  };
  const control: ControlContext | undefined =
    options.control === false
      ? undefined
      : {
          store,
          faults,
          stats,
          issueToken: () => tokens.issueAdminToken(),
          tokenTtlSeconds,
          workspaces,
          persist: () => void persister?.save().catch((e: Error) => log(`saving the data file failed: ${e.message}`)),
        };
  const persist = () => persister?.save() ?? Promise.resolve();
  const ctx: RouteContext = {
    users: { store, persist, unknownIdsError: options.unknownIdsError ?? false },
    workspaces,
    tokens,
    keycloak: { store, tokens, persist },
    control,
  };
  const scheme = options.tls ? "https" : "http";

  const timers = new Set<NodeJS.Timeout>();
  const handling = new Set<Promise<unknown>>();
  let closed = false;

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  }

  function write(req: IncomingMessage, res: ServerResponse, reply: Reply, started: number, counted: boolean): void {
    if (counted) stats.outcome(reply.status);
    log(`${req.method} ${pathOf(req)} ${reply.status} ${Date.now() - started}ms`);
    if (res.destroyed || res.headersSent) return;
    if (reply.body === undefined && !reply.raw) {
      // A 204 carries no Content-Length (RFC 9110 8.6); a 201 says its body is empty.
      res.writeHead(reply.status, { ...(reply.status !== 204 && { "content-length": 0 }), ...reply.headers });
      res.end();
      return;
    }
    const text = reply.raw ? reply.raw.text : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      "content-type": reply.raw ? reply.raw.contentType : "application/json",
      "content-length": Buffer.byteLength(text),
      ...reply.headers,
    });
    res.end(text);
  }

  function drop(req: IncomingMessage, started: number, counted: boolean): void {
    if (counted) stats.outcome("dropped");
    log(`${req.method} ${pathOf(req)} dropped ${Date.now() - started}ms`);
    req.socket.destroy();
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = req.method ?? "GET";
    const { path, query } = target(req);
    const counted = !isControlPath(ctx, path);
    // A Keycloak user's own paths are one endpoint (its template): for the stats and the fault rules.
    const endpoint = keycloakEndpoint(path)?.endpoint ?? path;
    if (counted) stats.request(endpoint, method);
    let body: string;
    try {
      body = await readBody(req);
    } catch (e) {
      if (e instanceof HttpError) {
        res.setHeader("connection", "close");
        write(req, res, e.reply, started, counted);
      } else req.socket.destroy();
      return;
    }
    const fault = counted ? faults.pick(endpoint, method) : NO_FAULT;
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (closed) return;
    if (fault.kind === "drop") return drop(req, started, counted);
    if (fault.kind === "respond") return write(req, res, faultReply(fault), started, counted);
    let reply: Reply;
    const origin = `${scheme}://${req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`}`;
    const work = dispatch(ctx, { method, path, query, headers: req.headers, body, origin });
    handling.add(work);
    try {
      reply = await work;
    } catch (e) {
      log(`${method} ${path} internal error: ${(e as Error).message}`);
      reply = apiError(500, "Internal emulator error");
    } finally {
      handling.delete(work);
    }
    if (fault.kind === "performThenDrop") return drop(req, started, counted);
    if (fault.kind === "performThenRespond") return write(req, res, faultReply(fault), started, counted);
    write(req, res, reply, started, counted);
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    serve(req, res).catch((e) => {
      // Last resort: a bug here must cost one request, never the process.
      log(`request failed: ${(e as Error).message}`);
      res.destroy();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `${options.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const saveInBackground = () =>
    persister?.save().catch((e: Error) => log(`saving the data file failed: ${e.message}`));

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        closed = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        // Finish mutations already under way, then make sure their saves are on disk.
        await Promise.allSettled([...handling]);
        await persister?.flush();
      })();
      return closing;
    },
    setFaults: (rules, seed) => faults.set(rules, seed),
    clearFaults: () => faults.clear(),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    users: () => [...store.records()].map((r) => copyUser(r.user)),
    issueToken: () => tokens.issueAdminToken(),
    revokeToken: (token) => tokens.revoke(token),
    setEdition: (edition, maxActiveUsers) => store.setLicence(licenceFor(edition, maxActiveUsers)),
    addUser: (u) => addUser(store, persister, log, u),
    removeUser: (id) => {
      const removed = store.remove(id);
      void saveInBackground();
      return removed;
    },
    changeEmail: (id, email) => {
      store.changeEmail(id, email);
      void saveInBackground();
    },
    workspaces: () => workspaceStore.all(),
    archiveWorkspace: (id, archived = true) => {
      if (!workspaceStore.get(id)) throw new Error(`archiveWorkspace: no workspace ${id}`);
      if (workspaceStore.setArchived(id, archived)) void saveInBackground();
    },
    removeWorkspaceMember: (id, user) => {
      if (!workspaceStore.get(id)) throw new Error(`removeWorkspaceMember: no workspace ${id}`);
      const rec = user.includes("@") ? store.byEmail(user) : store.byId(user);
      const n = rec ? workspaceStore.removeMember(id, rec.user.id) : 0;
      if (n > 0) void saveInBackground();
      return n;
    },
  };
}

/** The answer an injected fault gives instead of the handler's: the API's error body, or the rule's own body. */
function faultReply(fault: FaultAction): Reply {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
  if (fault.location !== undefined) headers.location = fault.location;
  if (fault.body !== undefined) {
    return { status: fault.status, body: null, headers, raw: { text: fault.body, contentType: fault.contentType } };
  }
  return apiError(fault.status, `Injected fault: ${fault.status} ${STATUS_TEXT[fault.status] ?? "Injected"}`, headers);
}

function pathOf(req: IncomingMessage): string {
  return target(req).path;
}

function target(req: IncomingMessage): { path: string; query: URLSearchParams } {
  const u = req.url ?? "/";
  const q = u.indexOf("?");
  return q === -1
    ? { path: u, query: new URLSearchParams() }
    : { path: u.slice(0, q), query: new URLSearchParams(u.slice(q + 1)) };
}

function addUser(store: UserStore, persister: Persister | undefined, log: (l: string) => void, u: NewUser): StoredUser {
  let user: StoredUser;
  try {
    user = seedUser(store, u);
  } catch (e) {
    if (e instanceof StoreError) throw new Error(`addUser: ${e.message}`);
    throw e;
  }
  persister?.save().catch((e: Error) => log(`saving the data file failed: ${e.message}`));
  return user;
}
