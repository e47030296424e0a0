/**
 * A Wallaroo "world" for end-to-end tests, the demo and the benchmarks: an
 * emulator on loopback, a consumer project with the packed pulumi-wallaroo
 * installed (as users install it), and engines configured to reach the
 * emulator through stack configuration.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunningEmulator, startEmulator, EmulatorOptions } from "../../emulator";
import { createConsumerProject, Engine, EngineOptions, findRepoRoot, packPackage } from "../harness";

export const ADMIN_PASSWORD = "Admin-Secret-Pw-42";
/** The Pulumi project name of test programs: `new pulumi.Config()` reads `wallaroo-test:*`. */
export const PROJECT = "wallaroo-test";

export interface World {
  emu: RunningEmulator;
  projectDir: string;
  /** Writes a program (TypeScript) into the project; returns its file name. */
  program(name: string, text: string): string;
  /** A new engine (one stack) with wallaroo:url / username / password (secret) configured. */
  engine(opts?: Partial<EngineOptions>): Engine;
  close(): Promise<void>;
}

/** The consumer project is installed once per process and reused (node_modules hard-linked). */
export async function consumerProject(
  files: Record<string, string> = {},
  dependencies?: Record<string, string>,
): Promise<string> {
  const tarball = await packPackage(findRepoRoot());
  return createConsumerProject({ tarballs: [tarball], files, dependencies });
}

export async function startWorld(emulator: EmulatorOptions = {}, projectDir?: string): Promise<World> {
  const emu = await startEmulator({ adminPassword: ADMIN_PASSWORD, ...emulator });
  const dir = projectDir ?? (await consumerProject());
  const engines: Engine[] = [];
  return {
    emu,
    projectDir: dir,
    program(name, text) {
      writeFileSync(join(dir, name), text);
      return name;
    },
    engine(opts = {}) {
      const { config, secretConfigKeys, ...rest } = opts;
      const e = new Engine({
        projectDir: dir,
        projectName: PROJECT,
        // The native plugin as installed with the package (wallaroo:index:* types).
        plugins: { wallaroo: join(dir, "node_modules", "pulumi-wallaroo", "plugin") },
        ...rest,
        config: {
          "wallaroo:url": emu.url,
          "wallaroo:username": "admin",
          "wallaroo:password": ADMIN_PASSWORD,
          ...config,
        },
        secretConfigKeys: ["wallaroo:password", ...(secretConfigKeys ?? [])],
      });
      engines.push(e);
      return e;
    },
    async close() {
      await Promise.all(engines.map((e) => e.close()));
      await emu.close();
    },
  };
}

/** Calls the emulator received per endpoint since the last reset, mutating ones only. */
export function mutatingCalls(emu: RunningEmulator): Record<string, number> {
  const r = emu.stats().requests;
  const out: Record<string, number> = {};
  for (const name of ["invite", "activate", "deactivate"]) {
    const n = r[`/v1/api/users/${name}`] ?? 0;
    if (n > 0) out[name] = n;
  }
  return out;
}

/** Keycloak's admin endpoints that change users (Enterprise), by the names {@link userWrites} gives them. */
const KEYCLOAK_WRITES: Record<string, string> = {
  "POST /auth/admin/realms/master/users": "keycloak create",
  "PUT /auth/admin/realms/master/users/{id}": "keycloak update",
  "PUT /auth/admin/realms/master/users/{id}/reset-password": "keycloak reset-password",
};

/**
 * Every call that changes a user, since the last reset, on either edition: the MLOps API's invite,
 * activate and deactivate (Community) and Keycloak's admin writes (Enterprise: "keycloak create",
 * "keycloak update"). An edition's test compares the whole record, so a call of the other edition's
 * API shows up as a difference.
 */
export function userWrites(emu: RunningEmulator): Record<string, number> {
  const out = mutatingCalls(emu);
  const calls = emu.stats().calls;
  for (const [call, name] of Object.entries(KEYCLOAK_WRITES)) if (calls[call]) out[name] = calls[call];
  return out;
}

/** The emulator's users with an email, as `email → enabled`. */
export function roster(emu: RunningEmulator): Record<string, boolean> {
  return Object.fromEntries(
    emu
      .users()
      .filter((u) => u.email)
      .map((u) => [u.email as string, u.enabled])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
}
