/**
 * The stack's state between and during operations, and when it is written.
 *
 * Reproduces the CLI's snapshot manager (pkg/backend/snapshot.go in
 * pulumi/pulumi): the state file is rewritten after every step by default, or
 * once at the end of the operation when PULUMI_SKIP_CHECKPOINTS=true (our
 * `checkpoints: "end"`); a preview never writes it. A resource that took over
 * an old resource's state through an alias is recorded under its new URN (the
 * snapshot manager must write when a step changes the URN) and the others'
 * references (parent, dependencies) to the old URN are rewritten to the new
 * one (NormalizeURNReferences, pkg/resource/deploy/snapshot.go).
 * The file format itself is in ./checkpoint.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { Checkpoint, fromCheckpoint, ResourceState, SecretsCrypter, toCheckpoint } from "./checkpoint";
import { ROOT_STACK_TYPE } from "./summaries";

export const PROVIDER_KEY = "__provider";

export class StackState {
  resources: ResourceState[] = [];
  readonly crypter: SecretsCrypter;
  /** Every distinct `__provider` text seen (an artifact: it may carry captured values). */
  readonly providerStrings = new Set<string>();
  /** A preview runs: nothing is written. */
  suspended = false;
  /** An operation is running and checkpoints are written only at its end. */
  deferred = false;

  constructor(
    readonly stackName: string,
    readonly projectName: string,
    readonly file: string,
    passphrase: string,
  ) {
    if (fs.existsSync(file)) {
      const loaded = fromCheckpoint(JSON.parse(fs.readFileSync(file, "utf8")) as Checkpoint, passphrase);
      this.resources = loaded.resources;
      this.crypter = loaded.crypter;
    } else {
      this.crypter = new SecretsCrypter(passphrase);
    }
  }

  /** The checkpoint as written to the state file (secrets encrypted). */
  checkpoint(): Checkpoint {
    return toCheckpoint(this.stackName, this.resources, this.crypter);
  }

  /** The text of the state file ("" if none was written yet). */
  text(): string {
    return fs.existsSync(this.file) ? fs.readFileSync(this.file, "utf8") : "";
  }

  save(): void {
    if (this.suspended || this.deferred) {
      return;
    }
    const text = JSON.stringify(this.checkpoint(), null, 4);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(this.file + ".tmp", text);
    fs.renameSync(this.file + ".tmp", this.file);
  }

  /** The live (not pending-delete) resource with this URN. */
  live(urn: string): ResourceState | undefined {
    return this.resources.find((x) => x.urn === urn && !x.delete);
  }

  /** URNs in state, optionally of one type, excluding the stack and pending deletions. */
  urns(type?: string): string[] {
    return this.resources
      .filter((r) => r.type !== ROOT_STACK_TYPE && !r.delete && (!type || r.type === type))
      .map((r) => r.urn);
  }

  /**
   * Writes a resource's new state. `aliasedFrom`: the old URN whose entry it
   * replaces (the resource took that state over through an alias).
   */
  upsert(r: ResourceState, aliasedFrom?: string): void {
    const i = this.resources.findIndex((x) => x.urn === (aliasedFrom ?? r.urn) && !x.delete);
    if (i >= 0) {
      this.resources[i] = r;
    } else {
      this.resources.push(r);
    }
    if (aliasedFrom && aliasedFrom !== r.urn) {
      this.rewriteReferences(aliasedFrom, r.urn);
    }
    this.noteProvider(r.inputs[PROVIDER_KEY]);
    this.noteProvider(r.outputs[PROVIDER_KEY]);
    this.save();
  }

  /** Marks the live resource with this URN as the old half of a create-before-delete replacement. */
  markPendingDelete(urn: string): ResourceState | undefined {
    const i = this.resources.findIndex((x) => x.urn === urn && !x.delete);
    if (i < 0) {
      return undefined;
    }
    this.resources[i] = { ...this.resources[i], delete: true };
    this.save();
    return this.resources[i];
  }

  /** Replaces one entry in place (refresh), keeping its position. */
  replace(old: ResourceState, next: ResourceState): void {
    const i = this.resources.indexOf(old);
    if (i >= 0) {
      this.resources[i] = next;
      this.save();
    }
  }

  remove(r: ResourceState): void {
    this.resources = this.resources.filter((x) => x !== r);
    this.save();
  }

  noteProvider(s: unknown): void {
    if (typeof s === "string") {
      this.providerStrings.add(s);
    }
  }

  makeUrn(type: string, name: string, parent?: string): string {
    let t = type;
    if (parent) {
      const parentType = parent.split("::")[2];
      if (parentType && parentType !== ROOT_STACK_TYPE) {
        t = `${parentType}$${type}`;
      }
    }
    return `urn:pulumi:${this.stackName}::${this.projectName}::${t}::${name}`;
  }

  private rewriteReferences(from: string, to: string): void {
    this.resources = this.resources.map((x) => {
      const deps = x.dependencies?.includes(from) ? x.dependencies.map((d) => (d === from ? to : d)) : x.dependencies;
      return x.parent === from || deps !== x.dependencies
        ? { ...x, parent: x.parent === from ? to : x.parent, dependencies: deps }
        : x;
    });
  }
}
