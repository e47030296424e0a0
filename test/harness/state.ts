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
import { isDefaultProviderUrn } from "./providerPlugins";

export const PROVIDER_KEY = "__provider";

export class StackState {
  /**
   * Entries in state order. A removed entry leaves a hole (`undefined`), so
   * that a step's lookup, write or removal costs O(1) and an operation over N
   * resources O(N), not O(N²).
   */
  private slots: Array<ResourceState | undefined> = [];
  private holes = 0;
  /** Each entry's position in `slots`. */
  private readonly slotOf = new Map<ResourceState, number>();
  /** The live (not pending-delete) entry of each URN. */
  private readonly liveByUrn = new Map<string, ResourceState>();
  /** `resources` as last returned; dropped by every change. */
  private view?: readonly ResourceState[];
  private lastProvider?: string;
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

  /** The entries in state order. Read-only: change them through the methods below. */
  get resources(): readonly ResourceState[] {
    // A copy, so that the array a caller holds does not change under it.
    this.view ??= this.slots.filter((x): x is ResourceState => x !== undefined);
    return this.view;
  }

  /** Replaces every entry (a preview's saved copy restored). */
  set resources(list: readonly ResourceState[]) {
    this.index([...list]);
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
    return this.liveByUrn.get(urn);
  }

  /**
   * URNs in state, optionally of one type, excluding the stack and pending deletions (and, without
   * a type, default providers: ask for their type, e.g. `pulumi:providers:pulumi-nodejs`, to see them).
   */
  urns(type?: string): string[] {
    return this.resources
      .filter((r) => r.type !== ROOT_STACK_TYPE && !r.delete && (type ? r.type === type : !isDefaultProviderUrn(r.urn)))
      .map((r) => r.urn);
  }

  /**
   * Writes a resource's new state. `aliasedFrom`: the old URN whose entry it
   * replaces (the resource took that state over through an alias).
   */
  upsert(r: ResourceState, aliasedFrom?: string): void {
    const prev = this.liveByUrn.get(aliasedFrom ?? r.urn);
    if (prev) {
      this.put(this.slotOf.get(prev)!, r);
    } else {
      this.put(this.slots.length, r);
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
    const prev = this.liveByUrn.get(urn);
    if (!prev) {
      return undefined;
    }
    const marked = { ...prev, delete: true };
    this.put(this.slotOf.get(prev)!, marked);
    this.save();
    return marked;
  }

  /** Replaces one entry in place (refresh), keeping its position. */
  replace(old: ResourceState, next: ResourceState): void {
    const i = this.slotOf.get(old);
    if (i !== undefined) {
      this.put(i, next);
      this.save();
    }
  }

  remove(r: ResourceState): void {
    const i = this.slotOf.get(r);
    if (i !== undefined) {
      this.slots[i] = undefined;
      this.slotOf.delete(r);
      this.dropLive(r);
      this.view = undefined;
      // Closing the holes costs O(N): done once they are half the slots, O(1) a removal on average.
      if (++this.holes > this.slots.length / 2) {
        this.index(this.slots.filter((x): x is ResourceState => x !== undefined));
      }
    }
    this.save();
  }

  noteProvider(s: unknown): void {
    // Every step carries the same long text: comparing it with the last one is cheaper than hashing it.
    if (typeof s === "string" && s !== this.lastProvider) {
      this.lastProvider = s;
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

  /** Writes entry `r` at position `i` (the end: appended), keeping the indexes. */
  private put(i: number, r: ResourceState): void {
    const prev = this.slots[i];
    if (prev !== undefined && prev !== r) {
      this.slotOf.delete(prev);
      this.dropLive(prev);
    }
    this.slots[i] = r;
    this.slotOf.set(r, i);
    if (!r.delete && !this.liveByUrn.has(r.urn)) {
      this.liveByUrn.set(r.urn, r);
    }
    this.view = undefined;
  }

  private dropLive(r: ResourceState): void {
    if (this.liveByUrn.get(r.urn) === r) {
      this.liveByUrn.delete(r.urn);
    }
  }

  /** Rebuilds the indexes over `list`, which becomes the slots. The first live entry of a URN is its live one. */
  private index(list: ResourceState[]): void {
    this.slots = list;
    this.holes = 0;
    this.slotOf.clear();
    this.liveByUrn.clear();
    list.forEach((r, i) => {
      this.slotOf.set(r, i);
      if (!r.delete && !this.liveByUrn.has(r.urn)) {
        this.liveByUrn.set(r.urn, r);
      }
    });
    this.view = undefined;
  }

  private rewriteReferences(from: string, to: string): void {
    this.slots.forEach((x, i) => {
      if (x === undefined) {
        return;
      }
      const deps = x.dependencies?.includes(from) ? x.dependencies.map((d) => (d === from ? to : d)) : x.dependencies;
      if (x.parent === from || deps !== x.dependencies) {
        this.put(i, { ...x, parent: x.parent === from ? to : x.parent, dependencies: deps });
      }
    });
  }
}
