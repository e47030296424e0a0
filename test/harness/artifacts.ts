/**
 * Every text an operation leaves behind — the state file, the programs' and
 * provider hosts' output, error messages, the `__provider` strings — kept so
 * that tests can scan them for secrets.
 *
 * Not an engine behaviour: it lists the places where the Pulumi CLI would put
 * such text (the state file, `pulumi up`'s console output and logs, the
 * serialized provider kept in the state; see "What the closure serializer
 * does" in /work/shared/PULUMI-RUNTIME-FACTS.md for why `__provider` is one).
 */
import type { ProviderHost } from "./providerHost";
import type { Artifact } from "./summaries";

export class ArtifactLog {
  private readonly entries: Artifact[] = [];

  record(source: string, text: string): void {
    this.entries.push({ source, text });
  }

  /** The state file's text first, then what was recorded, each host's output and each `__provider` text. */
  collect(stateText: string, hosts: ProviderHost[], providerStrings: Iterable<string>): Artifact[] {
    const out: Artifact[] = [{ source: "state-file", text: stateText }, ...this.entries];
    hosts.forEach((h, i) => {
      out.push({ source: `host#${i + 1}:stdout`, text: h.stdout });
      out.push({ source: `host#${i + 1}:stderr`, text: h.stderr });
    });
    let i = 0;
    for (const s of providerStrings) {
      out.push({ source: `__provider#${++i}`, text: s });
    }
    return out;
  }
}

/** Sources of the artifacts that contain any of the given literals. */
export function findLiterals(artifacts: Artifact[], literals: string[]): Array<{ literal: string; source: string }> {
  const hits: Array<{ literal: string; source: string }> = [];
  for (const a of artifacts) {
    for (const l of literals) {
      if (l && a.text.includes(l)) {
        hits.push({ literal: l, source: a.source });
      }
    }
  }
  return hits;
}
