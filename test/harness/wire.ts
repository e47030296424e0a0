/**
 * The "wire form" of Pulumi property values: what the language runtime sends to
 * the engine and the engine sends to providers (`google.protobuf.Struct`
 * values), with secrets and unknowns encoded by their special signatures.
 *
 * The constants are the ones of `@pulumi/pulumi/runtime/rpc.js`
 * (`specialSigKey`, `specialSecretSig`, `unknownValue`); the self-test checks
 * that they still match. They are duplicated here so that the test process does
 * not have to load a copy of the Pulumi runtime (whose global state other tests
 * use through `setMocks`).
 */

/** Key that marks a special value (`rpc.specialSigKey`). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** Signature of a secret (`rpc.specialSecretSig`): `{ [SIG_KEY]: SECRET_SIG, value }`. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** Signature of a resource reference (`rpc.specialResourceSig`). */
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** The string that stands for an unknown (computed) value (`rpc.unknownValue`). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };
export type WireObject = { [key: string]: WireValue };

export interface WireSecret {
  [SIG_KEY]: typeof SECRET_SIG;
  value: WireValue;
}

/** Wraps a value into the secret signature, as the runtime serializes `pulumi.secret(v)`. */
export function secret(value: WireValue): WireValue {
  return { [SIG_KEY]: SECRET_SIG, value } as unknown as WireValue;
}

export function isSecret(v: unknown): v is WireSecret {
  return (
    typeof v === "object" && v !== null && !Array.isArray(v) && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN;
}

export function containsSecrets(v: unknown): boolean {
  return deepSome(v, isSecret);
}

export function containsUnknowns(v: unknown): boolean {
  return deepSome(v, isUnknown);
}

/** True when `pred` holds for the value or for anything inside it. */
function deepSome(v: unknown, pred: (v: unknown) => boolean): boolean {
  if (pred(v)) {
    return true;
  }
  if (Array.isArray(v)) {
    return v.some((e) => deepSome(e, pred));
  }
  if (typeof v === "object" && v !== null) {
    return Object.values(v).some((e) => deepSome(e, pred));
  }
  return false;
}

/** Removes every secret wrapper, deeply (what the engine does for a provider that does not accept secrets). */
export function unwrapSecrets<T = WireValue>(v: unknown): T {
  if (isSecret(v)) {
    return unwrapSecrets(v.value);
  }
  if (Array.isArray(v)) {
    return v.map((e) => unwrapSecrets(e)) as unknown as T;
  }
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) {
      out[k] = unwrapSecrets(e);
    }
    return out as T;
  }
  return v as T;
}

/**
 * Copies the secret-ness of `ins` onto `outs`, like the engine's
 * `annotateSecrets` (pkg/resource/plugin/provider_plugin.go) does for the
 * results of a provider that does not accept secrets: an output whose
 * same-named input holds a secret becomes secret; objects recurse.
 */
export function annotateSecrets(outs: WireObject, ins: WireObject | undefined): WireObject {
  if (!ins) {
    return outs;
  }
  const result: WireObject = { ...outs };
  for (const [k, outV] of Object.entries(outs)) {
    const inV = ins[k];
    if (inV === undefined || isSecret(outV)) {
      continue;
    }
    if (isSecret(inV)) {
      result[k] = secret(outV);
    } else if (isPlainObject(inV) && isPlainObject(outV)) {
      result[k] = annotateSecrets(outV as WireObject, inV as WireObject);
    }
  }
  return result;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isSecret(v);
}

/** Drops `undefined` members (the runtime treats them as absent) and checks the value is JSON-like. */
export function toWire(v: unknown, path = "value"): WireValue | undefined {
  if (v === undefined) {
    return undefined;
  }
  if (v === null || typeof v === "string" || typeof v === "boolean") {
    return v;
  }
  if (typeof v === "number") {
    if (!Number.isFinite(v)) {
      throw new Error(`${path}: ${v} cannot be sent over the wire`);
    }
    return v;
  }
  if (Array.isArray(v)) {
    return v.map((e, i) => {
      const w = toWire(e, `${path}[${i}]`);
      return w === undefined ? null : w;
    });
  }
  if (typeof v === "object") {
    const out: WireObject = {};
    for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
      const w = toWire(e, `${path}.${k}`);
      if (w !== undefined) {
        out[k] = w;
      }
    }
    return out;
  }
  throw new Error(`${path}: a ${typeof v} cannot be sent over the wire`);
}

export function toWireObject(v: Record<string, unknown> | undefined): WireObject {
  return (toWire(v ?? {}) as WireObject) ?? {};
}

/** Top-level property names whose values differ (JSON comparison, secrets compared by their plain value). */
export function changedKeys(olds: WireObject, news: WireObject, ignore: string[] = []): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  const changed: string[] = [];
  for (const k of keys) {
    if (ignore.includes(k)) {
      continue;
    }
    if (JSON.stringify(unwrapSecrets(olds[k])) !== JSON.stringify(unwrapSecrets(news[k]))) {
      changed.push(k);
    }
  }
  return changed;
}
