/** Shared helpers for the emulator specs: real HTTP calls to a running emulator. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Dispatcher, request } from "undici";
import type { RunningEmulator } from "../../emulator";

export const TOKEN_PATH = "/auth/realms/master/protocol/openid-connect/token";
export const ADMIN_PASSWORD = "Admin-Pass-1";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

async function answer(res: Dispatcher.ResponseData): Promise<Answer> {
  const text = await res.body.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, body };
}

/** POST a raw body (string) or a JSON value to the emulator. */
export async function post(
  url: string,
  path: string,
  body: unknown,
  token?: string,
  extraHeaders: Record<string, string> = {},
): Promise<Answer> {
  const res = await request(url + path, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...extraHeaders,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return answer(res);
}

export async function send(
  url: string,
  method: Dispatcher.HttpMethod,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return answer(await request(url + path, { method, headers, body }));
}

/** The Keycloak token endpoint with a form body. */
export async function tokenRequest(url: string, form: Record<string, string>): Promise<Answer> {
  const res = await request(url + TOKEN_PATH, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  return answer(res);
}

export async function login(url: string, username = "admin", password = ADMIN_PASSWORD): Promise<string> {
  const r = await tokenRequest(url, { client_id: "sdk-client", grant_type: "password", username, password });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
  return r.body.access_token as string;
}

/** A bound caller for the user API with a fresh admin token. */
export function api(emu: RunningEmulator) {
  const token = emu.issueToken();
  return (op: "query" | "invite" | "activate" | "deactivate", body: unknown) =>
    post(emu.url, `/v1/api/users/${op}`, body, token);
}

export const KEYCLOAK_USERS = "/auth/admin/realms/master/users";

/**
 * A bound caller for Keycloak's admin user endpoints (`path` under `/auth/admin/realms/master/users`,
 * query included), with admin's token unless another is given.
 */
export function keycloak(emu: RunningEmulator, token = emu.issueToken()) {
  return (method: Dispatcher.HttpMethod, path = "", body?: unknown): Promise<Answer> =>
    send(
      emu.url,
      method,
      KEYCLOAK_USERS + path,
      body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    );
}

/** The id a `201 Created` names in its Location (`<base>/users/<id>`). */
export function createdId(r: Answer): string {
  const location = String(r.headers.location ?? "");
  const m = /\/auth\/admin\/realms\/master\/users\/([^/]+)$/.exec(location);
  if (r.status !== 201 || !m) throw new Error(`not a creation: ${r.status} ${location} ${r.text}`);
  return m[1]!;
}

const created: string[] = [];
// Removed when the test process ends, so runs leave nothing under the temp dir.
process.on("exit", () => {
  for (const d of created) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = "wl-emu-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  created.push(d);
  return d;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
