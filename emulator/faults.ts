/**
 * Fault injection: ordered rules, first match wins, with a seeded PRNG so a
 * failureRate run repeats exactly. Rules are validated strictly, so a typo in a
 * test's rule is an error rather than a fault that silently never fires.
 */
import { closest } from "../sdk/suggest";
import { TOKEN_PATH } from "./auth";
import { KEYCLOAK_ENDPOINTS, keycloakEndpoint } from "./keycloakAdmin";
import type { FaultRule } from "./types";
import { USER_OPS, USERS_PREFIX } from "./users";

export const DEFAULT_FAULT_SEED = 0x5eed;

const KEYS: Record<keyof FaultRule, string> = {
  endpoint: "string",
  method: "string",
  status: "number",
  failureRate: "number",
  count: "number",
  retryAfterSeconds: "number",
  latencyMs: "number",
  dropConnection: "boolean",
  performThenDrop: "boolean",
  performThenStatus: "boolean",
  body: "string",
  contentType: "string",
  location: "string",
};

/** Workspace operations (under /v1/api/workspaces/) a rule may name, with the user operations. */
const WORKSPACE_OPS = ["list", "create", "add_user", "list_users", "remove_user"] as const;

/** Every endpoint a fault rule may name, with the methods it serves; `"*"` matches them all. */
const ENDPOINT_METHODS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(USER_OPS.map((op) => [USERS_PREFIX + op, ["POST"]])),
  ...Object.fromEntries(WORKSPACE_OPS.map((op) => [`/v1/api/workspaces/${op}`, ["POST"]])),
  [TOKEN_PATH]: ["POST"],
  ...KEYCLOAK_ENDPOINTS,
};
export const FAULT_ENDPOINTS: readonly string[] = Object.keys(ENDPOINT_METHODS);
const METHODS = [...new Set(Object.values(ENDPOINT_METHODS).flat())];

/** Throws a TypeError naming the problem; returns a copy. */
export function validateFaultRule(raw: unknown, where = "fault rule"): FaultRule {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new TypeError(`${where} must be an object`);
  const r = raw as Record<string, unknown>;
  for (const [k, v] of Object.entries(r)) {
    const type = KEYS[k as keyof FaultRule];
    if (!type) throw new TypeError(`${where}: unknown field "${k}" (known: ${Object.keys(KEYS).join(", ")})`);
    if (v !== undefined && typeof v !== type) throw new TypeError(`${where}: "${k}" must be a ${type}`);
  }
  const rule = { ...r } as FaultRule;
  if (rule.endpoint !== undefined && rule.endpoint !== "*" && !FAULT_ENDPOINTS.includes(rule.endpoint)) {
    const template = keycloakEndpoint(rule.endpoint)?.endpoint;
    if (template) throw new TypeError(`${where}: name a user's own path by its template, "${template}"`);
    const guess = closest(rule.endpoint, FAULT_ENDPOINTS);
    throw new TypeError(
      `${where}: no endpoint ${JSON.stringify(rule.endpoint)}` +
        (guess ? ` (did you mean "${guess}"?)` : ` (known: "*", ${FAULT_ENDPOINTS.join(", ")})`),
    );
  }
  if (rule.method !== undefined) {
    const method = rule.method.toUpperCase();
    const served = rule.endpoint === undefined || rule.endpoint === "*" ? METHODS : ENDPOINT_METHODS[rule.endpoint]!;
    if (!served.includes(method)) {
      throw new TypeError(
        `${where}: ${rule.endpoint && rule.endpoint !== "*" ? rule.endpoint : "no endpoint"} serves no ${JSON.stringify(rule.method)} (it serves ${served.join(", ")})`,
      );
    }
    rule.method = method;
  }
  const nonNegative = (k: keyof FaultRule, integer: boolean) => {
    const v = rule[k] as number | undefined;
    if (v !== undefined && (!Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v)))) {
      throw new TypeError(`${where}: "${k}" must be a non-negative ${integer ? "integer" : "number"}`);
    }
  };
  nonNegative("latencyMs", false);
  nonNegative("retryAfterSeconds", true);
  nonNegative("count", true);
  // A fault fails: 400-599. A 2xx is a fault only with a body of its own (a malformed answer), a 3xx only
  // with a location (a redirect elsewhere); anything else would be a typo that never fails anything.
  const crafted =
    rule.status !== undefined &&
    ((rule.status >= 200 && rule.status < 300 && rule.body !== undefined) ||
      (rule.status >= 300 && rule.status < 400 && rule.location !== undefined));
  if (
    rule.status !== undefined &&
    !crafted &&
    (!Number.isInteger(rule.status) || rule.status < 400 || rule.status > 599)
  ) {
    throw new TypeError(
      `${where}: "status" must be a failure, an HTTP status between 400 and 599 (a 2xx needs a "body", a 3xx a "location"); got ${rule.status}`,
    );
  }
  if (rule.failureRate !== undefined && !(rule.failureRate >= 0 && rule.failureRate <= 1)) {
    throw new TypeError(`${where}: "failureRate" must be between 0 and 1`);
  }
  if (
    (rule.body !== undefined || rule.contentType !== undefined || rule.location !== undefined) &&
    rule.status === undefined
  ) {
    throw new TypeError(`${where}: "body", "contentType" and "location" need a "status" to answer with`);
  }
  if (rule.location !== undefined && (rule.status === undefined || rule.status < 300 || rule.status > 399)) {
    throw new TypeError(`${where}: "location" goes with a redirect status (300-399)`);
  }
  if (rule.performThenStatus && (rule.status === undefined || rule.dropConnection || rule.performThenDrop)) {
    throw new TypeError(
      `${where}: "performThenStatus" needs a "status" to answer after performing, and no dropped connection`,
    );
  }
  if (rule.dropConnection && rule.performThenDrop)
    throw new TypeError(`${where}: choose dropConnection or performThenDrop, not both`);
  if ((rule.dropConnection || rule.performThenDrop) && rule.status !== undefined) {
    throw new TypeError(`${where}: a dropped connection has no status`);
  }
  const acts = [
    rule.status,
    rule.failureRate,
    rule.count,
    rule.retryAfterSeconds,
    rule.latencyMs,
    rule.dropConnection || undefined,
    rule.performThenDrop || undefined,
  ];
  if (acts.every((a) => a === undefined))
    throw new TypeError(
      `${where} does nothing: give status, failureRate, count, latencyMs, dropConnection or performThenDrop`,
    );
  return rule;
}

export function validateFaultRules(raw: unknown): FaultRule[] {
  if (!Array.isArray(raw)) throw new TypeError("fault rules must be an array");
  return raw.map((r, i) => validateFaultRule(r, `fault rule ${i}`));
}

/** What the server does for one request. */
export interface FaultAction {
  latencyMs: number;
  /** "respond": answer `status` without handling; "drop": destroy before handling; "performThenDrop": handle, then destroy. */
  kind: "none" | "respond" | "drop" | "performThenDrop" | "performThenRespond";
  status: number;
  retryAfterSeconds?: number;
  body?: string;
  contentType: string;
  location?: string;
}

/** The request answers with a status when it names one, or names nothing but when/how often to fail. */
function respondsWithStatus(r: FaultRule): boolean {
  if (r.dropConnection || r.performThenDrop) return false;
  if (r.status !== undefined || r.retryAfterSeconds !== undefined) return true;
  return r.latencyMs === undefined; // only failureRate/count: a plain 503
}

/** mulberry32: tiny, fast and good enough for fault dice. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  #rules: { rule: FaultRule; remaining?: number }[] = [];
  #random = prng(DEFAULT_FAULT_SEED);

  constructor(rules: FaultRule[] = [], seed?: number) {
    this.set(rules, seed);
  }

  set(rules: FaultRule[], seed?: number): void {
    const valid = validateFaultRules(rules);
    this.#rules = valid.map((rule) => ({ rule, remaining: rule.count }));
    if (seed !== undefined) this.#random = prng(seed);
  }

  clear(): void {
    this.#rules = [];
  }

  rules(): FaultRule[] {
    return this.#rules.map(({ rule, remaining }) =>
      remaining === undefined ? { ...rule } : { ...rule, count: remaining },
    );
  }

  /**
   * Picks the first rule that matches the endpoint (a path, or a Keycloak user path's template) and
   * the method, and whose dice say fire; spends one of its count.
   */
  pick(endpoint: string, method: string): FaultAction {
    for (let i = 0; i < this.#rules.length; i++) {
      const entry = this.#rules[i]!;
      const { rule } = entry;
      if (rule.endpoint !== undefined && rule.endpoint !== "*" && rule.endpoint !== endpoint) continue;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (entry.remaining !== undefined && entry.remaining <= 0) continue;
      if (rule.failureRate !== undefined && this.#random() >= rule.failureRate) continue;
      if (entry.remaining !== undefined && --entry.remaining <= 0) this.#rules.splice(i, 1);
      return {
        latencyMs: rule.latencyMs ?? 0,
        kind: rule.dropConnection
          ? "drop"
          : rule.performThenDrop
            ? "performThenDrop"
            : rule.performThenStatus
              ? "performThenRespond"
              : respondsWithStatus(rule)
                ? "respond"
                : "none",
        status: rule.status ?? 503,
        retryAfterSeconds: rule.retryAfterSeconds,
        body: rule.body,
        contentType: rule.contentType ?? "application/json",
        location: rule.location,
      };
    }
    return { latencyMs: 0, kind: "none", status: 0, contentType: "application/json" };
  }
}
