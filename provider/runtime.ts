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
import { ConfigurationError } from "../sdk/errors";

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
} as const;

let source: ConfigSource | undefined;
let client: WallarooClient | undefined;

export function configure(config: ConfigSource | undefined): void {
  source = config;
  void client?.close();
  client = undefined;
}

/** Client options from the stack configuration; unset keys fall back to the environment inside the client. */
export function optionsFromConfig(get: (key: string) => string | undefined): WallarooClientOptions {
  const flag = get(CONFIG_KEYS.insecureSkipTlsVerify);
  if (flag !== undefined && flag !== "true" && flag !== "false") {
    throw new ConfigurationError(`${CONFIG_KEYS.insecureSkipTlsVerify} must be true or false, not '${flag}'`, { setting: CONFIG_KEYS.insecureSkipTlsVerify });
  }
  return {
    url: get(CONFIG_KEYS.url),
    authUrl: get(CONFIG_KEYS.authUrl),
    username: get(CONFIG_KEYS.username),
    password: get(CONFIG_KEYS.password),
    token: get(CONFIG_KEYS.token),
    caCertPath: get(CONFIG_KEYS.caCertPath),
    insecureSkipTlsVerify: flag === "true",
  };
}

/** The shared client, made on first use so that preview (check, diff) needs no credentials. */
export function getClient(): WallarooClient {
  client ??= new WallarooClient(optionsFromConfig((k) => source?.get(k)));
  return client;
}
