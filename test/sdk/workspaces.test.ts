import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { EmulatorOptions, RunningEmulator, startEmulator } from "../../emulator";
import {
  AmbiguousWorkspaceNameError,
  AuthenticationError,
  BadRequestError,
  InvalidResponseError,
  UnexpectedResponseError,
  NotFoundError,
  ServerError,
  WallarooClient,
  WorkspaceNameTakenError,
  WorkspaceNotFoundError,
} from "../../sdk";
import { RawServer, reply, startRawServer } from "../support/rawServer";
import { adminClients, rejection } from "../support/clients";

const ADMIN_PASSWORD = "s3cret-admin-pw";
const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 200, maxElapsedMs: 10_000 };
const P = {
  list: "/v1/api/workspaces/list",
  create: "/v1/api/workspaces/create",
  add_user: "/v1/api/workspaces/add_user",
  list_users: "/v1/api/workspaces/list_users",
  remove_user: "/v1/api/workspaces/remove_user",
};

describe("WallarooClient workspaces", function () {
  let emu: RunningEmulator;
  const { client, track, closeAll } = adminClients(() => emu.url, ADMIN_PASSWORD, { retry: FAST_RETRY });

  async function start(opts: EmulatorOptions = {}): Promise<void> {
    await emu?.close();
    emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, edition: "enterprise", ...opts });
  }
  const requests = (path: string) => emu.stats().requests[path] ?? 0;
  const adminId = () => emu.users().find((u) => u.username === "admin")!.id;

  beforeEach(() => start());
  afterEach(async () => {
    await closeAll();
    await emu.close();
  });

  describe("listWorkspaces / getWorkspaceByName", () => {
    it("lists workspaces with integer ids, createdAt, createdBy and archived", async () => {
      const c = client();
      assert.deepEqual(await c.listWorkspaces(), []);
      const { id } = await c.createWorkspace("team-a");
      emu.archiveWorkspace(id);
      const [w] = await c.listWorkspaces();
      assert.deepEqual(w, { id, name: "team-a", createdAt: w.createdAt, createdBy: adminId(), archived: true });
      assert.ok(Number.isInteger(w.id));
      assert.ok(!Number.isNaN(Date.parse(w.createdAt)));
    });

    it("finds a workspace by its exact name, or null", async () => {
      const c = client();
      const { id } = await c.createWorkspace("Team");
      assert.equal((await c.getWorkspaceByName("Team"))?.id, id);
      assert.equal(await c.getWorkspaceByName("team"), null);
      assert.equal(await c.getWorkspaceByName("Tea"), null);
    });

    it("refuses to guess when two workspaces share the name, listing their ids", async () => {
      const c = client();
      const a = (await c.createWorkspace("twin")).id;
      const b = (await c.createWorkspace("twin")).id;
      const e = await rejection(c.getWorkspaceByName("twin"));
      assert.ok(e instanceof AmbiguousWorkspaceNameError);
      assert.equal(e.code, "WALLAROO_AMBIGUOUS");
      assert.deepEqual(e.workspaceIds, [a, b]);
      assert.match(e.message, new RegExp(`2 Wallaroo workspaces are named 'twin' \\(ids ${a}, ${b}\\)`));
    });
  });

  describe("createWorkspace", () => {
    it("creates a workspace the caller owns", async () => {
      const c = client();
      const { id } = await c.createWorkspace("w1");
      assert.deepEqual(await c.listWorkspaceMembers(id), [{ userId: adminId(), role: "owner" }]);
    });

    for (const bad of ["1abc", "has space", "dot.ted", "under_score", "", "x".repeat(64)]) {
      it(`refuses the invalid name ${JSON.stringify(bad.slice(0, 12))} before sending anything`, async () => {
        const c = client();
        emu.resetStats();
        const e = await rejection(c.createWorkspace(bad));
        assert.ok(e instanceof BadRequestError);
        assert.match(e.message, /Invalid workspace name/);
        assert.match(e.message, bad.length > 63 ? /limit is 63/ : bad === "" ? /empty/ : /\^\[a-zA-Z\]/);
        assert.equal(requests(P.create), 0);
      });
    }

    it("allows a duplicate name when the server does (the default)", async () => {
      const c = client();
      const a = await c.createWorkspace("dup");
      const b = await c.createWorkspace("dup");
      assert.notEqual(a.id, b.id);
    });

    it("reports a name taken on a server that keeps names unique, with the existing id", async () => {
      await start({ uniqueWorkspaceNames: true });
      const c = client();
      const { id } = await c.createWorkspace("once");
      const e = await rejection(c.createWorkspace("once"));
      assert.ok(e instanceof WorkspaceNameTakenError);
      assert.equal(e.code, "WALLAROO_ALREADY_EXISTS");
      assert.deepEqual(e.existingWorkspaceIds, [id]);
      assert.match(e.message, /POST \/v1\/api\/workspaces\/create → HTTP 400/);
      assert.match(e.message, /already exists/);
    });

    it("a lost answer (performThenDrop) returns the workspace that attempt created, once", async () => {
      const c = client();
      emu.setFaults([{ endpoint: P.create, performThenDrop: true, count: 1 }]);
      emu.resetStats();
      const r = await c.createWorkspace("lost");
      assert.equal(r.recovered, true);
      assert.deepEqual(
        emu.workspaces().map((w) => [w.id, w.name]),
        [[r.id, "lost"]],
      );
      assert.equal(requests(P.create), 1, "not re-sent");
    });

    it("a lost answer is told apart from an older workspace of the same name", async () => {
      const c = client();
      const old = (await c.createWorkspace("shared")).id;
      emu.setFaults([{ endpoint: P.create, performThenDrop: true, count: 1 }]);
      const r = await c.createWorkspace("shared");
      assert.notEqual(r.id, old);
      assert.equal(r.recovered, true);
      assert.equal(emu.workspaces().length, 2);
    });

    it("a lost answer on a server with unique names is recovered too", async () => {
      await start({ uniqueWorkspaceNames: true });
      const c = client();
      emu.setFaults([{ endpoint: P.create, performThenDrop: true, count: 1 }]);
      const r = await c.createWorkspace("uniq");
      assert.equal(r.recovered, true);
      assert.equal(emu.workspaces().length, 1);
    });

    for (const status of [502, 504]) {
      it(`after a ${status} it looks up the name, finds nothing, and re-sends once`, async () => {
        const c = client();
        emu.setFaults([{ endpoint: P.create, status, count: 1 }]);
        emu.resetStats();
        const r = await c.createWorkspace(`gw-${status}`);
        assert.equal(r.recovered, undefined);
        assert.equal(requests(P.create), 2);
        assert.equal(requests(P.list), 2, "the first look, and the look before re-sending");
        assert.equal(emu.workspaces().length, 1);
      });
    }

    it("re-sends after a 503 without a lookup (the server did not act)", async () => {
      const c = client();
      emu.setFaults([{ endpoint: P.create, status: 503, count: 2 }]);
      emu.resetStats();
      await c.createWorkspace("busy");
      assert.equal(requests(P.create), 3);
      assert.equal(requests(P.list), 1);
      assert.equal(emu.workspaces().length, 1);
    });

    it("a connection dropped before acting is re-sent after a lookup, and never creates two", async () => {
      const c = client();
      emu.setFaults([{ endpoint: P.create, dropConnection: true, count: 2 }]);
      emu.resetStats();
      const r = await c.createWorkspace("dropped");
      assert.equal(requests(P.create), 3);
      assert.deepEqual(
        emu.workspaces().map((w) => w.id),
        [r.id],
      );
    });

    it("gives up with an 'outcome unknown' error, not a guess, when every answer is lost", async () => {
      const c = client({ retry: { ...FAST_RETRY, maxAttempts: 3 } });
      emu.setFaults([{ endpoint: P.create, dropConnection: true }]);
      const e = await rejection(c.createWorkspace("never"));
      assert.ok(e instanceof ServerError);
      assert.match(e.message, /'never' may or may not have succeeded/);
      assert.match(e.message, /getWorkspaceByName\('never'\)/);
      assert.equal(emu.workspaces().length, 0);
    });

    it("looks up after the last allowed attempt too (maxAttempts 1)", async () => {
      const c = client({ retry: { ...FAST_RETRY, maxAttempts: 1 } });
      emu.setFaults([{ endpoint: P.create, performThenDrop: true, count: 1 }]);
      const r = await c.createWorkspace("last");
      assert.equal(r.recovered, true);
      assert.equal(emu.workspaces().length, 1);
    });

    it("does not re-send when the lookup after a lost answer fails", async () => {
      let lists = 0;
      const raw = await startRawServer((req, res) => {
        if (req.url === P.list) return ++lists === 1 ? reply(res, 200, { workspaces: [] }) : reply(res, 500, "oops");
        if (req.url === P.create) return reply(res, 504, "<html>Gateway Timeout</html>", "text/html");
        reply(res, 404, "no");
      });
      try {
        const c = new WallarooClient({ env: {}, url: raw.url, token: "tok-abcdef", retry: FAST_RETRY });
        track(c);
        const e = await rejection(c.createWorkspace("maybe"));
        assert.ok(e instanceof ServerError);
        assert.match(
          e.message,
          /may or may not have succeeded: the answer was lost and the lookup that would tell failed/,
        );
        assert.equal(raw.requests.filter((r) => r.path === P.create).length, 1);
      } finally {
        await raw.close();
      }
    });
  });

  describe("listWorkspaceMembers", () => {
    it("coalesces concurrent calls for one workspace into one request", async () => {
      const c = client();
      const a = (await c.createWorkspace("a")).id;
      const b = (await c.createWorkspace("b")).id;
      emu.resetStats();
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => c.listWorkspaceMembers(a)),
        ...Array.from({ length: 5 }, () => c.listWorkspaceMembers(b)),
      ]);
      assert.equal(requests(P.list_users), 2);
      assert.ok(results.every((r) => r.length === 1 && r[0].role === "owner"));
    });

    it("a call after a change sees the change (no stale shared answer)", async () => {
      const c = client();
      emu.addUser({ email: "pat@example.com" });
      const id = (await c.createWorkspace("w")).id;
      const before = c.listWorkspaceMembers(id);
      await c.addWorkspaceMember(id, "pat@example.com", "collaborator");
      assert.equal((await c.listWorkspaceMembers(id)).length, 2);
      assert.ok((await before).length >= 1);
    });

    it("an unknown workspace is a WorkspaceNotFoundError, concluded from the list", async () => {
      const c = client();
      const e = await rejection(c.listWorkspaceMembers(4242));
      assert.ok(e instanceof WorkspaceNotFoundError);
      assert.equal(e.workspaceId, 4242);
      assert.match(e.message, /workspace 4242 does not exist/);
      assert.match(e.message, /Workspace not found: 4242/, "the server's words are kept");
    });

    it("refuses a non-integer id before sending", async () => {
      const e = await rejection(client().listWorkspaceMembers(1.5));
      assert.ok(e instanceof BadRequestError);
    });
  });

  describe("addWorkspaceMember / removeWorkspaceMember", () => {
    it("adds a collaborator and an owner, changes a role, and removes", async () => {
      const c = client();
      const pat = emu.addUser({ email: "pat@example.com" });
      const kim = emu.addUser({ email: "kim@example.com" });
      const id = (await c.createWorkspace("w")).id;
      await c.addWorkspaceMember(id, "Pat@Example.com", "collaborator");
      await c.addWorkspaceMember(id, "kim@example.com", "owner");
      await c.addWorkspaceMember(id, "pat@example.com", "owner");
      assert.deepEqual(await c.listWorkspaceMembers(id), [
        { userId: adminId(), role: "owner" },
        { userId: pat.id, role: "owner" },
        { userId: kim.id, role: "owner" },
      ]);
      await c.removeWorkspaceMember(id, "kim@example.com");
      await c.removeWorkspaceMember(id, "kim@example.com"); // a non-member: no error
      await c.removeWorkspaceMember(id, "ghost@example.com"); // not a user at all: no error
      assert.deepEqual(
        (await c.listWorkspaceMembers(id)).map((m) => m.userId),
        [adminId(), pat.id],
      );
    });

    it("changes a role on a server that refuses existing members (remove, then add)", async () => {
      await start({ refuseExistingWorkspaceMember: true });
      const c = client();
      const pat = emu.addUser({ email: "pat@example.com" });
      const id = (await c.createWorkspace("w")).id;
      await c.addWorkspaceMember(id, "pat@example.com", "collaborator");
      emu.resetStats();
      await c.addWorkspaceMember(id, "pat@example.com", "collaborator");
      assert.equal(requests(P.remove_user), 0, "same role: nothing to change");
      await c.addWorkspaceMember(id, "pat@example.com", "owner");
      assert.equal(requests(P.remove_user), 1);
      assert.deepEqual((await c.listWorkspaceMembers(id)).find((m) => m.userId === pat.id)?.role, "owner");
    });

    it("says plainly when the re-add of a role change fails", async () => {
      await start({ refuseExistingWorkspaceMember: true });
      const c = client();
      emu.addUser({ email: "pat@example.com" });
      const id = (await c.createWorkspace("w")).id;
      await c.addWorkspaceMember(id, "pat@example.com", "collaborator");
      // The first add_user is refused (already a member); once the removal is done, add_user fails.
      const c2 = client({
        onRequest: (ev) => {
          if (ev.endpoint === `POST ${P.remove_user}`) emu.setFaults([{ endpoint: P.add_user, status: 500 }]);
        },
      });
      const e = await rejection(c2.addWorkspaceMember(id, "pat@example.com", "owner"));
      assert.ok(e instanceof ServerError);
      assert.match(e.message, /'pat@example\.com' was removed from workspace \d+ to change their role/);
      assert.match(e.message, /Run again to add them as owner/);
    });

    it("an unknown user is a NotFoundError naming the email, not a missing workspace", async () => {
      const c = client();
      const id = (await c.createWorkspace("w")).id;
      const e = await rejection(c.addWorkspaceMember(id, "ghost@example.com", "collaborator"));
      assert.ok(e instanceof NotFoundError);
      assert.ok(!(e instanceof WorkspaceNotFoundError));
      assert.match(e.message, /No Wallaroo user has the email 'ghost@example\.com'/);
      assert.match(e.message, /Invite the user first/);
    });

    it("an unknown workspace is a WorkspaceNotFoundError for add and remove", async () => {
      const c = client();
      emu.addUser({ email: "pat@example.com" });
      for (const p of [
        c.addWorkspaceMember(77, "pat@example.com", "owner"),
        c.removeWorkspaceMember(77, "pat@example.com"),
      ]) {
        const e = await rejection(p);
        assert.ok(e instanceof WorkspaceNotFoundError);
        assert.equal(e.workspaceId, 77);
      }
    });

    it("refuses a role other than owner or collaborator", async () => {
      const e = await rejection(client().addWorkspaceMember(1, "pat@example.com", "admin" as never));
      assert.ok(e instanceof BadRequestError);
      assert.match(e.message, /"owner" or "collaborator"/);
      const bad = await rejection(client().addWorkspaceMember(1, "not-an-email", "owner"));
      assert.ok(bad instanceof BadRequestError);
      assert.match(bad.message, /Cannot add 'not-an-email' to workspace 1: the email has no '@'/);
    });

    it("a member removed out of band is simply absent", async () => {
      const c = client();
      emu.addUser({ email: "pat@example.com" });
      const id = (await c.createWorkspace("w")).id;
      await c.addWorkspaceMember(id, "pat@example.com", "collaborator");
      emu.removeWorkspaceMember(id, "pat@example.com");
      assert.equal((await c.listWorkspaceMembers(id)).length, 1);
      await c.removeWorkspaceMember(id, "pat@example.com");
    });
  });

  describe("faults", () => {
    it("retries reads through 503s", async () => {
      const c = client();
      await c.createWorkspace("w");
      emu.setFaults([{ endpoint: P.list, status: 503, count: 2 }]);
      assert.equal((await c.listWorkspaces()).length, 1);
    });

    it("a 500 is a ServerError naming the endpoint and the member", async () => {
      const c = client();
      emu.addUser({ email: "pat@example.com" });
      const id = (await c.createWorkspace("w")).id;
      emu.setFaults([{ endpoint: P.add_user, status: 500 }]);
      const e = await rejection(c.addWorkspaceMember(id, "pat@example.com", "owner"));
      assert.ok(e instanceof ServerError);
      assert.match(e.message, /Cannot add 'pat@example\.com' to workspace \d+: the Wallaroo API failed/);
      assert.match(e.message, /POST \/v1\/api\/workspaces\/add_user → HTTP 500/);
    });

    it("a refused token is an AuthenticationError", async () => {
      const e = await rejection(
        client({ username: undefined, password: undefined, token: "bad-token-1" }).listWorkspaces(),
      );
      assert.ok(e instanceof AuthenticationError);
      assert.doesNotMatch(`${e.message} ${e.stack} ${JSON.stringify(e)}`, /bad-token-1/);
    });
  });

  describe("answers that are not the workspace API (never 'not found')", () => {
    let raw: RawServer;
    afterEach(() => raw?.close());

    async function against(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<WallarooClient> {
      raw = await startRawServer(handler);
      const c = new WallarooClient({
        env: {},
        url: raw.url,
        token: "tok-abcdef",
        retry: { ...FAST_RETRY, maxAttempts: 2 },
      });
      track(c);
      return c;
    }

    it("a 404 page from a wrong path", async () => {
      const c = await against((_q, res) => reply(res, 404, "<html><h1>404 Not Found</h1></html>", "text/html"));
      const e = await rejection(c.listWorkspaceMembers(3));
      assert.ok(e instanceof UnexpectedResponseError);
      assert.ok(!(e instanceof NotFoundError));
      assert.match(e.message, /POST \/v1\/api\/workspaces\/list_users → HTTP 404/);
      assert.match(e.message, /404 Not Found/);
      assert.match(e.message, /WALLAROO_URL/);
    });

    it("an HTML page with 200", async () => {
      const c = await against((_q, res) => reply(res, 200, "<html>Sign in</html>", "text/html"));
      const e = await rejection(c.listWorkspaces());
      assert.ok(e instanceof InvalidResponseError);
      assert.match(e.message, /Sign in/);
    });

    it("a proxy's 400 with its own body, everywhere", async () => {
      const c = await against((_q, res) => reply(res, 400, "<html>400 Bad Request (nginx)</html>", "text/html"));
      const e = await rejection(c.listWorkspaceMembers(3));
      assert.ok(e instanceof BadRequestError);
      assert.ok(!(e instanceof NotFoundError));
      assert.match(e.message, /nginx/);
      assert.ok(!((await rejection(c.removeWorkspaceMember(3, "a@example.com"))) instanceof NotFoundError));
    });

    it("a 400 for a workspace that the list does show stays a BadRequestError", async () => {
      const c = await against((req, res) =>
        req.url === P.list
          ? reply(res, 200, { workspaces: [{ id: 3, name: "w", created_at: "x", created_by: "u", archived: false }] })
          : reply(res, 400, { msg: "something else", code: 400 }),
      );
      const e = await rejection(c.listWorkspaceMembers(3));
      assert.ok(e instanceof BadRequestError);
      assert.match(e.message, /something else/);
    });

    it("a 5xx", async () => {
      const c = await against((_q, res) => reply(res, 500, { msg: "db down", code: 500 }));
      const e = await rejection(c.listWorkspaceMembers(3));
      assert.ok(e instanceof ServerError);
      assert.match(e.message, /db down/);
    });

    it("a redirect", async () => {
      const c = await against((_q, res) => {
        res.writeHead(302, { location: "https://login.example.com/" });
        res.end();
      });
      const e = await rejection(c.listWorkspaces());
      assert.ok(e instanceof UnexpectedResponseError);
      assert.match(e.message, /HTTP 302/);
      assert.match(e.message, /redirect to https:\/\/login\.example\.com\//);
    });

    it("a 200 that does not match the schema (a string id, an unknown role)", async () => {
      let c = await against((_q, res) =>
        reply(res, 200, { workspaces: [{ id: "3", name: "w", created_at: "x", created_by: "u", archived: false }] }),
      );
      let e = await rejection(c.listWorkspaces());
      assert.ok(e instanceof InvalidResponseError);
      assert.equal((e as InvalidResponseError).field, "workspaces.0.id");
      await raw.close();
      c = await against((_q, res) => reply(res, 200, { users: [{ user_id: "u", user_type: "ADMIN" }] }));
      e = await rejection(c.listWorkspaceMembers(3));
      assert.ok(e instanceof InvalidResponseError);
      assert.equal((e as InvalidResponseError).field, "users.0.user_type");
    });

    it("a 200 list without the id means not found", async () => {
      const c = await against((req, res) =>
        req.url === P.list ? reply(res, 200, { workspaces: [] }) : reply(res, 400, { msg: "nope", code: 400 }),
      );
      assert.ok((await rejection(c.listWorkspaceMembers(3))) instanceof WorkspaceNotFoundError);
    });
  });

  it("the published types do not mention zod", () => {
    const dts = readFileSync(join(__dirname, "../../sdk/workspaces.d.ts"), "utf8");
    assert.doesNotMatch(dts, /zod|\/schemas"|workspaceSchemas/);
    assert.doesNotMatch(readFileSync(join(__dirname, "../../sdk/client.d.ts"), "utf8"), /workspaceSchemas/);
  });
});
