/**
 * The provider's configuration as a native provider receives it: keys without their namespace
 * (`url`, not `wallaroo:url`: the engine strips it, pkg/resource/deploy/target.go GetPackageConfig),
 * values as the stack configuration holds them (text) or as an explicit provider's SDK sends them.
 *
 * They are mapped onto the dynamic provider's ConfigSource (`get("wallaroo:url")`), so the client
 * is made by the same code with the same rules: provider/runtime.ts optionsFromConfig, then the
 * client's WALLAROO_* fallbacks and their precedence (sdk/options.ts).
 */
import { ConfigurationError } from "../sdk/errors";
import { parseEdition } from "../sdk/edition";
import { parseEndpoint } from "../sdk/options";
import { STACK_SETTING_NAMES } from "../sdk/settingNames";
import { closest } from "../sdk/suggest";
import type { CheckFailure } from "../provider/inputs";
import { CONFIG_KEYS, optionsFromConfig, type ConfigSource } from "../provider/runtime";
import { UNKNOWN_DURING_PREVIEW } from "../provider/types";
import { isSecret, markSecrets, type Props } from "./wire";

type Key = keyof typeof CONFIG_KEYS;
const KEYS = Object.keys(CONFIG_KEYS) as Key[];

/** Keys the engine itself adds to a provider's inputs (pkg/resource/deploy/providers/registry.go). */
const ENGINE_KEYS = new Set(["version", "__internal", "pluginDownloadURL", "pluginChecksums"]);

/** Settings stored and returned as secrets, whether or not they were set with `--secret`. */
export const SECRET_KEYS: readonly Key[] = ["token", "password"];

const BOOLEAN_KEYS: readonly Key[] = ["insecureSkipTlsVerify"];
const NUMBER_KEYS: readonly Key[] = ["maxRetries", "retryTimeoutSeconds"];

function isKey(k: string): k is Key {
  return (KEYS as readonly string[]).includes(k);
}

/** A value as the stack configuration would hold it: text. Booleans and numbers from an explicit provider become their text. */
function asText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "boolean" || typeof v === "number") return String(v);
  return undefined;
}

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`;
}

/** The failure of one setting, if any (never quoting a secret's value). */
function keyFailure(key: Key, value: unknown): string | undefined {
  const setting = CONFIG_KEYS[key];
  const expected = BOOLEAN_KEYS.includes(key) ? "boolean" : NUMBER_KEYS.includes(key) ? "number" : "string";
  if (typeof value !== expected && typeof value !== "string") {
    return `${setting} must be ${expected === "string" ? "text" : `a ${expected}`}, not ${typeName(value)}`;
  }
  const text = asText(value)!; // a string, boolean or number here
  if (text.trim() === "") return undefined; // unset, as in the dynamic provider
  try {
    if (key === "url" || key === "authUrl") parseEndpoint(text, setting, STACK_SETTING_NAMES[key], STACK_SETTING_NAMES);
    else if (key === "edition") parseEdition(text, setting);
    // The numeric and boolean rules live in optionsFromConfig; asked about this key alone.
    else optionsFromConfig((k) => (k === setting ? text : undefined));
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw e;
    return e.message; // with its hint
  }
  return undefined;
}

/**
 * CheckConfig: every setting validated at once, each failure naming its key (types, URLs, the
 * edition with a suggestion, numbers and booleans; unknown keys with "did you mean"). Values not
 * known yet (preview) pass. Completeness (a URL, credentials) is not required here, as the
 * environment may supply it and a preview needs none; the first API call reports what is missing.
 * The returned inputs carry `token` and `password` as secrets, so the state never holds them in
 * plain text even when they were not set with `--secret`.
 */
export function checkConfig(news: Props, rawNews: Props): { inputs: Props; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  for (const [k, v] of Object.entries(news)) {
    if (ENGINE_KEYS.has(k) || v === undefined || v === null || v === UNKNOWN_DURING_PREVIEW) continue;
    if (!isKey(k)) {
      const guess = closest(k, KEYS);
      failures.push({
        property: k,
        reason:
          `wallaroo:${k} is not a setting of the wallaroo provider${guess ? ` (did you mean wallaroo:${guess}?)` : ""}. ` +
          `It accepts ${KEYS.join(", ")}`,
      });
      continue;
    }
    const problem = keyFailure(k, v);
    if (problem) failures.push({ property: k, reason: problem });
  }
  const secretKeys = Object.keys(rawNews).filter((k) => (SECRET_KEYS as string[]).includes(k) || isSecret(rawNews[k]));
  return { inputs: markSecrets(rawNews, secretKeys), failures };
}

/** DiffConfig: the settings that differ. A provider is never replaced: its resources stay, and later operations use the new settings. */
export function diffConfig(olds: Props, news: Props): string[] {
  return KEYS.filter((k) => asText(olds[k]) !== asText(news[k]));
}

/** Configure's arguments as the dynamic provider's view of the stack configuration. */
export function configSource(args: Props): ConfigSource {
  const byKey = new Map<string, string>();
  for (const key of KEYS) {
    const text = asText(args[key]);
    if (text !== undefined) byKey.set(CONFIG_KEYS[key], text);
  }
  return { get: (k) => byKey.get(k) };
}

/**
 * The arguments of an engine that sends only Configure's deprecated `variables`
 * (`wallaroo:config:url`), as the same keys.
 */
export function argsFromVariables(variables: Iterable<[string, string]>): Props {
  const out: Props = {};
  for (const [k, v] of variables) {
    const m = /^wallaroo:config:(.+)$/.exec(k);
    if (m) out[m[1]!] = v; // the pattern's group always matches
  }
  return out;
}
