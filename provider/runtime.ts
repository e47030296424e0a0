/**
 * The provider's configuration and its one WallarooClient per host process.
 *
 * Configuration reaches the provider at run time, from the stack configuration
 * the engine sends to the dynamic-provider host (`configure`) or from the
 * host's environment, and never through values captured into `__provider`,
 * which is stored in the state in plain text. Node's module cache makes this
 * module a singleton shared by every resource the host serves, so all share
 * one login and one connection pool.
 */
import { WallarooClient } from "../sdk/client";
import type { WallarooClientOptions } from "../sdk/options";
import { resolveEdition, type Edition } from "../sdk/edition";
import { ConfigurationError } from "../sdk/errors";
import { STACK_SETTING_NAMES } from "../sdk/settingNames";

/** What the host hands to `configure`: a view of the stack configuration. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** Stack configuration keys (namespace `wallaroo`), with what each sets. */
export const CONFIG_KEYS = {
  url: "wallaroo:url",
  authUrl: "wallaroo:authUrl",
  username: "wallaroo:username",
  password: "wallaroo:password",
  token: "wallaroo:token",
  caCertPath: "wallaroo:caCertPath",
  insecureSkipTlsVerify: "wallaroo:insecureSkipTlsVerify",
  /** Retries of a failed call (429/502/503/504, dropped connection) after the first attempt; default 5. */
  maxRetries: "wallaroo:maxRetries",
  /** Stop retrying a call once this many seconds have passed since its first attempt; default 60. */
  retryTimeoutSeconds: "wallaroo:retryTimeoutSeconds",
  /** `community` (default) or `enterprise`: how users are created and changed (sdk/edition.ts). */
  edition: "wallaroo:edition",
} as const;

let source: ConfigSource | undefined;
let client: WallarooClient | undefined;

/** The settings a source gives, as one comparable value (kept in memory only, like the source). */
function settingsOf(config: ConfigSource | undefined): string {
  return JSON.stringify(Object.values(CONFIG_KEYS).map((k) => config?.get(k) ?? null));
}

/**
 * Takes the stack configuration. The host calls this once for every provider it loads (User,
 * Workspace and WorkspaceMember are three), with the same configuration: the client, its login
 * and its connections are kept then, and replaced only when a setting differs.
 */
export function configure(config: ConfigSource | undefined): void {
  const same = client !== undefined && settingsOf(config) === settingsOf(source);
  source = config;
  if (same) return;
  void client?.close();
  client = undefined;
}

/**
 * Where the credentials of this host came from, and what to do when they are refused. The
 * engine configures the host for pulumi refresh and pulumi destroy from the provider inputs the last
 * pulumi up stored in the state, not from the current stack configuration (pkg/resource/deploy in
 * pulumi/pulumi: the default provider's inputs are the whole stack configuration of that up), so
 * credentials rotated with pulumi config set since are not the ones used; and a stack setting
 * beats the environment, so WALLAROO_* cannot stand in. The provider cannot tell which operation
 * it serves: the hint names both cases.
 */
export function credentialsHint(): string {
  const set = (k: string) => (source?.get(k) ?? "").trim() !== "";
  const from = set(CONFIG_KEYS.token)
    ? `the stack setting ${CONFIG_KEYS.token}`
    : set(CONFIG_KEYS.username) || set(CONFIG_KEYS.password)
      ? `the stack settings ${CONFIG_KEYS.username} and ${CONFIG_KEYS.password}`
      : "the environment (WALLAROO_TOKEN, or WALLAROO_USER and WALLAROO_PASSWORD, or WALLAROO_SDK_CREDENTIALS)";
  return (
    `The credentials came from ${from} of the configuration this operation was given; pulumi refresh and ` +
    "pulumi destroy are given the configuration the last pulumi up stored in the state, not the current one. " +
    "If they were rotated since (pulumi config set --secret ...), run pulumi up first, or pass --run-program to " +
    "pulumi refresh or pulumi destroy so that they use the current configuration"
  );
}

/** Client options from the stack configuration; unset keys fall back to the environment inside the client. */
export function optionsFromConfig(get: (key: string) => string | undefined): WallarooClientOptions {
  const flag = get(CONFIG_KEYS.insecureSkipTlsVerify);
  if (flag !== undefined && flag !== "true" && flag !== "false") {
    throw new ConfigurationError(`${CONFIG_KEYS.insecureSkipTlsVerify} must be true or false, not '${flag}'`, {
      setting: CONFIG_KEYS.insecureSkipTlsVerify,
    });
  }
  const retry: WallarooClientOptions["retry"] = {};
  const retries = get(CONFIG_KEYS.maxRetries);
  if (retries !== undefined && retries.trim() !== "") {
    const n = Number(retries);
    if (!/^\s*\d+\s*$/.test(retries) || n > 100) {
      throw new ConfigurationError(`${CONFIG_KEYS.maxRetries} must be a whole number from 0 to 100, not '${retries}'`, {
        setting: CONFIG_KEYS.maxRetries,
      });
    }
    retry.maxAttempts = n + 1;
  }
  const timeout = get(CONFIG_KEYS.retryTimeoutSeconds);
  if (timeout !== undefined && timeout.trim() !== "") {
    const s = Number(timeout);
    if (!Number.isFinite(s) || s <= 0 || s > 3600) {
      throw new ConfigurationError(
        `${CONFIG_KEYS.retryTimeoutSeconds} must be a number of seconds above 0 and at most 3600, not '${timeout}'`,
        {
          setting: CONFIG_KEYS.retryTimeoutSeconds,
        },
      );
    }
    retry.maxElapsedMs = Math.round(s * 1000);
  }
  return {
    url: get(CONFIG_KEYS.url),
    authUrl: get(CONFIG_KEYS.authUrl),
    username: get(CONFIG_KEYS.username),
    password: get(CONFIG_KEYS.password),
    token: get(CONFIG_KEYS.token),
    caCertPath: get(CONFIG_KEYS.caCertPath),
    insecureSkipTlsVerify: flag === "true",
    edition: get(CONFIG_KEYS.edition),
    retry,
    settingNames: STACK_SETTING_NAMES,
  };
}

/**
 * How the provider's reads (refresh, the read after each create, the lookup before each
 * update and delete) are coalesced into `/users/query` calls (the rules: sdk/batcher.ts).
 * The engine hands the host its reads in bursts, as its `--parallel` slots free up: a burst
 * goes out once no read has joined it for READ_BATCH_IDLE_MS, and a trickle of reads from a
 * busy engine waits up to READ_BATCH_WINDOW_MS to gather a few dozen (the SDK's 2 ms alone
 * gathered about 7 per query: 142 queries to refresh 1,000 users at --parallel 64). When the
 * host is slow, a burst arrives spread over tens of milliseconds: with 25 ms a refresh of 10,000
 * users took 279–315 queries under a profiler, with 50 ms 157–162 (and the same time at 1,000).
 * See docs/benchmarks.md.
 */
const READ_BATCH_WINDOW_MS = 50;
const READ_BATCH_IDLE_MS = 3;

/**
 * The configured edition (wallaroo:edition, else WALLAROO_EDITION, else community), known without
 * credentials or network: `check` uses it offline, in preview.
 */
export function configuredEdition(): Edition {
  return resolveEdition({ value: source?.get(CONFIG_KEYS.edition), setting: CONFIG_KEYS.edition, source: "config" })
    .edition;
}

/** The shared client, made on first use so that preview (check, diff) needs no credentials. */
export function getClient(): WallarooClient {
  client ??= new WallarooClient({
    ...optionsFromConfig((k) => source?.get(k)),
    batchWindowMs: READ_BATCH_WINDOW_MS,
    batchIdleMs: READ_BATCH_IDLE_MS,
  });
  return client;
}
