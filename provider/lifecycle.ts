/**
 * The lifecycle of `wallaroo.User`, mapped onto the Wallaroo user API:
 * create → invite (then deactivate when inactive), read → query by id,
 * update → activate / deactivate, delete → deactivate (the API has no delete,
 * and deactivating frees the licence seat).
 *
 * The serialized provider (provider.ts) loads this module by package name in
 * the dynamic-provider host; nothing here is ever serialized.
 */
import { normalizeEmail } from "../sdk/email";
import { isWallarooError, NotFoundError } from "../sdk/errors";
import type { WallarooUser } from "../sdk/schemas";
import { asUserInputs, checkInputs, CheckFailure, isUnknown, sameEmail } from "./inputs";
import { dropUndefined, outputsFrom, UserOutputs } from "./outputs";
import { configure as configureRuntime, ConfigSource, getClient } from "./runtime";

type Props = Record<string, unknown>;

export function configure(config: ConfigSource): void {
  configureRuntime(config);
}

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

  const invited = await client
    .inviteUser({ email, password: want.password })
    .catch(rethrow(`Cannot create Wallaroo user '${email}'`));
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
      // The user exists now: report it created-but-failed so the engine records it and the next up retries the deactivation.
      throw initFailed(
        invited.id,
        fallback,
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
  if (user.enabled !== active) {
    const client = getClient();
    await (active ? client.activateUser(email) : client.deactivateUser(email)).catch(
      rethrow(`Cannot ${active ? "activate" : "deactivate"} adopted Wallaroo user '${email}' (id ${user.id})`),
    );
  }
  return { id: user.id, outs: outputsFrom({ ...user, enabled: active }, { adopted: true, email }) };
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

export async function update(id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  const want = asUserInputs(news);
  const email = normalizeEmail(typeof olds.email === "string" ? olds.email : want.email);
  const client = getClient();
  if ((olds.active !== false) !== want.active) {
    await (want.active ? client.activateUser(email) : client.deactivateUser(email)).catch(
      rethrow(`Cannot ${want.active ? "activate" : "deactivate"} Wallaroo user '${email}' (id ${id})`),
    );
  }
  const { __provider: _ignored, ...outs } = olds;
  return { outs: { ...outs, active: want.active } };
}

/** Delete deactivates; a user already inactive or gone is fine. */
export async function remove(id: string, props: Props): Promise<void> {
  const client = getClient();
  let email = typeof props.email === "string" ? props.email : undefined;
  if (!email) email = (await client.getUser(id))?.email;
  if (!email) return;
  try {
    await client.deactivateUser(email);
  } catch (e) {
    if (e instanceof NotFoundError || (isWallarooError(e) && e.code === "WALLAROO_NOT_FOUND")) return;
    throw actionable(`Cannot deactivate Wallaroo user '${email}' (id ${id})`, e);
  }
}

// ---- errors the engine shows to the user ----

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * An error for the engine: the context and the cause's message, and no stack
 * frames (the host prints `stack`; frames help nobody fix a configuration).
 */
function actionable(context: string, cause: unknown): Error {
  return stackless(`${context}: ${messageOf(cause)}`);
}

/** An error whose `stack` is its message alone. */
function stackless(message: string): Error {
  const err = new Error(message);
  err.stack = `${err.name}: ${err.message}`;
  return err;
}

function rethrow(context: string): (e: unknown) => never {
  return (e: unknown) => {
    throw actionable(context, e);
  };
}

/** The host turns an error with `id` and `properties` into ErrorResourceInitFailed: the engine keeps the resource. */
function initFailed(id: string, properties: UserOutputs, message: string): Error {
  return Object.assign(stackless(message), { id, properties, reasons: [message] });
}
