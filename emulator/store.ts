/**
 * Users and the licence, in memory. Indexed by id, lower-cased email and
 * lower-cased username (Maps), with the active count kept incrementally, so
 * 10,000 users cost nothing per request.
 */
import { randomUUID } from "node:crypto";
import type { Licence, StoredUser } from "./types";

/** A user as stored: the Keycloak representation plus the salted password hash. */
export interface UserRecord {
  user: StoredUser;
  passwordHash?: string;
}

export type StoreErrorKind = "exists" | "not_found" | "licence" | "invalid";

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const ADMIN_USERNAME = "admin";
const COMMUNITY_LIMIT = 5;

/** Accepts `unknown`: the control endpoint and the CLI hand it unchecked input. */
export function licenceFor(edition: unknown, maxActiveUsers?: number): Licence {
  if (maxActiveUsers !== undefined && (!Number.isInteger(maxActiveUsers) || maxActiveUsers < 0)) {
    throw new TypeError(`maxActiveUsers must be a non-negative integer, got ${maxActiveUsers}`);
  }
  if (edition !== "community" && edition !== "enterprise")
    throw new TypeError(`edition must be "community" or "enterprise", got ${String(edition)}`);
  return { edition, maxActiveUsers: maxActiveUsers ?? (edition === "community" ? COMMUNITY_LIMIT : null) };
}

export interface CreateUser {
  email?: string;
  username?: string;
  enabled: boolean;
  passwordHash?: string;
  /** A generated password the user must change: Keycloak marks it UPDATE_PASSWORD. */
  temporaryPassword?: boolean;
  firstName?: string;
  lastName?: string;
}

/** Keycloak's UserRepresentation, fields in the order the reference shows them. */
function representation(c: CreateUser, id: string, username: string): StoredUser {
  return {
    access: { manageGroupMembership: true, view: true, mapRoles: true, impersonate: false, manage: true },
    createdTimestamp: Date.now(),
    disableableCredentialTypes: [],
    ...(c.email !== undefined && { email: c.email.toLowerCase() }),
    emailVerified: false,
    enabled: c.enabled,
    ...(c.firstName !== undefined && { firstName: c.firstName }),
    id,
    ...(c.lastName !== undefined && { lastName: c.lastName }),
    notBefore: 0,
    requiredActions: c.temporaryPassword ? ["UPDATE_PASSWORD"] : [],
    username,
  };
}

export function copyUser(u: StoredUser): StoredUser {
  return {
    ...u,
    access: { ...u.access },
    requiredActions: [...u.requiredActions],
    disableableCredentialTypes: [...u.disableableCredentialTypes],
  };
}

export class UserStore {
  readonly #byId = new Map<string, UserRecord>();
  readonly #byEmail = new Map<string, UserRecord>();
  readonly #byUsername = new Map<string, UserRecord>();
  #active = 0;
  #licence: Licence;
  #adminId = "";

  /** `records` come from the data file (already validated); without them this is a fresh instance. */
  constructor(licence: Licence, records: UserRecord[] = []) {
    this.#licence = licence;
    for (const r of records) this.#index(r);
    const admin = this.#byUsername.get(ADMIN_USERNAME);
    if (admin && admin.user.email === undefined) this.#adminId = admin.user.id;
    else this.#adminId = this.create({ username: ADMIN_USERNAME, enabled: true }, false).id;
    this.#active = [...this.#byId.values()].filter((r) => this.#counts(r)).length;
  }

  get adminId(): string {
    return this.#adminId;
  }

  get size(): number {
    return this.#byId.size;
  }

  licence(): Licence {
    return { ...this.#licence };
  }

  setLicence(l: Licence): void {
    this.#licence = { ...l };
  }

  /** Enabled users that hold a seat. */
  activeCount(): number {
    return this.#active;
  }

  /** Records in creation order (admin first on a fresh instance). Live objects: do not mutate. */
  records(): IterableIterator<UserRecord> {
    return this.#byId.values();
  }

  byId(id: string): UserRecord | undefined {
    return this.#byId.get(id);
  }

  byEmail(email: string): UserRecord | undefined {
    return this.#byEmail.get(email.toLowerCase());
  }

  /** Keycloak accepts the username or the email at login, case-insensitively. */
  forLogin(name: string): UserRecord | undefined {
    const n = name.toLowerCase();
    return this.#byUsername.get(n) ?? this.#byEmail.get(n);
  }

  /** Synchronous check-and-insert, so concurrent invites cannot both pass the checks. */
  create(c: CreateUser, enforceLicence = true): StoredUser {
    const email = c.email?.toLowerCase();
    const username = (c.username ?? email)?.toLowerCase();
    if (!username) throw new StoreError("invalid", "A user needs an email or a username");
    if (email !== undefined && this.#byEmail.has(email))
      throw new StoreError("exists", `User exists with same email: ${email}`);
    if (this.#byUsername.has(username)) throw new StoreError("exists", `User exists with same username: ${username}`);
    if (c.enabled && enforceLicence) this.#checkSeat();
    const rec: UserRecord = {
      user: representation({ ...c, email }, randomUUID(), username),
      passwordHash: c.passwordHash,
    };
    this.#index(rec);
    if (this.#counts(rec)) this.#active++;
    return rec.user;
  }

  /** Returns whether anything changed (activating an active user is a no-op, as the API's `{}` answer allows). */
  setEnabled(email: string, enabled: boolean): boolean {
    const rec = this.byEmail(email);
    if (!rec) throw new StoreError("not_found", `User not found: ${email.toLowerCase()}`);
    if (rec.user.enabled === enabled) return false;
    if (enabled && rec.user.id !== this.#adminId) this.#checkSeat();
    rec.user.enabled = enabled;
    if (rec.user.id !== this.#adminId) this.#active += enabled ? 1 : -1;
    return true;
  }

  /** Deletes a user (out of band: the API has none). Returns whether it existed. */
  remove(id: string): boolean {
    const rec = this.#byId.get(id);
    if (!rec || id === this.#adminId) return false;
    this.#byId.delete(id);
    this.#byUsername.delete(rec.user.username.toLowerCase());
    if (rec.user.email !== undefined) this.#byEmail.delete(rec.user.email.toLowerCase());
    if (this.#counts(rec)) this.#active--;
    return true;
  }

  /** Changes a user's email and username (out of band, as in Keycloak's console). */
  changeEmail(id: string, email: string): void {
    const rec = this.#byId.get(id);
    if (!rec) throw new StoreError("not_found", `User not found: ${id}`);
    const e = email.toLowerCase();
    if (this.#byEmail.has(e) || this.#byUsername.has(e))
      throw new StoreError("exists", `User exists with same email: ${e}`);
    this.#byUsername.delete(rec.user.username.toLowerCase());
    if (rec.user.email !== undefined) this.#byEmail.delete(rec.user.email.toLowerCase());
    rec.user.email = e;
    rec.user.username = e;
    this.#index(rec);
  }

  setPasswordHash(id: string, hash: string): void {
    const rec = this.#byId.get(id);
    if (rec) rec.passwordHash = hash;
  }

  #checkSeat(): void {
    const max = this.#licence.maxActiveUsers;
    if (max !== null && this.#active >= max) {
      throw new StoreError(
        "licence",
        `User limit reached: the ${this.#licence.edition} licence allows ${max} active users and ${this.#active} are active. ` +
          "Deactivate existing users to add more.",
      );
    }
  }

  /**
   * Whether a user holds a licence seat. The built-in admin does not: a guess, since
   * the reference only says Community allows 5 users and deactivated ones do not count;
   * counting admin would leave 4 seats, which contradicts "5 users" as users read it.
   */
  #counts(r: UserRecord): boolean {
    return r.user.enabled && r.user.id !== this.#adminId;
  }

  #index(r: UserRecord): void {
    this.#byId.set(r.user.id, r);
    this.#byUsername.set(r.user.username.toLowerCase(), r);
    if (r.user.email !== undefined) this.#byEmail.set(r.user.email.toLowerCase(), r);
  }
}
