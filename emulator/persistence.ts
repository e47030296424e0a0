/**
 * The data file: loaded and validated at start, rewritten atomically after each
 * mutation (temp file in the same directory, fsync, rename), so a crash leaves
 * either the old or the new file, never half of one.
 */
import { promises as fs } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { isPasswordHash } from "./passwords";
import type { UserRecord } from "./store";
import type { StoredUser } from "./types";

const FORMAT = "wallaroo-emulator-data";
const VERSION = 1;

/** A user on disk: the representation, then what Keycloak keeps beside it (all optional: older files lack them). */
type StoredRecord = StoredUser & { passwordHash?: string; passwordTemporary?: boolean; masterRealmRoles?: string[] };

interface DataFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  savedAt: number;
  users: StoredRecord[];
}

export class DataFileError extends Error {}

/** The stored users, or undefined when the file does not exist yet (a fresh instance). */
export async function loadDataFile(file: string): Promise<UserRecord[] | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new DataFileError(`Cannot read the emulator data file ${file}: ${(e as Error).message}`);
  }
  const bad = (why: string): DataFileError =>
    new DataFileError(
      `The emulator data file ${file} is corrupt or not an emulator data file (${why}); refusing to start. Move it away to start a fresh instance.`,
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw bad("not valid JSON");
  }
  if (!isObject(data) || data.format !== FORMAT) throw bad(`"format" is not "${FORMAT}"`);
  if (data.version !== VERSION) throw bad(`unsupported version ${JSON.stringify(data.version)}`);
  if (!Array.isArray(data.users)) throw bad(`"users" is not an array`);
  const ids = new Set<string>();
  const emails = new Set<string>();
  const usernames = new Set<string>();
  return data.users.map((raw: unknown, i: number) => {
    const why = userProblem(raw);
    if (why) throw bad(`users[${i}]: ${why}`);
    const { passwordHash, passwordTemporary, masterRealmRoles, ...user } = raw as StoredRecord;
    if (ids.has(user.id)) throw bad(`users[${i}]: duplicate id ${user.id}`);
    if (usernames.has(user.username.toLowerCase())) throw bad(`users[${i}]: duplicate username ${user.username}`);
    if (user.email !== undefined && emails.has(user.email.toLowerCase()))
      throw bad(`users[${i}]: duplicate email ${user.email}`);
    ids.add(user.id);
    usernames.add(user.username.toLowerCase());
    if (user.email !== undefined) emails.add(user.email.toLowerCase());
    return {
      user,
      passwordHash,
      ...(passwordTemporary && { passwordTemporary }),
      ...(masterRealmRoles && { masterRealmRoles }),
    };
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function userProblem(u: unknown): string | undefined {
  if (!isObject(u)) return "not an object";
  for (const k of ["id", "username"])
    if (typeof u[k] !== "string" || u[k] === "") return `"${k}" is not a non-empty string`;
  for (const k of ["email", "firstName", "lastName", "federationLink"])
    if (u[k] !== undefined && typeof u[k] !== "string") return `"${k}" is not a string`;
  if (u.passwordTemporary !== undefined && typeof u.passwordTemporary !== "boolean")
    return `"passwordTemporary" is not a boolean`;
  const roles = u.masterRealmRoles;
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((x) => typeof x === "string")))
    return `"masterRealmRoles" is not an array of strings`;
  for (const k of ["enabled", "emailVerified"]) if (typeof u[k] !== "boolean") return `"${k}" is not a boolean`;
  for (const k of ["createdTimestamp", "notBefore"]) if (typeof u[k] !== "number") return `"${k}" is not a number`;
  for (const k of ["requiredActions", "disableableCredentialTypes"]) {
    if (!Array.isArray(u[k]) || !(u[k] as unknown[]).every((x) => typeof x === "string"))
      return `"${k}" is not an array of strings`;
  }
  if (!isObject(u.access)) return `"access" is not an object`;
  if (u.passwordHash !== undefined && !isPasswordHash(u.passwordHash)) return `"passwordHash" is not a salted hash`;
  return undefined;
}

function serialize(records: Iterable<UserRecord>, extra: Record<string, unknown>): string {
  const users: DataFile["users"] = [];
  for (const r of records) {
    users.push({
      ...r.user,
      ...(r.passwordHash !== undefined && { passwordHash: r.passwordHash }),
      ...(r.passwordTemporary && { passwordTemporary: true }),
      ...(r.masterRealmRoles && { masterRealmRoles: r.masterRealmRoles }),
    });
  }
  const data: DataFile = { format: FORMAT, version: VERSION, savedAt: Date.now(), users };
  return JSON.stringify({ ...data, ...extra });
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  // 0600: the file holds password hashes.
  const handle = await fs.open(tmp, "w", 0o600);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await handle.close();
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
  // Make the rename itself durable; not every platform can fsync a directory.
  const d = await fs.open(dir, "r").catch(() => undefined);
  if (d)
    await d
      .sync()
      .catch(() => undefined)
      .finally(() => d.close());
}

/**
 * Saves the store after mutations. A save requested while a write is in flight
 * joins the single next write (which snapshots the store when it starts, so it
 * includes every change made before), and resolves only once that is on disk.
 */
export class Persister {
  readonly #file: string;
  readonly #snapshot: () => Iterable<UserRecord>;
  readonly #extra: () => Record<string, unknown>;
  #inFlight?: Promise<void>;
  #next?: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void };

  /** `extra`: more top-level fields (workspaces), taken with the same snapshot. */
  constructor(file: string, snapshot: () => Iterable<UserRecord>, extra: () => Record<string, unknown> = () => ({})) {
    this.#file = file;
    this.#snapshot = snapshot;
    this.#extra = extra;
  }

  save(): Promise<void> {
    if (!this.#inFlight) return this.#start();
    if (!this.#next) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.#next = { promise, resolve, reject };
    }
    return this.#next.promise;
  }

  /** Resolves when nothing is left to write. */
  async flush(): Promise<void> {
    while (this.#inFlight) await this.#inFlight.catch(() => undefined);
  }

  #start(): Promise<void> {
    const text = serialize(this.#snapshot(), this.#extra()); // taken now: includes every change made so far
    const write = writeAtomically(this.#file, text).finally(() => {
      this.#inFlight = undefined;
      const next = this.#next;
      this.#next = undefined;
      if (next) this.#start().then(next.resolve, next.reject);
    });
    this.#inFlight = write;
    return write;
  }
}
