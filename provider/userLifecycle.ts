/**
 * The lifecycle of `wallaroo.User`, mapped onto the Wallaroo user API:
 * create → invite (then deactivate when inactive), read → query by id,
 * update → activate / deactivate, delete → deactivate (the API has no delete,
 * and deactivating frees the licence seat).
 *
 * The serialized provider (provider.ts) reaches this module through the frozen
 * entry lifecycle.ts, by package name, in the dynamic-provider host; nothing here
 * is ever serialized.
 *
 * Every operation acts on the user the resource names, resolved by its id, and
 * concludes "gone" only from a well-formed answer of the API (see sdk/client.ts).
 */
import { normalizeEmail } from "../sdk/email";
import { AlreadyExistsError } from "../sdk/errors";
import type { WallarooUser } from "../sdk/schemas";
import { asUserInputs, checkInputs, CheckFailure, isUnknown, sameEmail } from "./inputs";
import { dropUndefined, outputsFrom, UserOutputs } from "./outputs";
import { actionable, initFailed, messageOf, rethrow, stackless } from "./errors";
import { getClient } from "./runtime";

type Props = Record<string, unknown>;

export async function check(_olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  return checkInputs(news);
}

/**
 * An email change replaces the user, deleting first so a full licence does not
 * block it; an `active` change is an update; `password` is only the initial
 * password and `adoptExisting` only steers create, so neither touches the server.
 */
export async function diff(
  _id: string,
  olds: Props,
  news: Props,
): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
  const replaces = isUnknown(news.email) || !sameEmail(olds.email, news.email) ? ["email"] : [];
  const activeChanged = isUnknown(news.active) || (olds.active !== false) !== (news.active !== false);
  return { changes: replaces.length > 0 || activeChanged, replaces, deleteBeforeReplace: replaces.length > 0 };
}

/**
 * Emails this host process has begun to create. The engine runs one host per
 * operation and calls create once per resource, so a second create of an email
 * means two resources of one program manage the same user: refused before any
 * call, instead of an "already exists" whose advice (adoptExisting) would make
 * two resources own one user.
 */
const emailsCreating = new Set<string>();

/**
 * Ids of the users this host process has created or adopted. A resource renamed without an
 * alias is, to the engine, a create of the new name (which adopts the user) and, later in the
 * same operation and host, a delete of the old name: that delete must not deactivate the user
 * the new resource now manages.
 */
const idsClaimed = new Set<string>();

export async function create(props: Props): Promise<{ id: string; outs: UserOutputs }> {
  const want = asUserInputs(props);
  const email = normalizeEmail(want.email);
  if (emailsCreating.has(email)) {
    throw stackless(
      `Cannot create Wallaroo user '${email}': property email: another wallaroo.User in this program manages the same email ` +
        "(emails are compared trimmed and case-insensitively). Keep one of them; the policy pack's wallaroo-duplicate-email rule reports this at preview. " +
        "Nothing was sent to the server for this one",
    );
  }
  emailsCreating.add(email);
  const client = getClient();

  if (want.adoptExisting) {
    const existing = await client
      .getUserByEmail(email)
      .catch(rethrow(`Cannot look up Wallaroo user '${email}' for adoption`));
    if (existing) return adopt(existing, want.active);
  }

  const invited = await client.inviteUser({ email, password: want.password }).catch((e: unknown) => {
    if (e instanceof AlreadyExistsError && e.existingUserId) {
      throw stackless(
        `Cannot create Wallaroo user '${email}': ${e.message}. Set adoptExisting: true on this wallaroo.User to manage that user, ` +
          "or choose another email. If an interrupted pulumi up invited it without recording it, adoptExisting: true is also the recovery " +
          "(Pulumi's import does not work for dynamic resources)",
      );
    }
    throw actionable(`Cannot create Wallaroo user '${email}'`, e);
  });
  idsClaimed.add(invited.id);
  // Only a server-generated password is worth handing over; a given one is already known.
  const initialPassword = want.password === undefined && invited.password !== "" ? invited.password : undefined;
  const fallback: UserOutputs = dropUndefined({
    userId: invited.id,
    email,
    username: email,
    active: true,
    initialPassword,
    adopted: false,
  });

  if (!want.active) {
    try {
      await client.deactivateUser(email);
    } catch (e) {
      // The user exists now: report it created-but-failed so the engine records it and the next up retries the
      // deactivation. The host does not add __provider to these properties, and refresh and destroy load the
      // provider from them: without it the resource would be stranded ("code must be a string").
      throw initFailed(
        invited.id,
        { ...fallback, __provider: props.__provider },
        `Wallaroo user '${email}' was invited (id ${invited.id}) but could not be deactivated: ${messageOf(e)}. Run pulumi up again to finish`,
      );
    }
  }
  // One coalesced query fills in what the server assigned (username, timestamps); best effort, refresh fills it later otherwise.
  const user = await client.getUser(invited.id).catch(() => null);
  const outs = user
    ? outputsFrom(user, { initialPassword, adopted: false, email })
    : { ...fallback, active: want.active };
  return { id: invited.id, outs };
}

/** Takes over an existing user, changing it only when its `active` differs. */
async function adopt(user: WallarooUser, active: boolean): Promise<{ id: string; outs: UserOutputs }> {
  const email = normalizeEmail(user.email ?? "");
  idsClaimed.add(user.id);
  if (user.enabled === active) return { id: user.id, outs: outputsFrom(user, { adopted: true, email }) };
  const now = await getClient()
    .setUserActiveById(user.id, active)
    .catch(rethrow(`Cannot ${active ? "activate" : "deactivate"} adopted Wallaroo user '${email}' (id ${user.id})`));
  if (!now)
    throw stackless(
      `Cannot adopt Wallaroo user '${email}' (id ${user.id}): it disappeared while being adopted. Run pulumi up again`,
    );
  return { id: user.id, outs: outputsFrom(now, { adopted: true, email }) };
}

/** Refresh: a user that no longer exists leaves the state; out-of-band changes show up as drift. */
export async function read(id: string, props: Props): Promise<{ id: string; props: Props }> {
  const user = await getClient()
    .getUser(id)
    .catch(
      rethrow(`Cannot read Wallaroo user ${typeof props.email === "string" ? `'${props.email}' ` : ""}(id ${id})`),
    );
  if (!user) return { id: "", props: {} };
  const kept = {
    initialPassword: typeof props.initialPassword === "string" ? props.initialPassword : undefined,
    adopted: props.adopted === true,
    email: typeof props.email === "string" ? props.email : "",
  };
  return { id, props: { ...outputsFrom(user, kept) } };
}

/** Activates or deactivates in place, acting on the user with this id by the email the server holds for it now. */
export async function update(id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  const want = asUserInputs(news);
  const label = `Wallaroo user ${typeof olds.email === "string" ? `'${olds.email}' ` : ""}(id ${id})`;
  const verb = want.active ? "activate" : "deactivate";
  const { __provider: _ignored, ...outs } = olds;
  if ((olds.active !== false) === want.active) return { outs: { ...outs, active: want.active } };
  const user = await getClient()
    .setUserActiveById(id, want.active)
    .catch(rethrow(`Cannot ${verb} ${label}`));
  if (!user) {
    throw stackless(
      `Cannot ${verb} ${label}: the server has no user with that id any more (it was removed outside Pulumi). ` +
        "Run pulumi refresh to drop it from the state, then pulumi up to invite it again",
    );
  }
  const kept = {
    initialPassword: typeof olds.initialPassword === "string" ? olds.initialPassword : undefined,
    adopted: olds.adopted === true,
    email: typeof olds.email === "string" ? olds.email : want.email,
  };
  return { outs: { ...outputsFrom(user, kept) } };
}

/**
 * Delete deactivates the user with this id (the API has no delete). A user already inactive, or
 * that a well-formed answer says is gone, needs nothing. A user that another resource of this
 * operation has just created or adopted (a rename without an alias) is left as it is.
 */
export async function remove(id: string, props: Props): Promise<void> {
  if (idsClaimed.has(id)) return;
  const label = `Wallaroo user ${typeof props.email === "string" ? `'${props.email}' ` : ""}(id ${id})`;
  await getClient()
    .setUserActiveById(id, false)
    .catch(rethrow(`Cannot deactivate ${label}; the state keeps it`));
}
