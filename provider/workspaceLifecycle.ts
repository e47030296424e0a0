/**
 * The lifecycle of `wallaroo.Workspace`, mapped onto the Wallaroo workspace API:
 * create → `create` (or adopt the workspace of that name), read → `list` by id, a name change →
 * replacement (the API cannot rename), delete → nothing on the server (the API can neither
 * delete nor archive a workspace: it leaves the stack and stays on the instance).
 *
 * Reached through the frozen entry lifecycle.ts (`workspace.*`), by package name, in the
 * dynamic-provider host; nothing here is ever serialized. "Gone" is concluded only from a
 * well-formed `list` answer without the id.
 */
import { OWN_CREATION_SKEW_MS } from "../sdk/ownCreation";
import type { WallarooWorkspace } from "../sdk/workspaces";
import { WorkspaceNameTakenError } from "../sdk/workspaceErrors";
import { actionable, rethrow, stackless } from "./errors";
import { CheckFailure, isUnknown } from "./inputs";
import { dropUndefined } from "./outputs";
import { getClient } from "./runtime";
import { CreateAttempts, outcomeUnknown, ownerOf } from "./createAttempts";
import { asWorkspaceInputs, checkWorkspaceInputs, type WorkspaceInputs } from "./workspaceInputs";
import { forgetWorkspaceReads, sharedWorkspaces } from "./workspaceReads";

type Props = Record<string, unknown>;

export interface WorkspaceOutputs {
  workspaceId: number;
  name: string;
  createdAt?: string;
  createdBy?: string;
  archived: boolean;
  adopted: boolean;
}

function outputsFrom(w: WallarooWorkspace, adopted: boolean): WorkspaceOutputs {
  return {
    workspaceId: w.id,
    name: w.name,
    createdAt: w.createdAt,
    createdBy: w.createdBy,
    archived: w.archived,
    adopted,
  };
}

export async function check(_olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  return checkWorkspaceInputs(news);
}

/** A name change replaces (the API cannot rename); `adoptExisting` only steers create. No side effect. */
export function changes(
  olds: Props,
  news: Props,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const replaces = isUnknown(news.name) || olds.name !== news.name ? ["name"] : [];
  return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
}

/** The engine's Diff: {@link changes} (a workspace delete makes no call, so nothing needs protecting). */
export async function diff(
  _id: string,
  olds: Props,
  news: Props,
): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
  return changes(olds, news);
}

/** The creates of this host (createAttempts.ts): a retry takes over the workspace its own earlier attempt made. */
const attempts = new CreateAttempts<{ id: string }>();

export async function create(props: Props): Promise<{ id: string; outs: WorkspaceOutputs }> {
  const want = asWorkspaceInputs(props);
  const label = `Wallaroo workspace '${want.name}'`;
  const begun = attempts.begin(want.name, ownerOf(props));
  if (begun.duplicate) {
    throw stackless(
      `Cannot create ${label}: another wallaroo.Workspace in this program has the same name. Keep one of them. ` +
        "Nothing was sent to the server for this one",
    );
  }
  try {
    const created = await createOnce(want, label, begun.retryOf?.outcomeUnknownSince);
    attempts.succeeded(want.name);
    return created;
  } catch (e) {
    attempts.failed(want.name, { outcomeUnknownSince: outcomeUnknown(e) ? begun.startedAt : undefined });
    throw e;
  }
}

async function createOnce(
  want: WorkspaceInputs,
  label: string,
  earlierUnknownSince: number | undefined,
): Promise<{ id: string; outs: WorkspaceOutputs }> {
  const client = getClient();
  const all = await client.listWorkspaces().catch(rethrow(`Cannot look up ${label} before creating it`));
  const existing = all.filter((w) => w.name === want.name);
  // A retry after an attempt whose answer was lost: the workspace of that name created since it began is its own.
  const own =
    earlierUnknownSince === undefined
      ? []
      : existing.filter((w) => Date.parse(w.createdAt) >= earlierUnknownSince - OWN_CREATION_SKEW_MS);
  if (own.length === 1) return { id: String(own[0]!.id), outs: outputsFrom(own[0]!, false) };
  if (existing.length > 0) {
    const ids = existing
      .map((w) => w.id)
      .sort((a, b) => a - b)
      .join(", ");
    if (!want.adoptExisting) {
      throw stackless(
        `Cannot create ${label}: a workspace of that name already exists (id ${ids}). Set adoptExisting: true on this ` +
          "wallaroo.Workspace to manage it, or choose another name. If an interrupted pulumi up created it without " +
          "recording it, adoptExisting: true is also the recovery (Pulumi's import does not work for dynamic resources)",
      );
    }
    if (existing.length > 1) {
      throw stackless(
        `Cannot adopt ${label}: ${existing.length} workspaces carry that name (ids ${ids}) and adoption does not guess ` +
          "which one is meant. Rename or archive the extra ones in Wallaroo, or choose another name. Nothing was changed",
      );
    }
    // Adoption changes nothing on the server.
    const [only] = existing as [WallarooWorkspace]; // exactly one: none and several were handled above
    return { id: String(only.id), outs: outputsFrom(only, true) };
  }
  forgetWorkspaceReads();
  const created = await client.createWorkspace(want.name).catch((e: unknown) => {
    if (e instanceof WorkspaceNameTakenError) {
      throw stackless(
        `Cannot create ${label}: ${e.message}. Set adoptExisting: true on this wallaroo.Workspace to manage the ` +
          "existing one, or choose another name",
      );
    }
    throw actionable(`Cannot create ${label}`, e);
  });
  // The workspace exists now, so nothing below may fail the create: what `list` adds is filled in by
  // refresh when this best-effort read does not find it.
  const listed = await client
    .listWorkspaces()
    .then((ws) => ws.find((w) => w.id === created.id))
    .catch(() => undefined);
  const outs = listed
    ? outputsFrom(listed, false)
    : dropUndefined<WorkspaceOutputs>({ workspaceId: created.id, name: want.name, archived: false, adopted: false });
  return { id: String(created.id), outs };
}

function idOf(id: string, action: string, name: unknown): number {
  const n = Number(id);
  if (!/^\d+$/.test(id) || !Number.isSafeInteger(n)) {
    throw stackless(
      `Cannot ${action} Wallaroo workspace${typeof name === "string" ? ` '${name}'` : ""}: its resource id '${id}' is not ` +
        "a workspace id (a whole number). The state was edited by hand or written by another provider",
    );
  }
  return n;
}

/** Refresh: a workspace missing from a well-formed `list` leaves the state; `archived` and a new name show as drift. */
export async function read(id: string, props: Props): Promise<{ id: string; props: Props }> {
  const workspaceId = idOf(id, "read", props.name);
  const label = `Wallaroo workspace ${typeof props.name === "string" ? `'${props.name}' ` : ""}(id ${id})`;
  const all = await sharedWorkspaces().catch(rethrow(`Cannot read ${label}`));
  const w = all.find((x) => x.id === workspaceId);
  if (!w) return { id: "", props: {} };
  return { id, props: { ...outputsFrom(w, props.adopted === true) } };
}

/** Only `adoptExisting` can change without a replacement, and it changes nothing on the server. */
export async function update(_id: string, olds: Props, _news: Props): Promise<{ outs: Props }> {
  const { __provider: _ignored, ...outs } = olds;
  return { outs };
}

/**
 * The API has no call that deletes or archives a workspace: the workspace stays on the instance,
 * with its models and pipelines, and leaves the stack. Members this stack manages are removed by
 * their own wallaroo.WorkspaceMember deletes. No call, so destroy always succeeds.
 */
export async function remove(_id: string, _props: Props): Promise<void> {
  return;
}
