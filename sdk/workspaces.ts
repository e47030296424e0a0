/**
 * The workspace API (POST /v1/api/workspaces/*), used through WallarooClient's
 * methods. A workspace's absence is concluded only from a well-formed `list`
 * answer, never from a status code (statusErrors.ts maps those), and `create`
 * is never re-sent blindly after an attempt whose outcome is unknown.
 */
import { emailProblem, normalizeEmail } from "./email";
import { BadRequestError, NetworkError, NotFoundError, ServerError, WallarooError } from "./errors";
import type { ApiExchange } from "./exchange";
import { parseBody } from "./parse";
import { backoffDelay, RetryPolicy, sleep } from "./retry";
import type { SettingNames } from "./settingNames";
import { errorForAnswer } from "./statusErrors";
import type { HttpResponse } from "./transport";
import { AmbiguousWorkspaceNameError, WorkspaceNameTakenError, WorkspaceNotFoundError } from "./workspaceErrors";
import { workspaceSchemas } from "./onDemand";
import type { z } from "zod";

import {
  WORKSPACE_PATHS,
  workspaceNameProblem,
  type CreatedWorkspace,
  type WallarooWorkspace,
  type WorkspaceMember,
  type WorkspaceRole,
} from "./workspaceTypes";

export {
  WORKSPACE_PATHS,
  WORKSPACE_NAME_RULE,
  WORKSPACE_NAME_MAX_LENGTH,
  workspaceNameProblem,
} from "./workspaceTypes";
export type { CreatedWorkspace, WallarooWorkspace, WorkspaceMember, WorkspaceRole } from "./workspaceTypes";
type WorkspaceOp = keyof typeof WORKSPACE_PATHS;

const API_ROLE = { owner: "OWNER", collaborator: "COLLABORATOR" } as const;

export interface WorkspaceApiOptions {
  /** The client's authenticated exchange (its transport retries what is safe to retry). */
  api: ApiExchange;
  redact: (text: string) => string;
  retry: RetryPolicy;
  /** What error messages need to know of the client's configuration. */
  answerContext: { staticToken: boolean; names: SettingNames };
  /** The client's (coalesced) user lookup, used to explain a 400. */
  findUserByEmail: (email: string) => Promise<{ id: string } | null>;
}

export class WorkspaceApi {
  readonly #o: WorkspaceApiOptions;
  /** In-flight `list_users` per workspace, shared by concurrent callers. */
  readonly #members = new Map<number, Promise<WorkspaceMember[]>>();

  constructor(options: WorkspaceApiOptions) {
    this.#o = options;
  }

  async list(): Promise<WallarooWorkspace[]> {
    const body = await this.#call("list", {}, workspaceSchemas().ListWorkspacesResponseSchema, "the workspaces");
    return body.workspaces.map((w) => ({
      id: w.id,
      name: w.name,
      createdAt: w.created_at,
      createdBy: w.created_by,
      archived: w.archived,
    }));
  }

  async getByName(name: string): Promise<WallarooWorkspace | null> {
    const matches = (await this.list()).filter((w) => w.name === name);
    if (matches.length <= 1) return matches[0] ?? null;
    const ids = matches.map((w) => w.id).sort((a, b) => a - b);
    throw new AmbiguousWorkspaceNameError(
      `${ids.length} Wallaroo workspaces are named '${name}' (ids ${ids.join(", ")})`,
      {
        endpoint: `POST ${WORKSPACE_PATHS.list}`,
        workspaceName: name,
        workspaceIds: ids,
        hint: "Refer to the workspace by id, or rename or archive the extra ones in Wallaroo so the name is unique",
      },
    );
  }

  /**
   * Creates a workspace. Ids already carrying the name are noted first; after an
   * attempt whose outcome is unknown (dropped connection, timeout, 502, 504), the
   * name is looked up before anything is re-sent, and a new id carrying it is
   * taken as this call's workspace.
   */
  async create(name: string): Promise<CreatedWorkspace> {
    const problem = workspaceNameProblem(name);
    if (problem) {
      throw new BadRequestError(`Invalid workspace name '${name}': it ${problem}`, {
        hint: "Use letters, digits and dashes, start with a letter, at most 63 characters",
      });
    }
    const before = new Set((await this.list()).filter((w) => w.name === name).map((w) => w.id));
    const policy = this.#o.retry;
    const started = Date.now();
    const endpoint = `POST ${WORKSPACE_PATHS.create}`;
    for (let attempt = 1; ; attempt++) {
      let failure: WallarooError;
      try {
        // The transport still retries what was certainly not performed (429, 503, refused connections).
        const res = await this.#o.api.post(
          WORKSPACE_PATHS.create,
          { workspace_name: name },
          { resendIfOutcomeUnknown: false },
        );
        if (res.status >= 200 && res.status < 300) {
          const body = parseBody(
            workspaceSchemas().CreateWorkspaceResponseSchema,
            res.text,
            endpoint,
            res.status,
            this.#o.redact,
          );
          return { id: body.workspace_id };
        }
        failure = this.#errorFor("create", res, `workspace '${name}'`);
        if (res.status === 400) {
          // A re-sent create may meet our own earlier attempt (servers with unique names), or a name taken before.
          const now = await this.list().catch(() => undefined);
          const taken = now?.filter((w) => w.name === name).map((w) => w.id) ?? [];
          const mine = taken.filter((id) => !before.has(id));
          if (attempt > 1 && mine.length === 1) return { id: mine[0]!, recovered: true };
          if (taken.length > 0) {
            throw new WorkspaceNameTakenError(
              `A Wallaroo workspace named '${name}' already exists (id ${taken.join(", ")}) and the server refused another`,
              {
                endpoint,
                status: res.status,
                serverMessage: failure.serverMessage,
                workspaceName: name,
                existingWorkspaceIds: taken,
                hint: "Use the existing workspace (getWorkspaceByName), or choose another name",
              },
            );
          }
          throw failure;
        }
        if (!res.outcomeUnknown) throw failure;
      } catch (e) {
        if (!(e instanceof NetworkError) || !e.outcomeUnknown) throw e;
        failure = e;
      }
      // The attempt may have been performed: look (after a wait, so a slow server can finish) before re-sending.
      await sleep(backoffDelay(policy, attempt));
      let now: WallarooWorkspace[];
      try {
        now = await this.list();
      } catch (e) {
        throw this.#unknownOutcome(failure, name, e);
      }
      const mine = now.filter((w) => w.name === name && !before.has(w.id)).map((w) => w.id);
      if (mine.length === 1) return { id: mine[0]!, recovered: true };
      if (mine.length > 1) {
        throw new AmbiguousWorkspaceNameError(
          `After a lost answer, ${mine.length} new Wallaroo workspaces named '${name}' appeared (ids ${mine.join(", ")}); which one this call created cannot be told`,
          {
            endpoint,
            workspaceName: name,
            workspaceIds: mine,
            hint: "Something else is creating workspaces of that name at the same time; keep one and archive the others",
          },
        );
      }
      if (attempt >= policy.maxAttempts || Date.now() - started >= policy.maxElapsedMs) {
        throw this.#unknownOutcome(failure, name);
      }
    }
  }

  async members(workspaceId: number): Promise<WorkspaceMember[]> {
    checkId(workspaceId);
    let p = this.#members.get(workspaceId);
    if (!p) {
      const fetching = this.#fetchMembers(workspaceId).finally(() => {
        if (this.#members.get(workspaceId) === fetching) this.#members.delete(workspaceId);
      });
      this.#members.set(workspaceId, (p = fetching));
    }
    // Copies: callers sharing one answer must not see each other's changes to it.
    return (await p).map((m) => ({ ...m }));
  }

  /** Makes the user a member with `role`: adds them, or changes their role. */
  async addMember(workspaceId: number, email: string, role: WorkspaceRole): Promise<void> {
    checkId(workspaceId);
    // Checked at run time too: JavaScript callers and programs' inputs are not type-checked.
    if (!isRole(role as unknown))
      throw new BadRequestError(`Workspace role must be "owner" or "collaborator", not ${JSON.stringify(role)}`);
    const e = normalizeEmail(email);
    const problem = emailProblem(e);
    if (problem) throw new BadRequestError(`Cannot add '${email}' to workspace ${workspaceId}: the email ${problem}`);
    try {
      await this.#addUser(workspaceId, e, role);
    } catch (err) {
      if (!(err instanceof BadRequestError) || err.status !== 400) throw err;
      // The server may refuse an existing member (as the SDK does): then the role is changed by remove + add.
      const diagnosed = await this.#diagnose(workspaceId, e, err);
      if (diagnosed.kind !== "user") throw diagnosed.error;
      const current = (await this.#fetchMembers(workspaceId).catch(() => undefined))?.find(
        (m) => m.userId === diagnosed.user.id,
      );
      if (!current) throw err;
      if (current.role === role) return;
      await this.#removeUser(workspaceId, e);
      try {
        await this.#addUser(workspaceId, e, role);
      } catch (again) {
        const w = again as WallarooError;
        throw new ServerError(
          `'${e}' was removed from workspace ${workspaceId} to change their role from ${current.role} to ${role}, and adding them back failed: they are no longer a member`,
          {
            endpoint: w.endpoint,
            status: w.status,
            serverMessage: w.serverMessage,
            cause: again,
            hint: `Run again to add them as ${role}`,
          },
        );
      }
    } finally {
      this.#members.delete(workspaceId);
    }
  }

  /** Removes the user from the workspace; a non-member (or an unknown email) is not an error. */
  async removeMember(workspaceId: number, email: string): Promise<void> {
    checkId(workspaceId);
    const e = normalizeEmail(email);
    try {
      await this.#removeUser(workspaceId, e);
    } catch (err) {
      if (!(err instanceof BadRequestError) || err.status !== 400) throw err;
      const diagnosed = await this.#diagnose(workspaceId, e, err);
      if (diagnosed.kind === "no-user") return;
      if (diagnosed.kind === "error") throw diagnosed.error;
      throw err;
    } finally {
      this.#members.delete(workspaceId);
    }
  }

  // ---- internals ----

  async #fetchMembers(workspaceId: number): Promise<WorkspaceMember[]> {
    try {
      const body = await this.#call(
        "list_users",
        { workspace_id: workspaceId },
        workspaceSchemas().ListWorkspaceUsersResponseSchema,
        `workspace ${workspaceId}`,
      );
      return body.users.map((u) => ({ userId: u.user_id, role: u.user_type }));
    } catch (err) {
      if (!(err instanceof BadRequestError) || err.status !== 400) throw err;
      const diagnosed = await this.#diagnose(workspaceId, undefined, err);
      throw diagnosed.kind === "error" ? diagnosed.error : err;
    }
  }

  async #addUser(workspaceId: number, email: string, role: WorkspaceRole): Promise<void> {
    await this.#call(
      "add_user",
      { workspace_id: workspaceId, email, user_type: API_ROLE[role] },
      workspaceSchemas().AddWorkspaceUserResponseSchema,
      `'${email}' to workspace ${workspaceId}`,
    );
  }

  async #removeUser(workspaceId: number, email: string): Promise<void> {
    await this.#call(
      "remove_user",
      { workspace_id: workspaceId, email },
      workspaceSchemas().RemoveWorkspaceUserResponseSchema,
      `'${email}' from workspace ${workspaceId}`,
    );
  }

  /**
   * Explains a 400 by looking: a workspace missing from a well-formed `list`, then a user
   * missing from a well-formed user listing. When a lookup fails, the server's own error stands.
   */
  async #diagnose(
    workspaceId: number,
    email: string | undefined,
    original: WallarooError,
  ): Promise<
    | { kind: "error"; error: WallarooError }
    | { kind: "no-user"; error: NotFoundError }
    | { kind: "user"; user: { id: string } }
  > {
    let all: WallarooWorkspace[];
    try {
      all = await this.list();
    } catch {
      return { kind: "error", error: original };
    }
    if (!all.some((w) => w.id === workspaceId)) {
      return {
        kind: "error",
        error: new WorkspaceNotFoundError(
          `Wallaroo workspace ${workspaceId} does not exist (it is not among the workspaces this account can see)`,
          {
            endpoint: original.endpoint,
            status: original.status,
            serverMessage: original.serverMessage,
            workspaceId,
            hint: "Check the workspace id; a workspace the account is not a member of may be hidden from it",
          },
        ),
      };
    }
    if (email === undefined) return { kind: "error", error: original };
    let user: { id: string } | null;
    try {
      user = await this.#o.findUserByEmail(email);
    } catch {
      return { kind: "error", error: original };
    }
    if (!user) {
      const error = new NotFoundError(`No Wallaroo user has the email '${email}'`, {
        endpoint: original.endpoint,
        status: original.status,
        serverMessage: original.serverMessage,
        hint: "Invite the user first (a wallaroo.User), then add them to the workspace",
      });
      return { kind: "no-user", error };
    }
    return { kind: "user", user };
  }

  async #call<S extends z.ZodType>(op: WorkspaceOp, body: unknown, schema: S, what: string): Promise<z.output<S>> {
    const res = await this.#o.api.post(WORKSPACE_PATHS[op], body);
    if (res.status >= 200 && res.status < 300)
      return parseBody(
        schema,
        res.text,
        `POST ${WORKSPACE_PATHS[op]}`,
        res.status,
        this.#o.redact,
        this.#o.answerContext.names.url,
      );
    throw this.#errorFor(op, res, what);
  }

  /** Maps a non-2xx answer (statusErrors.ts): a 404, a redirect or an HTML page says the address is not the API. */
  #errorFor(op: WorkspaceOp, res: HttpResponse, what: string): WallarooError {
    return errorForAnswer(res, {
      endpoint: `POST ${WORKSPACE_PATHS[op]}`,
      url: this.#o.api.url(WORKSPACE_PATHS[op]),
      action: `${ACTIONS[op]} ${what}`,
      licenceMayRefuse: false,
      mayAlreadyExist: false,
      staticToken: this.#o.answerContext.staticToken,
      redact: this.#o.redact,
      names: this.#o.answerContext.names,
    });
  }

  #unknownOutcome(failure: WallarooError, name: string, lookupError?: unknown): WallarooError {
    return new ServerError(
      lookupError
        ? `Creating Wallaroo workspace '${name}' may or may not have succeeded: the answer was lost and the lookup that would tell failed; it was not re-sent, to avoid creating it twice`
        : `Creating Wallaroo workspace '${name}' may or may not have succeeded: every answer was lost, and the workspace was not listed afterwards`,
      {
        endpoint: failure.endpoint ?? `POST ${WORKSPACE_PATHS.create}`,
        status: failure.status,
        serverMessage: failure.serverMessage,
        cause: lookupError ?? failure,
        hint: `Check with getWorkspaceByName('${name}') before trying again`,
      },
    );
  }
}

const ACTIONS: Record<WorkspaceOp, string> = {
  list: "list",
  create: "create",
  add_user: "add",
  list_users: "list the members of",
  remove_user: "remove",
};

function isRole(role: unknown): role is WorkspaceRole {
  return role === "owner" || role === "collaborator";
}

function checkId(id: number): void {
  if (!Number.isSafeInteger(id))
    throw new BadRequestError(`A workspace id is an integer, not ${JSON.stringify(id)}`, {
      hint: "Pass the id that listWorkspaces / createWorkspace returned",
    });
}
