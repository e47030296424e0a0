/**
 * The lifecycle of `wallaroo.WorkspaceMember`, mapped onto the Wallaroo workspace API:
 * create → `add_user` with the role (or take over an existing membership), read → `list_users`,
 * update of the role → `add_user` (the client changes a member's role however the server
 * behaves), delete → `remove_user`. A change of workspace or email replaces.
 *
 * The resource id is `<workspaceId>/<userId>`: every operation acts on the membership of that
 * user, resolved by id (the API addresses users by email, and an email can change hands). "Gone"
 * is concluded only from a well-formed answer: a `list_users` without the user, a `list`
 * without the workspace, a user listing without the user.
 *
 * Reached through the frozen entry lifecycle.ts (`workspaceMember.*`), by package name.
 */
import { normalizeEmail } from "../sdk/email";
import { WorkspaceNotFoundError } from "../sdk/workspaceErrors";
import type { WorkspaceMember, WorkspaceRole } from "../sdk/workspaces";
import { actionable, initFailed, messageOf, rethrow, stackless } from "./errors";
import { CheckFailure, isUnknown, sameEmail } from "./inputs";
import { OperationClaims } from "./claims";
import { CreateAttempts, outcomeUnknown, ownerOf } from "./createAttempts";
import { asMemberInputs, checkMemberInputs, type MemberInputs } from "./memberInputs";
import { getClient } from "./runtime";
import { forgetWorkspaceReads, membersNow, sharedMembers } from "./workspaceReads";

type Props = Record<string, unknown>;

export interface MemberOutputs {
  workspaceId: number;
  email: string;
  userId: string;
  role: WorkspaceRole;
  adopted: boolean;
}

export async function check(_olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  return checkMemberInputs(news);
}

/** Another workspace or another email is another membership: a replacement. The role changes in place. */
export function changes(
  olds: Props,
  news: Props,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const replaces: string[] = [];
  if (isUnknown(news.workspaceId) || olds.workspaceId !== news.workspaceId) replaces.push("workspaceId");
  if (isUnknown(news.email) || !sameEmail(olds.email, news.email)) replaces.push("email");
  const roleChanged = isUnknown(news.role) || (olds.role ?? "collaborator") !== (news.role ?? "collaborator");
  return { changes: replaces.length > 0 || roleChanged, replaces, deleteBeforeReplace: false };
}

/** The engine's Diff: {@link changes}, and a membership kept by this operation is protected from its deletes. */
export async function diff(
  id: string,
  olds: Props,
  news: Props,
): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
  const found = changes(olds, news);
  if (found.replaces.length === 0) claims.kept(id);
  return found;
}

/** `<workspaceId>/<userId>` → its parts; anything else was not written by this provider. */
function parseId(id: string, action: string): { workspaceId: number; userId: string } {
  const m = /^(\d+)\/(.+)$/.exec(id);
  const workspaceId = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(workspaceId)) {
    throw stackless(
      `Cannot ${action} Wallaroo workspace membership '${id}': the id is not '<workspaceId>/<userId>'. ` +
        "The state was edited by hand or written by another provider",
    );
  }
  return { workspaceId, userId: m[2]! }; // the pattern's second group always matches
}

function labelOf(workspaceId: unknown, email: unknown, userId?: string): string {
  const who = typeof email === "string" ? `'${email}'` : `user ${userId}`;
  return `the membership of ${who}${typeof email === "string" && userId ? ` (id ${userId})` : ""} in Wallaroo workspace ${String(workspaceId)}`;
}

/**
 * The creates of this host (createAttempts.ts), by `<workspaceId>/<email>`: a second create of one
 * membership by another resource is refused before any call; an onError retry is let through.
 */
const attempts = new CreateAttempts<{ id: string }>();

/**
 * How old a user listing may be to give a new member's id. The API can only list every user, and a
 * workspace up creates its members a few dozen at a time: fresh listings made 32 of them for
 * 20 × 50 members, most of the host's own CPU (docs/benchmarks.md). An email found in a listing of
 * the last 10 s answers; one it lacks is always asked again. Wallaroo cannot delete a user, so an
 * email keeps its id unless someone removes the user in Keycloak and gives its email to another within
 * those seconds; the add is by email and is then checked by id, which reports such a change.
 */
const MEMBER_LOOKUP_MAX_AGE_MS = 10_000;

/** Memberships (resource ids) the resources of this operation keep: a delete of one changes nothing (claims.ts). */
const claims = new OperationClaims();

export async function create(props: Props): Promise<{ id: string; outs: MemberOutputs }> {
  const want = asMemberInputs(props);
  const email = normalizeEmail(want.email);
  const ws = want.workspaceId;
  const label = labelOf(ws, email);
  const key = `${ws}/${email}`;
  const begun = attempts.begin(key, ownerOf(props));
  if (begun.duplicate) {
    throw stackless(
      `Cannot create ${label}: another wallaroo.WorkspaceMember in this program manages the same membership ` +
        "(emails are compared trimmed and case-insensitively). Keep one of them; the policy pack's " +
        "wallaroo-duplicate-membership rule reports this at preview. Nothing was sent to the server for this one",
    );
  }
  try {
    const earlier = begun.retryOf;
    const created = await createOnce(props, want, email, label, !!earlier?.made || !!earlier?.outcomeUnknownSince);
    attempts.succeeded(key);
    claims.claim(created.id);
    return created;
  } catch (e) {
    const id = (e as { id?: unknown }).id;
    const made = typeof id === "string" && id !== "" ? { id } : undefined;
    if (made) claims.claim(made.id);
    attempts.failed(key, { made, outcomeUnknownSince: outcomeUnknown(e) ? begun.startedAt : undefined });
    throw e;
  }
}

/** One attempt; `retryAfterAdd`: an earlier attempt added (or may have added) the user, so finding them a member is no adoption. */
async function createOnce(
  props: Props,
  want: MemberInputs,
  email: string,
  label: string,
  retryAfterAdd: boolean,
): Promise<{ id: string; outs: MemberOutputs }> {
  const ws = want.workspaceId;
  const client = getClient();

  const user = await client
    .getUserByEmail(email, { maxAgeMs: MEMBER_LOOKUP_MAX_AGE_MS })
    .catch(rethrow(`Cannot look up Wallaroo user '${email}' for ${label}`));
  if (!user) {
    throw stackless(
      `Cannot create ${label}: no Wallaroo user has that email. Create the user first: pass a wallaroo.User's email ` +
        "(email: user.email) so that the membership waits for it. Nothing was changed",
    );
  }
  const id = `${ws}/${user.id}`;
  const before = await membersNow(ws).catch(
    rethrow(`Cannot list the members of Wallaroo workspace ${ws} to add '${email}'`),
  );
  const current = before.find((m) => m.userId === user.id);
  const outs: MemberOutputs = {
    workspaceId: ws,
    email,
    userId: user.id,
    role: want.role,
    adopted: current !== undefined && !retryAfterAdd,
  };
  // Already a member with this role: taken over with no change.
  if (current?.role === want.role) return { id, outs };

  forgetWorkspaceReads();
  await client.addWorkspaceMember(ws, email, want.role).catch((e: unknown) => {
    // The client's errors say what failed (workspace not found, user not found, refused); a failed
    // add changed nothing that the state needs to know about, so nothing is recorded.
    throw actionable(`Cannot ${current ? `change the role to ${want.role} of` : `add as ${want.role}`} ${label}`, e);
  });
  const problem = await verify(ws, user.id, want.role);
  if (problem) {
    // The add was made: record the resource so the next up (or destroy) deals with what is there.
    throw initFailed(
      id,
      { ...outs, role: problem.role ?? want.role, __provider: props.__provider },
      `${cap(label)}: ${email} was added as ${want.role}, but ${problem.message}. Run pulumi refresh, then pulumi up`,
    );
  }
  return { id, outs };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Reads the membership back after a change; a problem when the server does not show the role asked for. */
async function verify(
  workspaceId: number,
  userId: string,
  role: WorkspaceRole,
): Promise<{ message: string; role?: WorkspaceRole } | undefined> {
  let members: WorkspaceMember[];
  try {
    members = await membersNow(workspaceId);
  } catch (e) {
    return { message: `reading the members back failed: ${messageOf(e)}` };
  }
  const now = members.find((m) => m.userId === userId);
  if (!now) return { message: "the workspace does not list them as a member afterwards" };
  if (now.role !== role) return { message: `the workspace lists them as ${now.role} afterwards`, role: now.role };
  return undefined;
}

/** Refresh: a user no longer a member (or a workspace gone) leaves the state; a changed role or address shows as drift. */
export async function read(id: string, props: Props): Promise<{ id: string; props: Props }> {
  const { workspaceId, userId } = parseId(id, "read");
  const label = labelOf(workspaceId, props.email, userId);
  let members: WorkspaceMember[];
  try {
    members = await sharedMembers(workspaceId);
  } catch (e) {
    // Concluded by the client from a well-formed `list` without the workspace: the membership went with it.
    if (e instanceof WorkspaceNotFoundError) return { id: "", props: {} };
    throw actionable(`Cannot read ${label}`, e);
  }
  const m = members.find((x) => x.userId === userId);
  if (!m) return { id: "", props: {} };
  // The address the server holds for the member now (one coalesced query for a refresh's members): an
  // email an admin corrected is the member's email too, so a program that follows it is no change.
  const user = await getClient()
    .getUser(userId)
    .catch(rethrow(`Cannot read ${label}`));
  const outs: MemberOutputs = {
    workspaceId,
    email: user?.email ? normalizeEmail(user.email) : typeof props.email === "string" ? props.email : "",
    userId,
    role: m.role,
    adopted: props.adopted === true,
  };
  return { id, props: { ...outs } };
}

/** The email the server holds now for the user with this id; null when a well-formed answer says there is no such user. */
async function currentEmail(userId: string, context: string): Promise<string | null> {
  const user = await getClient()
    .getUser(userId)
    .catch(rethrow(`Cannot look up the user of ${context}`));
  if (!user) return null;
  if (!user.email) throw stackless(`Cannot act on ${context}: the user (id ${userId}) has no email any more`);
  return user.email;
}

/** Changes the role in place, acting on the user with this id by the email the server holds for it now. */
export async function update(id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  const { workspaceId, userId } = parseId(id, "update");
  const want = asMemberInputs(news);
  const label = labelOf(workspaceId, olds.email, userId);
  const email = await currentEmail(userId, label);
  if (email === null) {
    throw stackless(
      `Cannot change the role of ${label}: the server has no user with that id any more (it was removed outside ` +
        "Pulumi). Run pulumi refresh to drop it from the state",
    );
  }
  forgetWorkspaceReads();
  await getClient()
    .addWorkspaceMember(workspaceId, email, want.role)
    .catch(rethrow(`Cannot change the role of ${label} to ${want.role}`));
  const problem = await verify(workspaceId, userId, want.role);
  if (problem)
    throw stackless(`Changed the role of ${label} to ${want.role}, but ${problem.message}. Run pulumi refresh`);
  const outs: MemberOutputs = {
    workspaceId,
    email: typeof olds.email === "string" ? olds.email : normalizeEmail(email),
    userId,
    role: want.role,
    adopted: olds.adopted === true,
  };
  return { outs: { ...outs } };
}

/**
 * Removes the user with this id from the workspace. A user or workspace that a well-formed answer
 * says is gone needs nothing; a membership another resource of this operation has just created or
 * taken over (a rename without an alias) is left as it is.
 */
export async function remove(id: string, props: Props): Promise<void> {
  if (claims.holds(id)) return;
  const { workspaceId, userId } = parseId(id, "delete");
  const label = labelOf(workspaceId, props.email, userId);
  const email = await currentEmail(userId, `${label}; the state keeps it`);
  if (email === null) return;
  forgetWorkspaceReads();
  await getClient()
    .removeWorkspaceMember(workspaceId, email)
    .catch((e: unknown) => {
      if (e instanceof WorkspaceNotFoundError) return;
      throw actionable(`Cannot remove ${label}; the state keeps it`, e);
    });
}
