/**
 * Client configuration: explicit options first, then the environment variables
 * the Wallaroo SDK reads. Resolution fails early, with the setting named, so a
 * typo never becomes a confusing network error later.
 */
import { readFileSync } from "node:fs";
import { resolveEdition, type ResolvedEdition } from "./edition";
import { ConfigurationError } from "./errors";
import { userSchemas } from "./onDemand";
import type { RetryPolicy } from "./retry";
import { CLIENT_SETTING_NAMES, SettingNames } from "./settingNames";

export interface WallarooClientOptions {
  /** The Wallaroo API endpoint, e.g. `https://wallaroo.example.com`. Env: `WALLAROO_URL`. */
  url?: string;
  /** The Keycloak address; defaults to `url`. Env: `WALLAROO_AUTH_URL`. */
  authUrl?: string;
  /** A static bearer token. Env: `WALLAROO_TOKEN`. Takes precedence over username/password. */
  token?: string;
  /** Keycloak user for the password grant. Env: `WALLAROO_USER`, or the credentials file. */
  username?: string;
  /** Keycloak password for the password grant. Env: `WALLAROO_PASSWORD`, or the credentials file. */
  password?: string;
  /** JSON file `{"username": ..., "password": ...}`. Env: `WALLAROO_SDK_CREDENTIALS`. */
  credentialsFile?: string;
  /** PEM file of the CA that signed the server's certificate (added to Node's trusted CAs). */
  caCertPath?: string;
  /**
   * The edition the instance runs: `community` (users invited through the MLOps API) or
   * `enterprise` (users created and changed through Keycloak's admin API). Env: `WALLAROO_EDITION`;
   * default `community`.
   */
  edition?: string;
  /** Turns TLS verification off. Dangerous: prints a warning every time a client is made. */
  insecureSkipTlsVerify?: boolean;
  /** Timeouts in milliseconds. */
  timeouts?: Partial<Timeouts>;
  /** Retry behaviour for 429, 502, 503, 504 and dropped connections. */
  retry?: Partial<RetryPolicy>;
  /** Maximum open connections per endpoint (default 32). */
  connections?: number;
  /** How long concurrent `getUser` calls wait to be coalesced into one query, in ms (default 2). */
  batchWindowMs?: number;
  /**
   * Send a batch of lookups once none has joined it for this long, in ms, even before `batchWindowMs`
   * has passed (default: no idle rule, the batch waits the whole window).
   */
  batchIdleMs?: number;
  /** Where warnings go (default: `console.warn`). */
  onWarning?: (message: string) => void;
  /** Called after every HTTP exchange; for metrics. Never receives secrets. */
  onRequest?: (event: RequestEvent) => void;
  /** The environment to read (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
  /**
   * How messages name the settings: the provider says `wallaroo:url`, the CLI `--url`; a bare client
   * (the default) says "the url option". See settingNames.ts.
   */
  settingNames?: SettingNames;
}

export interface Timeouts {
  /** TCP + TLS connect. Default 10 s. */
  connectMs: number;
  /** Until the response headers arrive. Default 30 s. */
  headersMs: number;
  /** Between body chunks. Default 30 s. */
  bodyMs: number;
}

export interface RequestEvent {
  endpoint: string;
  status?: number;
  attempt: number;
  durationMs: number;
  error?: string;
}

export type Credentials = { kind: "token"; token: string } | { kind: "password"; username: string; password: string };

/** Options after resolution; holds secrets, so it is kept in private fields by its users. */
export interface ResolvedOptions {
  url: URL;
  authUrl: URL;
  credentials: Credentials;
  caCertPath?: string;
  insecureSkipTlsVerify: boolean;
  edition: ResolvedEdition;
  timeouts: Timeouts;
  retry: Partial<RetryPolicy>;
  connections: number;
  batchWindowMs: number;
  batchIdleMs?: number;
  onWarning: (message: string) => void;
  onRequest?: (event: RequestEvent) => void;
  names: SettingNames;
  /** Whether authUrl was given (else it is the API endpoint's origin, and url is the setting that chose it). */
  authUrlExplicit: boolean;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000 };

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v;
}

/** Parses an http(s) URL, naming the setting (`label`, in the surface's vocabulary) when it is not one. */
export function parseEndpoint(
  value: string,
  setting: string,
  label: string,
  names: SettingNames = CLIENT_SETTING_NAMES,
): URL {
  const trimmed = value.trim();
  // "localhost:8080" parses as a URL with the scheme "localhost": say what is missing instead.
  if (/^[\w.-]+:\d+(\/.*)?$/.test(trimmed) || /^[\w-]+(\.[\w-]+)+(:\d+)?(\/.*)?$/.test(trimmed)) {
    throw new ConfigurationError(`${label} has no scheme: '${value}'`, {
      setting,
      hint: `Add it: https://${trimmed} (or http:// for a server without TLS)`,
    });
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ConfigurationError(`${label} is not a URL: '${value}'`, {
      setting,
      hint: "Use the form https://host[:port]",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(`${label} must use http or https, not '${url.protocol.replace(/:$/, "")}'`, {
      setting,
      hint: `Use the form https://${url.host || "host"}`,
    });
  }
  if (url.username || url.password) {
    throw new ConfigurationError(`${label} must not contain credentials`, {
      setting,
      hint: `Put them in ${names.username} and ${names.password} instead`,
    });
  }
  // The API lives under /v1/api/ of the endpoint: a URL that already ends there would double it.
  if (/\/v1\/api(\/.*)?$/.test(url.pathname.replace(/\/+$/, ""))) {
    throw new ConfigurationError(`${label} must be the endpoint itself, without the API's path: '${value}'`, {
      setting,
      hint: `Use ${url.origin}${url.pathname.replace(/\/v1\/api(\/.*)?$/, "") || ""} (the client adds /v1/api/...)`,
    });
  }
  return url;
}

function readCredentialsFile(path: string, names: SettingNames): { username: string; password: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigurationError(
      `Cannot read the credentials file '${path}' (${names.credentialsFile}): ${(e as NodeJS.ErrnoException).code ?? "error"}`,
      {
        setting: "WALLAROO_SDK_CREDENTIALS",
        hint: 'Point it at a JSON file {"username": ..., "password": ...}',
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigurationError(`The credentials file '${path}' is not JSON`, { setting: "WALLAROO_SDK_CREDENTIALS" });
  }
  const parsed = userSchemas().CredentialsFileSchema.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "(root)";
    throw new ConfigurationError(`The credentials file '${path}' needs a non-empty '${field}'`, {
      setting: "WALLAROO_SDK_CREDENTIALS",
      hint: 'Expected {"username": ..., "password": ...}',
    });
  }
  return parsed.data;
}

/** Credentials from the options when they give any, else from the environment; never a mix of the two. */
function resolveCredentials(options: WallarooClientOptions, env: NodeJS.ProcessEnv, names: SettingNames): Credentials {
  const explicit = [options.token, options.username, options.password, options.credentialsFile].some(
    (v) => nonEmpty(v) !== undefined,
  );
  const src = explicit
    ? options
    : {
        token: env.WALLAROO_TOKEN,
        username: env.WALLAROO_USER,
        password: env.WALLAROO_PASSWORD,
        credentialsFile: env.WALLAROO_SDK_CREDENTIALS,
      };
  const token = nonEmpty(src.token);
  if (token) return { kind: "token", token };
  let username = nonEmpty(src.username);
  let password = nonEmpty(src.password);
  const file = nonEmpty(src.credentialsFile);
  if ((!username || !password) && file) {
    const fromFile = readCredentialsFile(file, names);
    username ??= fromFile.username;
    password ??= fromFile.password;
  }
  if (!username || !password) {
    const where = explicit
      ? "Credentials are set explicitly, so the environment's WALLAROO_* credentials are not used: s"
      : "S";
    throw new ConfigurationError(
      username ? `No password is configured for Wallaroo user '${username}'` : "No Wallaroo credentials are configured",
      {
        setting: username ? "wallaroo:password" : "wallaroo:token",
        hint: where + `et ${names.token}, or ${names.username} and ${names.password}, or ${names.credentialsFile}`,
      },
    );
  }
  return { kind: "password", username, password };
}

/** Resolves options against the environment. Throws {@link ConfigurationError} naming the setting at fault. */
export function resolveOptions(options: WallarooClientOptions = {}): ResolvedOptions {
  const env = options.env ?? process.env;
  const names = options.settingNames ?? CLIENT_SETTING_NAMES;
  // Explicit options (the stack configuration, for the provider) win as a whole over the environment,
  // group by group: a stack that sets wallaroo:url is not sent to a WALLAROO_AUTH_URL of another
  // instance, and one that sets wallaroo:username/password does not log in with a WALLAROO_TOKEN.
  const endpointsExplicit = nonEmpty(options.url) !== undefined || nonEmpty(options.authUrl) !== undefined;
  const endpoints = endpointsExplicit
    ? { url: options.url, authUrl: options.authUrl }
    : { url: env.WALLAROO_URL, authUrl: env.WALLAROO_AUTH_URL };
  const urlText = nonEmpty(endpoints.url);
  if (!urlText) {
    throw new ConfigurationError("No Wallaroo API URL is configured", {
      setting: "wallaroo:url",
      hint: names.setUrl,
    });
  }
  const url = parseEndpoint(urlText, "wallaroo:url", names.url, names);
  const authText = nonEmpty(endpoints.authUrl);
  // Keycloak defaults to the API endpoint's origin (a path on the API URL is not Keycloak's).
  const authUrl = authText ? parseEndpoint(authText, "wallaroo:authUrl", names.authUrl, names) : new URL(url.origin);
  const credentials = resolveCredentials(options, env, names);
  const edition = resolveEdition({ value: options.edition, setting: names.edition, source: "config" }, env);

  const connections = options.connections ?? 32;
  if (!Number.isInteger(connections) || connections < 1) {
    throw new ConfigurationError(`connections must be a positive integer, not ${connections}`, {
      setting: "connections",
    });
  }
  const warn = options.onWarning ?? ((m: string) => console.warn(m));
  if (options.insecureSkipTlsVerify) {
    // The password goes to authUrl, the token to url: each https endpoint loses its protection.
    const affected = [
      ...(url.protocol === "https:" ? [`the Wallaroo API (${url.origin})`] : []),
      ...(authUrl.protocol === "https:" && authUrl.origin !== url.origin ? [`Keycloak (${authUrl.origin})`] : []),
    ];
    if (affected.length > 0) {
      warn(
        `warning: TLS certificate verification is OFF for ${affected.join(" and ")} (${names.insecureSkipTlsVerify}). Anyone on the network path can read the credentials.`,
      );
    }
  }
  return {
    url,
    authUrl,
    credentials,
    caCertPath: nonEmpty(options.caCertPath),
    insecureSkipTlsVerify: options.insecureSkipTlsVerify === true,
    edition,
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    retry: options.retry ?? {},
    connections,
    batchWindowMs: options.batchWindowMs ?? 2,
    batchIdleMs: options.batchIdleMs,
    onWarning: warn,
    onRequest: options.onRequest,
    names,
    authUrlExplicit: authText !== undefined,
  };
}
