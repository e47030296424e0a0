/**
 * Property values as the engine sends them to a provider that accepts secrets: `google.protobuf.Struct`s
 * in which a secret is the envelope `{ [SIG_KEY]: SECRET_SIG, value }`. The lifecycles take plain values,
 * so every request is unwrapped, remembering which properties were secret, and every answer marks
 * secret what must stay secret (the engine copies no secret-ness for a provider that accepts secrets).
 *
 * The signatures are @pulumi/pulumi's (runtime/rpc.js `specialSigKey`, `specialSecretSig`), copied so
 * the plugin does not load the Pulumi runtime (a second of start-up); test/plugin checks they match.
 */
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { structPb } from "./proto";

export type Props = Record<string, unknown>;

/** The key that marks a special value. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecret(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Props)[SIG_KEY] === SECRET_SIG;
}

export function secret(value: unknown): Props {
  return { [SIG_KEY]: SECRET_SIG, value };
}

function unwrapValue(v: unknown): { value: unknown; secret: boolean } {
  if (isSecret(v)) return { value: unwrapValue(v.value).value, secret: true };
  if (Array.isArray(v)) {
    const items = v.map(unwrapValue);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (typeof v === "object" && v !== null) {
    const inner = unwrap(v as Props);
    return { value: inner.values, secret: inner.secretKeys.size > 0 };
  }
  return { value: v, secret: false };
}

/** Plain values, and the top-level properties that held a secret anywhere inside. */
export function unwrap(props: Props): { values: Props; secretKeys: Set<string> } {
  const values: Props = {};
  const secretKeys = new Set<string>();
  for (const [k, v] of Object.entries(props)) {
    const u = unwrapValue(v);
    values[k] = u.value;
    if (u.secret) secretKeys.add(k);
  }
  return { values, secretKeys };
}

/** The properties with those top-level ones wrapped as secrets (undefined ones dropped). */
export function markSecrets(props: Props, keys: Iterable<string>): Props {
  const out: Props = {};
  const marked = new Set(keys);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    out[k] = marked.has(k) && !isSecret(v) ? secret(v) : v;
  }
  return out;
}

/** A request's Struct as plain JavaScript (an absent Struct is empty). */
export function fromStruct(s: Struct | undefined): Props {
  return (s?.toJavaScript() ?? {}) as Props;
}

/** JavaScript as a Struct; `undefined` members are absent (a Struct cannot hold them). */
export function toStruct(props: Props): Struct {
  return structPb.Struct.fromJavaScript(
    JSON.parse(JSON.stringify(props)) as Parameters<typeof structPb.Struct.fromJavaScript>[0],
  );
}
