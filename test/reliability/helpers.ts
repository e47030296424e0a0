/**
 * Shared pieces of the reliability tests: programs, convergence checks against
 * the emulator and the state, a certificate authority made with openssl, and a
 * recording proxy that sees every token the provider is issued.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { request } from "undici";
import type { RunningEmulator } from "../../emulator";
import { Engine, makeTempDir, ResourceState } from "../harness";

export const TYPE = "pulumi-nodejs:dynamic/wallaroo:User";
export const API = "/v1/api/users";
export const TOKEN_PATH = "/auth/realms/master/protocol/openid-connect/token";

/** A TypeScript program for the consumer project. */
export function program(body: string): string {
  return `import * as pulumi from "@pulumi/pulumi";
import * as wallaroo from "pulumi-wallaroo";
const cfg = new pulumi.Config();
${body}
`;
}

/** `n` users `u<i>` with emails `<prefix><i>@example.com`; every tenth inactive when `someInactive`. */
export function manyUsers(n: number, prefix = "user", opts: { someInactive?: boolean; extra?: string } = {}): string {
  return program(`
for (let i = 0; i < ${n}; i++) {
  new wallaroo.User(\`u\${i}\`, { email: \`${prefix}\${i}@example.com\`${opts.someInactive ? ", active: i % 10 !== 0" : ""}${opts.extra ? `, ${opts.extra}` : ""} });
}
`);
}

export function desiredMany(n: number, prefix = "user", someInactive = false): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (let i = 0; i < n; i++) out[`${prefix}${i}@example.com`] = someInactive ? i % 10 !== 0 : true;
  return out;
}

/** The wallaroo.User resources in the state. */
export function usersInState(engine: Engine): ResourceState[] {
  return engine.listResources().filter((r) => r.type === TYPE && !r.delete);
}

/** The name of a resource from its URN. */
export function nameOf(urn: string): string {
  return urn.split("::").pop()!;
}

/**
 * The emulator holds exactly the desired users (email → active) and no other
 * user with an email (among those `scope` selects); the state holds one resource per desired email, with the
 * server's id, distinct ids, the right `active`, and no init errors.
 */
export function assertConverged(
  emu: RunningEmulator,
  engine: Engine,
  desired: Record<string, boolean>,
  scope: (email: string) => boolean = () => true,
): void {
  const server = emu.users().filter((u) => u.email !== undefined && scope(u.email));
  const byEmail = new Map<string, (typeof server)[number]>();
  for (const u of server) {
    assert.ok(!byEmail.has(u.email!), `two users on the server with email ${u.email}`);
    byEmail.set(u.email!, u);
  }
  assert.deepEqual(
    Object.fromEntries(
      [...byEmail].map(([e, u]) => [e, u.enabled]).sort(([a], [b]) => String(a).localeCompare(String(b))),
    ),
    Object.fromEntries(Object.entries(desired).sort(([a], [b]) => a.localeCompare(b))),
    "the server holds exactly the desired users",
  );
  const state = usersInState(engine);
  assert.equal(state.length, Object.keys(desired).length, "one resource per desired user");
  const ids = new Set<string>();
  for (const r of state) {
    const email = String(r.outputs.email);
    const u = byEmail.get(email);
    assert.ok(u, `${r.urn}: no user ${email} on the server`);
    assert.equal(r.id, u.id, `${r.urn}: the id in the state is the server's`);
    assert.ok(!ids.has(r.id!), `${r.urn}: id ${r.id} is recorded twice`);
    ids.add(r.id!);
    assert.equal(r.outputs.active, desired[email], `${r.urn}: active in the state`);
    assert.equal(r.initErrors, undefined, `${r.urn}: init errors left in the state`);
  }
}

/** Waits until `cond` holds, polling every 20 ms. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- certificates

export interface TestCa {
  dir: string;
  caPath: string;
  cert: Buffer;
  key: Buffer;
}

/** A private CA and a server certificate for 127.0.0.1 signed by it, made with openssl. Undefined without openssl. */
export function makeCa(): TestCa | undefined {
  const dir = makeTempDir("reliability-ca");
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  try {
    run([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=Reliability Test CA",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run([
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=127.0.0.1",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
    ]);
    writeFileSync(
      join(dir, "ext.cnf"),
      "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    );
    run([
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-out",
      "server.pem",
      "-extfile",
      "ext.cnf",
    ]);
  } catch {
    return undefined;
  }
  return {
    dir,
    caPath: join(dir, "ca.pem"),
    cert: readFileSync(join(dir, "server.pem")),
    key: readFileSync(join(dir, "server.key")),
  };
}

// ---------------------------------------------------------------- a recording proxy

export interface Proxy {
  url: string;
  /** Every access and refresh token the upstream issued through this proxy. */
  tokens: Set<string>;
  /** Every Authorization header value seen. */
  authorizations: Set<string>;
  /** Answers a request instead of the upstream when it returns true (e.g. an error that echoes the request). */
  intercept?: (path: string, body: string, req: IncomingMessage, res: ServerResponse) => boolean;
  close(): Promise<void>;
}

/** A plain HTTP proxy in front of `upstream` that records the tokens passing through. */
export async function startRecordingProxy(upstream: string): Promise<Proxy> {
  const proxy: Proxy = {
    url: "",
    tokens: new Set(),
    authorizations: new Set(),
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      void (async () => {
        const path = req.url ?? "/";
        if (req.headers.authorization) proxy.authorizations.add(req.headers.authorization);
        if (proxy.intercept?.(path, body, req, res)) return;
        try {
          const headers: Record<string, string> = {};
          for (const k of ["authorization", "content-type", "accept"]) {
            const v = req.headers[k];
            if (typeof v === "string") headers[k] = v;
          }
          const up = await request(upstream + path, {
            method: (req.method ?? "POST") as "POST",
            headers,
            body: body || undefined,
          });
          const text = await up.body.text();
          if (path === TOKEN_PATH && up.statusCode === 200) {
            const t = JSON.parse(text) as { access_token?: string; refresh_token?: string };
            if (t.access_token) proxy.tokens.add(t.access_token);
            if (t.refresh_token) proxy.tokens.add(t.refresh_token);
          }
          res.writeHead(up.statusCode, { "content-type": String(up.headers["content-type"] ?? "application/json") });
          res.end(text);
        } catch {
          res.destroy();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/** Every artifact text of an engine that contains one of `literals`, as `literal @ source`. */
export function leaks(engine: Engine, literals: string[]): string[] {
  return engine
    .findInArtifacts(literals.filter((l) => l.length >= 4))
    .map((h) => `${h.literal.slice(0, 6)}… @ ${h.source}`);
}
