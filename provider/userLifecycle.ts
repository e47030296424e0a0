/**
 * The lifecycle of `wallaroo.User`, mapped onto the Wallaroo user API of the configured edition
 * (userWrites.ts): create → invite (then deactivate when inactive) on Community, a Keycloak user
 * on Enterprise; read → query by id; update → (de)activate, names on Enterprise; delete →
 * deactivate (the API has no delete, and deactivating frees the licence seat).
 *
 * The serialized provider (provider.ts) reaches this module through the frozen entry lifecycle.ts,
 * by package name, in the dynamic-provider host; nothing here is ever serialized.
 *
 * Every operation acts on the user the resource names, resolved by its id, and concludes "gone"
 * only from a well-formed answer of the API (see sdk/client.ts).
 */
import { normalizeEmail } from "../sdk/email";
import { AlreadyExistsError } from "../sdk/errors";
import { isOwnCreation } from "../sdk/ownCreation";
import type { WallarooUser } from "../sdk/schemas";
import { OperationClaims } from "./claims";
import { CreateAttempts, FailedAttempt, outcomeUnknown, ownerOf } from "./createAttempts";
import { actionable, initFailed, messageOf, rethrow, stackless } from "./errors";
import { asUserInputs, checkInputs, CheckFailure, isUnknown, PREVIOUS_EMAIL, sameEmail, UserInputs } from "./inputs";
import { dropUndefined, outputsFrom, UserOutputs } from "./outputs";
import { configuredEdition, getClient } from "./runtime";
import { createUser, namesToSet, setActive, setNames } from "./userWrites";

type Props = Record<string, unknown>;

export async function check(olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  return checkInputs(news, olds, configuredEdition());
}

/**
 * How the email of a diff changed: by the program (its inputs, which `check` marks with
 * PREVIOUS_EMAIL), by the server (the outputs hold what the last refresh read), or not at all.
 * A program's change to the address the server already holds is no change.
 */
function emailChange(olds: Props, news: Props): "none" | "program" | "server" {
  if (isUnknown(news.email)) return "program";
  if (sameEmail(olds.email, news.email)) return "none";
  return typeof news[PREVIOUS_EMAIL] === "string" ? "program" : "server";
}

/** Ids the resources of this operation keep: a delete of one of them changes nothing (claims.ts). */
const claims = new OperationClaims();

/**
 * What a diff of the user finds, with no side effect: the program's email change replaces the
 * user, deleting first so a full licence does not block it; an email changed on the server is an
 * update, which refuses (see update); `active` and, on Enterprise, the names change in place;
 * `password` is only the initial password and `adoptExisting` only steers create, so neither
 * touches the server.
 */
export function changes(
  olds: Props,
  news: Props,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const email = emailChange(olds, news);
  const replaces = email === "program" ? ["email"] : [];
  const activeChanged = isUnknown(news.active) || (olds.active !== false) !== (news.active !== false);
  const namesChanged = Object.keys(namesToSet(olds, news)).length > 0;
  return {
    changes: replaces.length > 0 || email === "server" || activeChanged || namesChanged,
    replaces,
    deleteBeforeReplace: replaces.length > 0,
  };
}

/** The engine's Diff: {@link changes}, and a user kept by this operation is protected from its deletes. */
export async function diff(
  id: string,
  olds: Props,
  news: Props,
): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
  const found = changes(olds, news);
  if (found.replaces.length === 0) claims.kept(id);
  return found;
}

/** The creates of this host (createAttempts.ts): a retry takes over what its own earlier attempt made. */
const attempts = new CreateAttempts<{ id: string; initialPassword?: string }>();

export async function create(props: Props): Promise<{ id: string; outs: UserOutputs }> {
  const want = asUserInputs(props);
  const email = normalizeEmail(want.email);
  const begun = attempts.begin(email, ownerOf(props));
  if (begun.duplicate) {
    throw stackless(
      `Cannot create Wallaroo user '${email}': property email: another wallaroo.User in this program manages the same email ` +
        "(emails are compared trimmed and case-insensitively). Keep one of them; the policy pack's wallaroo-duplicate-email rule reports this at preview. " +
        "Nothing was sent to the server for this one",
    );
  }
  try {
    const created = await createOnce(want, email, props, begun.retryOf);
    attempts.succeeded(email);
    claims.claim(created.id);
    return created;
  } catch (e) {
    const made = madeBy(e);
    if (made) claims.claim(made.id);
    attempts.failed(email, { made, outcomeUnknownSince: outcomeUnknown(e) ? begun.startedAt : undefined });
    throw e;
  }
}

/** The user a partial failure reported (ErrorResourceInitFailed: id and properties), for a retry to take over. */
function madeBy(e: unknown): { id: string; initialPassword?: string } | undefined {
  const f = e as { id?: unknown; properties?: { initialPassword?: unknown } };
  if (typeof f.id !== "string" || f.id === "") return undefined;
  const initialPassword = f.properties?.initialPassword;
  return { id: f.id, initialPassword: typeof initialPassword === "string" ? initialPassword : undefined };
}

async function createOnce(
  want: UserInputs,
  email: string,
  props: Props,
  retryOf: FailedAttempt<{ id: string; initialPassword?: string }> | undefined,
): Promise<{ id: string; outs: UserOutputs }> {
  const client = getClient();
  const own = await ownEarlierUser(retryOf, email, client.edition === "enterprise" ? want.active : true);
  if (own) return settle(own.user, want, props, { adopted: false, initialPassword: own.initialPassword });

  if (want.adoptExisting) {
    const existing = await client
      .getUserByEmail(email)
      .catch(rethrow(`Cannot look up Wallaroo user '${email}' for adoption`));
    if (existing) return settle(existing, want, props, { adopted: true });
  }

  const made = await createUser(client, want, email).catch((e: unknown) => {
    if (e instanceof AlreadyExistsError && e.existingUserId) {
      throw Object.assign(
        stackless(
          `Cannot create Wallaroo user '${email}': ${e.message}. Set adoptExisting: true on this wallaroo.User to manage that user, ` +
            "or choose another email. If an interrupted pulumi up created it without recording it, adoptExisting: true is also the recovery " +
            "(Pulumi's import does not work for dynamic resources)",
        ),
        { cause: e },
      );
    }
    throw actionable(`Cannot create Wallaroo user '${email}'`, e);
  });
  // Only a generated password is worth handing over; a given one is already known.
  const initialPassword = made.initialPassword;
  const fallback: UserOutputs = dropUndefined({
    userId: made.id,
    email,
    username: email,
    active: made.active,
    initialPassword,
    adopted: false,
  });
  if (made.active !== want.active) {
    // Community: the invite made the user active. It exists now: report it created-but-failed, so the engine
    // records it and the next up (or an onError retry, which takes it over) finishes the deactivation.
    try {
      await setActive(client, made.id, want.active);
    } catch (e) {
      // The host does not add __provider to these properties, and refresh and destroy load the provider from
      // them: without it the resource would be stranded ("code must be a string").
      throw initFailed(
        made.id,
        { ...fallback, __provider: props.__provider },
        `Wallaroo user '${email}' was ${client.edition === "enterprise" ? "created" : "invited"} (id ${made.id}) but could not be deactivated: ${messageOf(e)}. Run pulumi up again to finish`,
      );
    }
  }
  // One coalesced query fills in what the server assigned (username, timestamps); best effort, refresh fills it later otherwise.
  const user = await client.getUser(made.id).catch(() => null);
  const outs = user
    ? outputsFrom(user, { initialPassword, adopted: false, email })
    : { ...fallback, active: want.active };
  return { id: made.id, outs };
}

/**
 * The user a failed earlier attempt of this resource made: the one its partial failure named, or,
 * when its outcome was unknown, the user with this email created since it began, as it would have
 * made it (`createdEnabled`: Community's invite makes active users). Null when there
 * is none (a well-formed answer says so): the create starts afresh.
 */
async function ownEarlierUser(
  retryOf: FailedAttempt<{ id: string; initialPassword?: string }> | undefined,
  email: string,
  createdEnabled: boolean,
): Promise<{ user: WallarooUser; initialPassword?: string } | null> {
  const client = getClient();
  const context = `Cannot look up the Wallaroo user '${email}' an earlier attempt of this create made`;
  if (retryOf?.made) {
    const user = await client.getUser(retryOf.made.id).catch(rethrow(context));
    return user ? { user, initialPassword: retryOf.made.initialPassword } : null;
  }
  if (retryOf?.outcomeUnknownSince !== undefined) {
    const user = await client.getUserByEmail(email).catch(rethrow(context));
    return user && isOwnCreation(user, retryOf.outcomeUnknownSince, createdEnabled) ? { user } : null;
  }
  return null;
}

/**
 * Takes an existing user over (adopted, or made by an earlier attempt), changing it only where it
 * differs from what is asked: `active`, and on Enterprise the names given.
 */
async function settle(
  user: WallarooUser,
  want: UserInputs,
  props: Props,
  kept: { adopted: boolean; initialPassword?: string },
): Promise<{ id: string; outs: UserOutputs }> {
  const email = normalizeEmail(user.email ?? want.email);
  const label = `${kept.adopted ? "adopted " : ""}Wallaroo user '${email}' (id ${user.id})`;
  let now: WallarooUser | null = user;
  try {
    const names = namesToSet({ firstName: user.firstName, lastName: user.lastName }, want);
    if (Object.keys(names).length > 0) {
      now = (await setNames(getClient(), user.id, names)) ? { ...user, ...names } : null;
    }
    if (now && now.enabled !== want.active) {
      now = (await setActive(getClient(), user.id, want.active)) ? { ...now, enabled: want.active } : null;
    }
  } catch (e) {
    if (kept.adopted) throw actionable(`Cannot ${want.active ? "activate" : "deactivate"} ${label}`, e);
    // Made by an earlier attempt: it exists, so it is recorded (as that attempt's partial failure was).
    const outs = outputsFrom(user, { adopted: false, email, initialPassword: kept.initialPassword });
    throw initFailed(
      user.id,
      { ...outs, __provider: props.__provider },
      `${label} exists, but: ${messageOf(e)}. Run pulumi up again to finish`,
    );
  }
  if (!now) throw stackless(`Cannot take over ${label}: it disappeared meanwhile. Run pulumi up again`);
  return { id: user.id, outs: outputsFrom(now, { email, ...kept }) };
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

/**
 * Changes the user with this id in place: (de)activates it, and on Enterprise sets the names asked
 * for. An email the server changed is refused, touching nothing: the program and the server
 * disagree about the user's address, and only a person can say which is right.
 */
export async function update(id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  const want = asUserInputs(news);
  const label = `Wallaroo user ${typeof olds.email === "string" ? `'${olds.email}' ` : ""}(id ${id})`;
  if (emailChange(olds, news) === "server") {
    const server = String(olds.email);
    const program = normalizeEmail(want.email);
    throw stackless(
      `Cannot update ${label}: its email was changed outside Pulumi. The server holds '${server}' for this user; the ` +
        `program asks for '${program}', as it did before. Nothing was changed. Either put '${server}' in the program ` +
        `(then nothing changes), or change the address back to '${program}' on the server and run pulumi refresh`,
    );
  }
  const { __provider: _ignored, ...outs } = olds;
  let now: Props = { ...outs };
  const kept = {
    initialPassword: typeof olds.initialPassword === "string" ? olds.initialPassword : undefined,
    adopted: olds.adopted === true,
    email: typeof olds.email === "string" ? olds.email : want.email,
  };
  const names = namesToSet(olds, news);
  if (Object.keys(names).length > 0) {
    const found = await setNames(getClient(), id, names).catch(rethrow(`Cannot set the names of ${label}`));
    if (!found) throw gone(label, "set the names of");
    now = { ...now, ...names };
  }
  if ((olds.active !== false) === want.active) {
    const done = { ...now, active: want.active };
    return { outs: Object.keys(names).length > 0 ? await readBack(id, done, kept) : done };
  }
  const verb = want.active ? "activate" : "deactivate";
  const user = await setActive(getClient(), id, want.active).catch(rethrow(`Cannot ${verb} ${label}`));
  if (!user) throw gone(label, verb);
  if (user === true) return { outs: await readBack(id, { ...now, active: want.active }, kept) };
  return { outs: { ...outputsFrom({ ...user, ...names }, kept) } };
}

/**
 * The outputs after an Enterprise PUT, which answers nothing: the user as one coalesced query now
 * reads it (so an email or name changed on the server shows, as Community's read before acting
 * shows it), else what the PUT set. Best effort, as create's read: the change is made either way.
 */
async function readBack(id: string, done: Props, kept: Parameters<typeof outputsFrom>[1]): Promise<Props> {
  const user = await getClient()
    .getUser(id)
    .catch(() => null);
  return user ? { ...outputsFrom(user, kept) } : done;
}

function gone(label: string, verb: string): Error {
  return stackless(
    `Cannot ${verb} ${label}: the server has no user with that id any more (it was removed outside Pulumi). ` +
      "Run pulumi refresh to drop it from the state, then pulumi up to create it again",
  );
}

/**
 * Delete deactivates the user with this id (the API has no delete). A user already inactive, or
 * that a well-formed answer says is gone, needs nothing. A user that another resource of this
 * operation keeps (a rename without an alias: claims.ts) is left as it is.
 */
export async function remove(id: string, props: Props): Promise<void> {
  if (claims.holds(id)) return;
  const label = `Wallaroo user ${typeof props.email === "string" ? `'${props.email}' ` : ""}(id ${id})`;
  await setActive(getClient(), id, false).catch(rethrow(`Cannot deactivate ${label}; the state keeps it`));
}
