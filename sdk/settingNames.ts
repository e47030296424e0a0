/**
 * How each surface names its settings in messages. The client is used bare, by the provider
 * (stack configuration) and by the `wallaroo-users` CLI (flags); a hint must speak the
 * vocabulary of the surface the user is looking at, never another's.
 */
export interface SettingNames {
  url: string;
  authUrl: string;
  token: string;
  username: string;
  password: string;
  credentialsFile: string;
  caCertPath: string;
  insecureSkipTlsVerify: string;
  /** The edition setting itself (its environment fallback, WALLAROO_EDITION, names itself). */
  edition: string;
  /** How to set the URL, for "No Wallaroo API URL is configured". */
  setUrl: string;
}

/** A bare `WallarooClient`: its constructor options and the environment. */
export const CLIENT_SETTING_NAMES: SettingNames = {
  url: "the url option (WALLAROO_URL)",
  authUrl: "the authUrl option (WALLAROO_AUTH_URL)",
  token: "the token option (WALLAROO_TOKEN)",
  username: "the username option (WALLAROO_USER)",
  password: "the password option (WALLAROO_PASSWORD)",
  credentialsFile: "the credentialsFile option (WALLAROO_SDK_CREDENTIALS)",
  caCertPath: "the caCertPath option (or NODE_EXTRA_CA_CERTS)",
  insecureSkipTlsVerify: "the insecureSkipTlsVerify option",
  edition: "the edition option",
  setUrl: "Pass the url option or set the environment variable WALLAROO_URL",
};

/** The Pulumi provider and `lookupUser`/`listUsers`: stack configuration keys. */
export const STACK_SETTING_NAMES: SettingNames = {
  url: "wallaroo:url (WALLAROO_URL)",
  authUrl: "wallaroo:authUrl (WALLAROO_AUTH_URL)",
  token: "wallaroo:token (WALLAROO_TOKEN)",
  username: "wallaroo:username (WALLAROO_USER)",
  password: "wallaroo:password (WALLAROO_PASSWORD)",
  credentialsFile: "WALLAROO_SDK_CREDENTIALS",
  caCertPath: "wallaroo:caCertPath (or NODE_EXTRA_CA_CERTS)",
  insecureSkipTlsVerify: "wallaroo:insecureSkipTlsVerify",
  edition: "wallaroo:edition",
  setUrl:
    "Set the stack setting wallaroo:url (pulumi config set wallaroo:url https://...) or the environment variable WALLAROO_URL",
};

/** The `wallaroo-users` command: its flags (the password is never a flag). */
export const CLI_SETTING_NAMES: SettingNames = {
  url: "--url (WALLAROO_URL)",
  authUrl: "--auth-url (WALLAROO_AUTH_URL)",
  token: "--token (WALLAROO_TOKEN)",
  username: "--username (WALLAROO_USER)",
  password: "WALLAROO_PASSWORD (the password is never a flag)",
  credentialsFile: "--credentials-file (WALLAROO_SDK_CREDENTIALS)",
  caCertPath: "--ca-cert (or NODE_EXTRA_CA_CERTS)",
  insecureSkipTlsVerify: "(not available)",
  edition: "--edition",
  setUrl: "Pass --url https://... or set the environment variable WALLAROO_URL",
};
