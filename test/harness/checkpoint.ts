/**
 * A Pulumi-like checkpoint (stack state file). Secret values are stored the
 * way Pulumi's passphrase secrets provider stores them:
 * `{"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270","ciphertext":"v1:<nonce>:<data>"}`
 * (AES-256-GCM), so the plain value of a secret never appears in the file.
 */
import * as crypto from "crypto";
import { isSecret, SECRET_SIG, SIG_KEY, WireObject, WireValue } from "./wire";

export interface ResourceState {
  urn: string;
  type: string;
  custom: boolean;
  id?: string;
  parent?: string;
  inputs: WireObject;
  outputs: WireObject;
  dependencies?: string[];
  protect?: boolean;
  retainOnDelete?: boolean;
  additionalSecretOutputs?: string[];
  deleteBeforeReplace?: boolean;
  replaceOnChanges?: string[];
  ignoreChanges?: string[];
  /** The provider reference `<provider urn>::<provider id>` (the default provider's for dynamic resources). */
  provider?: string;
  /** The `deletedWith` option: a URN whose delete in the same operation makes this one's delete unnecessary. */
  deletedWith?: string;
  /** Names of the `onError` hooks bound to the resource (`hooks: { onError }`). */
  onErrorHooks?: string[];
  /**
   * Deleted by a delete-before-replace whose create has not happened yet (step.go `DeleteStep.Apply`):
   * kept in the state, never deleted again, replaced by the next create.
   */
  pendingReplacement?: boolean;
  /** Read with `Resource.get` (a ReadResource registration): never deleted by the engine. */
  external?: boolean;
  /** Old resource of a create-before-delete replacement, waiting for deletion. */
  delete?: boolean;
  /** Reasons of a create that failed to initialize (ErrorResourceInitFailed); the next up updates the resource. */
  initErrors?: string[];
  created?: string;
  modified?: string;
}

export interface Checkpoint {
  version: 3;
  checkpoint: {
    stack: string;
    latest: {
      manifest: { time: string; magic: string; version: string };
      secrets_providers: { type: "passphrase"; state: { salt: string } };
      resources: Array<Record<string, unknown>>;
    };
  };
}

export class SecretsCrypter {
  readonly salt: string;
  private readonly key: Buffer;
  private readonly memo = new Map<string, string>();

  constructor(passphrase: string, salt?: string) {
    this.salt = salt ?? `v1:${crypto.randomBytes(8).toString("base64")}:v1:harness`;
    this.key = crypto.scryptSync(passphrase, this.salt, 32);
  }

  encrypt(plain: string): string {
    let c = this.memo.get(plain);
    if (!c) {
      const nonce = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv("aes-256-gcm", this.key, nonce);
      const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()]);
      c = `v1:${nonce.toString("base64")}:${data.toString("base64")}`;
      this.memo.set(plain, c);
    }
    return c;
  }

  decrypt(ciphertext: string): string {
    const [v, n, d] = ciphertext.split(":");
    if (v !== "v1" || !n || !d) {
      throw new Error(`bad ciphertext ${ciphertext}`);
    }
    const data = Buffer.from(d, "base64");
    const decipher = crypto.createDecipheriv("aes-256-gcm", this.key, Buffer.from(n, "base64"));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString("utf8");
  }

  /** Wire value → checkpoint value (secrets encrypted). */
  encryptValue(v: WireValue): WireValue {
    return mapSpecial(v, (x) =>
      isSecret(x) ? { [SIG_KEY]: SECRET_SIG, ciphertext: this.encrypt(JSON.stringify(x.value)) } : undefined,
    );
  }

  /** Checkpoint value → wire value (secrets decrypted, still wrapped as secrets). */
  decryptValue(v: WireValue): WireValue {
    return mapSpecial(v, (x) =>
      isSecret(x) && typeof (x as { ciphertext?: unknown }).ciphertext === "string"
        ? ({
            [SIG_KEY]: SECRET_SIG,
            value: JSON.parse(this.decrypt((x as unknown as { ciphertext: string }).ciphertext)),
          } as unknown as WireValue)
        : undefined,
    );
  }
}

/** Copies a value deeply, replacing each part for which `special` returns a value (and not recursing into it). */
function mapSpecial(v: WireValue, special: (v: WireValue) => WireValue | undefined): WireValue {
  const s = special(v);
  if (s !== undefined) {
    return s;
  }
  if (Array.isArray(v)) {
    return v.map((e) => mapSpecial(e, special));
  }
  if (typeof v === "object" && v !== null) {
    const out: WireObject = {};
    for (const [k, e] of Object.entries(v)) {
      out[k] = mapSpecial(e, special);
    }
    return out;
  }
  return v;
}

export function toCheckpoint(stack: string, resources: readonly ResourceState[], crypter: SecretsCrypter): Checkpoint {
  return {
    version: 3,
    checkpoint: {
      stack,
      latest: {
        manifest: { time: new Date().toISOString(), magic: "harness", version: "harness" },
        secrets_providers: { type: "passphrase", state: { salt: crypter.salt } },
        resources: resources.map((r) => {
          const o: Record<string, unknown> = { ...r };
          o.inputs = crypter.encryptValue(r.inputs);
          o.outputs = crypter.encryptValue(r.outputs);
          for (const k of Object.keys(o)) {
            if (o[k] === undefined) {
              delete o[k];
            }
          }
          return o;
        }),
      },
    },
  };
}

export function fromCheckpoint(
  cp: Checkpoint,
  passphrase: string,
): { resources: ResourceState[]; crypter: SecretsCrypter } {
  const crypter = new SecretsCrypter(passphrase, cp.checkpoint.latest.secrets_providers?.state?.salt);
  const resources = cp.checkpoint.latest.resources.map((o) => {
    const r = { ...o } as unknown as ResourceState;
    r.inputs = crypter.decryptValue(o.inputs as WireValue) as WireObject;
    r.outputs = crypter.decryptValue(o.outputs as WireValue) as WireObject;
    return r;
  });
  return { resources, crypter };
}
