/**
 * Salted password hashes, so the data file never holds a password in plain text.
 * scrypt with a deliberately small cost: this guards test data, and benchmarks
 * that invite thousands of users must measure the client, not the hashing. N = 16
 * takes about 0.04 ms a hash here; 256 took 0.4 ms, which for the 1,000 invites of a
 * benchmark's up was 0.4 s of CPU taken from the 2 cores the client shares. Hashes
 * record their parameters, so those made with another N still verify.
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from "node:crypto";

const N = 16;
const R = 8;
const P = 1;
const KEYLEN = 32;
const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

function format(salt: Buffer, key: Buffer): string {
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEYLEN, { N, r: R, p: P }, (err, key) => (err ? reject(err) : resolve(format(salt, key)))),
  );
}

/** Synchronous form, for seeding users from code (addUser). */
export function hashPasswordSync(password: string): string {
  const salt = randomBytes(16);
  return format(salt, scryptSync(password, salt, KEYLEN, { N, r: R, p: P }));
}

export function isPasswordHash(s: unknown): s is string {
  return typeof s === "string" && FORMAT.test(s);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = FORMAT.exec(hash);
  if (!m) return Promise.resolve(false);
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // FORMAT has five groups: a match has them all.
  const salt = Buffer.from(m[4]!, "base64");
  const expected = Buffer.from(m[5]!, "base64");
  return new Promise((resolve) =>
    scrypt(password, salt, expected.length, { N: n, r, p }, (err, key) =>
      resolve(!err && key.length === expected.length && timingSafeEqual(key, expected)),
    ),
  );
}

/** Keycloak-style temporary password for an invite without one. */
export function temporaryPassword(): string {
  return randomBytes(12).toString("base64url");
}
