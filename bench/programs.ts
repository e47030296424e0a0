/**
 * The Pulumi programs the benchmark plays: N users (every tenth inactive), then an edit that
 * deactivates the first half; as dynamic resources (`wallaroo.User` of pulumi-wallaroo) or as the
 * native plugin's `wallaroo:index:User`, declared as a generated SDK declares it.
 */
import { nativeSdk } from "../test/support/nativeSdk";

/** Which resources a program declares: pulumi-wallaroo's dynamic ones, or the native plugin's. */
export type ProgramStyle = "dynamic" | "native";

export const EMAIL_DOMAIN = "bench.example.com";

export function emailOf(i: number, domain = EMAIL_DOMAIN): string {
  return `u${i}@${domain}`;
}

/** Whether user i is active in the first program: 10% are not. */
export function activeAtUp(i: number): boolean {
  return i % 10 !== 0;
}

/** Whether user i is active after the edit: the first half is deactivated. */
export function activeAfterEdit(i: number, users: number): boolean {
  return activeAtUp(i) && i >= Math.floor(users / 2);
}

function program(users: number, active: (i: number) => boolean, domain: string, style: ProgramStyle): string {
  const lines =
    style === "dynamic"
      ? [`import * as wallaroo from "pulumi-wallaroo";`, ""]
      : [`import * as pulumi from "@pulumi/pulumi";`, nativeSdk()];
  for (let i = 0; i < users; i++) {
    lines.push(`new wallaroo.User("u${i}", { email: ${JSON.stringify(emailOf(i, domain))}, active: ${active(i)} });`);
  }
  return lines.join("\n") + "\n";
}

/** `new wallaroo.User("u<i>", { email: "u<i>@bench.example.com", active: i % 10 !== 0 })` for every i. */
export function upProgram(users: number, domain = EMAIL_DOMAIN, style: ProgramStyle = "dynamic"): string {
  return program(users, activeAtUp, domain, style);
}

export function editProgram(users: number, domain = EMAIL_DOMAIN, style: ProgramStyle = "dynamic"): string {
  return program(users, (i) => activeAfterEdit(i, users), domain, style);
}

/** What each phase must send, by endpoint: the API-efficiency targets. */
export interface ExpectedCalls {
  invite: number;
  deactivate: number;
  activate: number;
  /** Keycloak's admin API (Enterprise): user creations, one POST each. */
  "kc:POST users": number;
  /** Keycloak's admin API (Enterprise): changes of a user by id (`enabled`), one PUT each. */
  "kc:PUT users/{id}": number;
}

export function expectedCalls(
  users: number,
  edition: "community" | "enterprise" = "community",
): Record<"up" | "update" | "destroy", ExpectedCalls> {
  let inactiveAtUp = 0;
  let deactivatedByEdit = 0;
  let activeAtDestroy = 0;
  for (let i = 0; i < users; i++) {
    if (!activeAtUp(i)) inactiveAtUp++;
    if (activeAtUp(i) && !activeAfterEdit(i, users)) deactivatedByEdit++;
    if (activeAfterEdit(i, users)) activeAtDestroy++;
  }
  const none = { invite: 0, deactivate: 0, activate: 0, "kc:POST users": 0, "kc:PUT users/{id}": 0 };
  if (edition === "enterprise") {
    return {
      // One POST per user, created enabled or not as asked: no deactivate after it.
      up: { ...none, "kc:POST users": users },
      update: { ...none, "kc:PUT users/{id}": deactivatedByEdit },
      // Delete disables by id with one PUT, with no lookup first (an already disabled user too).
      destroy: { ...none, "kc:PUT users/{id}": users },
    };
  }
  return {
    up: { ...none, invite: users, deactivate: inactiveAtUp },
    update: { ...none, deactivate: deactivatedByEdit },
    // Delete resolves each user by id first (coalesced /users/query), so it deactivates only the users the
    // server holds as active, by the email the server holds for that id now.
    destroy: { ...none, deactivate: activeAtDestroy },
  };
}
