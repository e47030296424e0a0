/** Turning response bodies into typed values, or into errors that name the offending field. */
import type { z } from "zod";
import { InvalidResponseError } from "./errors";
import { userSchemas } from "./onDemand";
import { summarizeBody } from "./redact";
import { CLIENT_SETTING_NAMES } from "./settingNames";

/** Parses `text` as JSON and validates it; failures become {@link InvalidResponseError} naming the field. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  text: string,
  endpoint: string,
  status: number,
  redact: (t: string) => string = (t) => t,
  setting: string = settingFor(endpoint),
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // A truncated JSON answer may hold what the server just issued (a token, a generated password),
    // which no redactor knows yet: only its size is told. Other text (an HTML page) is shown, redacted.
    const looksLikeJson = /^\s*[[{]/.test(text);
    throw new InvalidResponseError(
      looksLikeJson
        ? "The server's answer is not JSON: it is truncated or malformed"
        : "The server's answer is not JSON",
      {
        endpoint,
        status,
        serverMessage: looksLikeJson
          ? `(${Buffer.byteLength(text)} bytes of malformed JSON, not shown)`
          : summarizeBody(redact(text), 120) || "(empty body)",
        hint: `Check that ${setting} points at the Wallaroo ${isKeycloak(endpoint) ? "Keycloak" : "API"} (not a login page or a proxy) and that the server is healthy`,
      },
    );
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    // zod reports at least one issue for a failed parse.
    const issue = result.error.issues[0]!;
    const field = issue.path.map(String).join(".") || "(root)";
    throw new InvalidResponseError(
      `The server's answer does not have the documented shape: field '${field}' ${issue.message.replace(/^Invalid input: /, "")}`,
      {
        endpoint,
        status,
        field,
        hint: "The Wallaroo API may have changed; please report it with the server version",
      },
    );
  }
  return result.data;
}

/** The setting that chose the address of `endpoint`, when the caller does not name it (bare-client vocabulary). */
function settingFor(endpoint: string): string {
  return isKeycloak(endpoint) ? CLIENT_SETTING_NAMES.authUrl : CLIENT_SETTING_NAMES.url;
}

/** Keycloak's token endpoint and its admin API live at authUrl, not at the API's url. */
function isKeycloak(endpoint: string): boolean {
  return /openid-connect|\/auth\/admin\//.test(endpoint);
}

/** Extracts the server's own words from an error body (JSON message field, or the text). */
export function serverMessageOf(text: string): string {
  try {
    const parsed = userSchemas().ErrorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      const b = parsed.data;
      for (const v of [b.msg, b.message, b.errorMessage, b.error_description, b.detail, b.error]) {
        if (typeof v === "string" && v.length > 0) return summarizeBody(v);
      }
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return summarizeBody(text) || "(empty body)";
}
