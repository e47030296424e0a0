/**
 * Seeding a user without the API, for tests and demos: `emu.addUser(...)` in process and
 * `POST /__emulator/users` from another. No licence check: seeding may set up any state.
 */
import { closest } from "../sdk/suggest";
import { hashPasswordSync } from "./passwords";
import { copyUser, UserStore } from "./store";
import type { NewUser, StoredUser } from "./types";
import { isEmail } from "./users";

const FIELDS: Record<keyof NewUser, "string" | "boolean" | "string[]"> = {
  email: "string",
  username: "string",
  enabled: "boolean",
  password: "string",
  firstName: "string",
  lastName: "string",
  federationLink: "string",
  roles: "string[]",
};

/** Checks input that may come unchecked (JSON, plain JavaScript); throws a TypeError naming the field. */
function checked(raw: unknown, where: string): NewUser {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new TypeError(`${where}: give an object`);
  for (const [k, v] of Object.entries(raw)) {
    const type = FIELDS[k as keyof NewUser] as (typeof FIELDS)[keyof NewUser] | undefined;
    if (!type) {
      const guess = closest(k, Object.keys(FIELDS));
      throw new TypeError(`${where}: unknown field "${k}"${guess ? ` (did you mean "${guess}"?)` : ""}`);
    }
    const ok =
      v === undefined ||
      (type === "string[]" ? Array.isArray(v) && v.every((x) => typeof x === "string") : typeof v === type);
    if (!ok)
      throw new TypeError(`${where}: "${k}" must be ${type === "string[]" ? "an array of strings" : `a ${type}`}`);
  }
  const u = raw as NewUser;
  if (u.email !== undefined && !isEmail(u.email))
    throw new TypeError(`${where}: invalid email ${JSON.stringify(u.email)}`);
  if (u.password === "") throw new TypeError(`${where}: "password" must not be empty`);
  return u;
}

/** Adds the user to the store (a StoreError for a taken email or username); the caller saves. */
export function seedUser(store: UserStore, raw: unknown, where = "addUser"): StoredUser {
  const u = checked(raw, where);
  const user = store.create(
    {
      email: u.email,
      username: u.username,
      enabled: u.enabled ?? true,
      passwordHash: u.password === undefined ? undefined : hashPasswordSync(u.password),
      firstName: u.firstName,
      lastName: u.lastName,
      federationLink: u.federationLink,
      masterRealmRoles: u.roles,
    },
    false,
  );
  return copyUser(user);
}
