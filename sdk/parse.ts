/** Turning response bodies into typed values, or into errors that name the offending field. */
import type { z } from "zod";
import { InvalidResponseError } from "./errors";
import { ErrorBodySchema } from "./schemas";
import { summarizeBody } from "./redact";

/** Parses `text` as JSON and validates it; failures become {@link InvalidResponseError} naming the field. */
export function parseBody<S extends z.ZodType>(schema: S, text: string, endpoint: string, status: number): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidResponseError("The server's answer is not JSON", {
      endpoint,
      status,
      serverMessage: summarizeBody(text, 120) || "(empty body)",
      hint: "Check that the URL points at the Wallaroo API (not a login page or a proxy) and that the server is healthy",
    });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.map(String).join(".") || "(root)";
    throw new InvalidResponseError(`The server's answer does not have the documented shape: field '${field}' ${issue.message.replace(/^Invalid input: /, "")}`, {
      endpoint,
      status,
      field,
      hint: "The Wallaroo API may have changed; please report it with the server version",
    });
  }
  return result.data;
}

/** Extracts the server's own words from an error body (JSON message field, or the text). */
export function serverMessageOf(text: string): string {
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      const b = parsed.data;
      for (const v of [b.msg, b.message, b.error_description, b.detail, b.error]) {
        if (typeof v === "string" && v.length > 0) return summarizeBody(v);
      }
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return summarizeBody(text) || "(empty body)";
}
