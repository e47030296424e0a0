/**
 * How a user is created and changed on each edition (sdk/edition.ts), by id in every case.
 *
 * Community: the MLOps API's invite (which makes an active user, with a password the server
 * generates when none is given), activate and deactivate (which address users by email: the
 * client resolves the id first). Enterprise: Keycloak's admin API in the master realm, where
 * Wallaroo's Enterprise guide puts user management (`/users/invite` is for Community only): one
 * POST that creates the user enabled or disabled as asked, with its names and a password, and
 * PUTs by id (keycloak-admin.md).
 */
import { randomInt } from "node:crypto";
import type { WallarooClient, WallarooUser } from "../sdk/client";
import { stackless } from "./errors";
import type { UserInputs } from "./inputs";

/** What a create made: the user's id, whether it is active now, the generated password (if one was generated). */
export interface MadeUser {
  id: string;
  active: boolean;
  initialPassword?: string;
}

export async function createUser(client: WallarooClient, want: UserInputs, email: string): Promise<MadeUser> {
  if (client.edition === "enterprise") {
    // Keycloak generates no passwords: a strong one is made here, temporary, as the invite's is.
    const password = want.password ?? generatePassword();
    const created = await client.createKeycloakUser({
      email,
      enabled: want.active,
      password,
      temporary: want.password === undefined,
      firstName: want.firstName,
      lastName: want.lastName,
    });
    return { id: created.id, active: want.active, initialPassword: want.password === undefined ? password : undefined };
  }
  const invited = await client.inviteUser({ email, password: want.password });
  // An invite whose answer was lost returns no password (see InvitedUser.recovered).
  const initialPassword = want.password === undefined && invited.password !== "" ? invited.password : undefined;
  return { id: invited.id, active: true, initialPassword };
}

/**
 * (De)activates the user with this id: the user as the server now holds it (Community reads it
 * first), true when done without a read (Enterprise's PUT answers nothing), null when a well-formed
 * answer says there is no such user. Community leaves a user already in the wanted state alone.
 */
export async function setActive(
  client: WallarooClient,
  id: string,
  active: boolean,
): Promise<WallarooUser | true | null> {
  if (client.edition === "enterprise") {
    return (await client.updateKeycloakUser(id, { enabled: active })) === "updated" ? true : null;
  }
  return client.setUserActiveById(id, active);
}

/** Sets the names of the user with this id (Enterprise: `check` refuses names on Community). False when it is gone. */
export async function setNames(
  client: WallarooClient,
  id: string,
  names: { firstName?: string; lastName?: string },
): Promise<boolean> {
  if (client.edition !== "enterprise") {
    throw stackless(
      "Names can be set only on Wallaroo Enterprise (wallaroo:edition enterprise): Community's API has no call that sets them",
    );
  }
  return (await client.updateKeycloakUser(id, names)) === "updated";
}

/** The names `news` asks for (a name left out is not managed) that differ from what `olds` holds. */
export function namesToSet(
  olds: { firstName?: unknown; lastName?: unknown },
  news: { firstName?: unknown; lastName?: unknown },
): { firstName?: string; lastName?: string } {
  const out: { firstName?: string; lastName?: string } = {};
  for (const key of ["firstName", "lastName"] as const) {
    const want = news[key];
    if (typeof want === "string" && want !== (olds[key] ?? "")) out[key] = want;
  }
  return out;
}

const LOWER = "abcdefghijkmnopqrstuvwxyz";
const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS = "23456789";
const SYMBOLS = "!#%+-=?@^_";
const ALL = LOWER + UPPER + DIGITS + SYMBOLS;

/**
 * A password for a new Enterprise user: 24 characters from crypto's randomness (about 150 bits),
 * with at least one of each class so that common Keycloak password policies accept it, and no
 * look-alike characters (an admin may have to read it out).
 */
export function generatePassword(length = 24): string {
  const pick = (set: string) => set[randomInt(set.length)]!;
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < length) chars.push(pick(ALL));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join("");
}
