/**
 * The live count of `wallaroo-active-user-limit` (`"unmanagedActiveUsers": "live"`): the pack lists
 * the instance's users once per analysis, with the settings `wallaroo-users` uses (WALLAROO_URL,
 * WALLAROO_AUTH_URL, WALLAROO_TOKEN or WALLAROO_USER/WALLAROO_PASSWORD, WALLAROO_SDK_CREDENTIALS),
 * within a bounded time, and never puts a credential in a message (the client redacts them).
 */
import { WallarooClient } from "../sdk/client";
import type { SettingNames } from "../sdk/settingNames";
import type { ActiveUserLimitConfig } from "./config";
import type { ServerUser } from "./seats";

/** How the pack's messages name the settings: its config keys and the environment. */
const POLICY_SETTING_NAMES: SettingNames = {
  url: "WALLAROO_URL (or the policy config key url)",
  authUrl: "WALLAROO_AUTH_URL (or the policy config key authUrl)",
  token: "WALLAROO_TOKEN",
  username: "WALLAROO_USER",
  password: "WALLAROO_PASSWORD",
  credentialsFile: "WALLAROO_SDK_CREDENTIALS",
  caCertPath: "NODE_EXTRA_CA_CERTS",
  insecureSkipTlsVerify: "(not available to the policy pack)",
  edition: "the policy config key edition",
  setUrl: "Set WALLAROO_URL in the environment of pulumi preview, or the policy config key url",
};

/** Bounds of one live count: a preview must not hang on an unreachable instance. */
export const LIVE_COUNT_LIMITS = {
  timeouts: { connectMs: 5_000, headersMs: 10_000, bodyMs: 10_000 },
  retry: { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 1_000, maxElapsedMs: 15_000 },
} as const;

/** Every user of the instance: one token request (unless a token is given) and one `/users/query`. */
export async function fetchServerUsers(
  config: Pick<ActiveUserLimitConfig, "url" | "authUrl">,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServerUser[]> {
  const client = new WallarooClient({
    url: config.url,
    authUrl: config.authUrl,
    env,
    timeouts: LIVE_COUNT_LIMITS.timeouts,
    retry: LIVE_COUNT_LIMITS.retry,
    settingNames: POLICY_SETTING_NAMES,
    connections: 1,
  });
  try {
    return (await client.listUsers()).map((u) => ({ id: u.id, email: u.email, enabled: u.enabled }));
  } finally {
    await client.close();
  }
}
