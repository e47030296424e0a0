/**
 * Keeps secrets out of every message the client produces. A server may echo a
 * request (and so a password) in its error text; the redactor replaces every
 * known secret before the text is put into an error.
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  /**
   * Registers a value that must never appear in a message, for the redactor's whole life: a superseded
   * token can still be echoed by a request in flight or a proxy. Short values are ignored: they would mangle text.
   */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.#secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.#secrets) {
      if (out.includes(s)) out = out.split(s).join("[redacted]");
    }
    return out;
  }
}

/** Trims a server body to something readable in one line. */
export function summarizeBody(text: string, max = 300): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}
