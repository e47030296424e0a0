/**
 * Dependencies loaded by the first call that needs them, not with the package.
 *
 * A Pulumi program loads this package only to declare resources: it sends no request and parses
 * no answer. The provider host of a preview only checks and diffs. Loading zod and the response
 * schemas (about 10 ms, see below), undici's pool (about 25 ms) and yaml (about 20 ms) up front cost every one of
 * those processes, on every operation, for nothing (measured by `npm run bench`, "start cost").
 * Types still come from the modules themselves, at compile time only.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loading on first use is this module's purpose */

/** `load`, run once, on the first call. */
export function once<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}

/**
 * The response schemas, as one file with the part of zod they use (built from schemas.ts,
 * workspaceSchemas.ts and keycloakSchemas.ts by scripts/bundleSchemas.mjs): about 10 ms to load, against about 35 ms for
 * the same from node_modules, where zod's index also loads its 64 locales.
 */
const schemaBundle = once(
  () =>
    require("./schemas.bundle") as {
      user: typeof import("./schemas");
      workspace: typeof import("./workspaceSchemas");
      keycloak: typeof import("./keycloakSchemas");
    },
);

/** The user and token response schemas (zod). */
export const userSchemas = once(() => schemaBundle().user);

/** The workspace response schemas (zod). */
export const workspaceSchemas = once(() => schemaBundle().workspace);

/** The schemas of Keycloak's admin API (zod). */
export const keycloakSchemas = once(() => schemaBundle().keycloak);

/**
 * undici's connection pool, the only part of undici the transport uses. Loaded from its own module
 * (about 25 ms) rather than undici's index (about 80 ms, with fetch, WebSocket, cookies and caches);
 * the index is the fallback should a later undici move the file (test/sdk/onDemand.test.ts checks
 * that both give the same class).
 */
export const undiciPool = once((): typeof import("undici").Pool => {
  try {
    return require("undici/lib/dispatcher/pool") as typeof import("undici").Pool;
  } catch {
    return (require("undici") as typeof import("undici")).Pool;
  }
});
