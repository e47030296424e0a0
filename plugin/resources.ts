/**
 * The native types and the lifecycles that serve them: the dynamic resources' own modules
 * (provider/*Lifecycle.ts), called with the same arguments the dynamic-provider host passes (old
 * outputs as `olds`, checked inputs as `news`). Only what a dynamic resource never needed is here:
 * the inputs of an imported resource, made from what the server holds.
 */
import { normalizeEmail } from "../sdk/email";
import { stackless } from "../provider/errors";
import type { CheckFailure } from "../provider/inputs";
import * as memberLifecycle from "../provider/memberLifecycle";
import { configuredEdition, getClient } from "../provider/runtime";
import * as userLifecycle from "../provider/userLifecycle";
import * as workspaceLifecycle from "../provider/workspaceLifecycle";
import { TOKENS } from "./spec";
import type { Props } from "./wire";

export interface Lifecycle {
  check(olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }>;
  diff(
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }>;
  /** What `diff` finds, without its side effect (the rename protection's record of kept ids). */
  changes(olds: Props, news: Props): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean };
  create(props: Props): Promise<{ id: string; outs: object }>;
  read(id: string, props: Props): Promise<{ id: string; props: Props }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
  remove(id: string, props: Props): Promise<void>;
}

export interface NativeType {
  lifecycle: Lifecycle;
  /**
   * For an import (a Read with only an id): the inputs that make the next `up` a no-change, from the
   * outputs the lifecycle read; may complete the outputs with what a read of an empty state lacks.
   */
  imported(outputs: Props): Promise<{ inputs: Props; outputs: Props }>;
}

function pick(o: Props, keys: readonly string[]): Props {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

export const NATIVE_TYPES: Readonly<Record<string, NativeType>> = {
  [TOKENS.user]: {
    lifecycle: userLifecycle,
    // The names are inputs on Enterprise only (Community's check refuses them).
    imported: async (outputs) => ({
      inputs: pick(outputs, [
        "email",
        "active",
        ...(configuredEdition() === "enterprise" ? ["firstName", "lastName"] : []),
      ]),
      outputs,
    }),
  },
  [TOKENS.workspace]: {
    lifecycle: workspaceLifecycle,
    imported: async (outputs) => ({ inputs: pick(outputs, ["name"]), outputs }),
  },
  [TOKENS.workspaceMember]: {
    lifecycle: memberLifecycle,
    imported: async (outputs) => {
      // The lifecycle's read keeps the email from the state, and an import has none: the server's, by the user's id.
      let email = outputs.email;
      if (typeof email !== "string" || email === "") {
        const userId = String(outputs.userId);
        const user = await getClient()
          .getUser(userId)
          .catch((e: unknown) => {
            throw stackless(
              `Cannot import the membership of user ${userId} in Wallaroo workspace ${String(outputs.workspaceId)}: ` +
                `looking the user up failed: ${e instanceof Error ? e.message : String(e)}`,
            );
          });
        if (!user?.email) {
          throw stackless(
            `Cannot import the membership of user ${userId} in Wallaroo workspace ${String(outputs.workspaceId)}: ` +
              "the server has no user with that id and an email. A wallaroo:index:WorkspaceMember names its member by email",
          );
        }
        email = normalizeEmail(user.email);
      }
      const full = { ...outputs, email };
      return { inputs: pick(full, ["workspaceId", "email", "role"]), outputs: full };
    },
  },
};
