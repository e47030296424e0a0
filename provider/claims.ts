/**
 * Which ids the resources of this operation keep, so that a delete in the same operation leaves
 * them alone (the rename protection).
 *
 * A resource renamed without an alias is, to the engine, a create (or a same) of the new name and
 * a delete of the old one, both in the one host process the engine starts per operation. When that
 * up fails, the deletes are skipped, and the next up's delete of the old name runs in a fresh
 * process where no create happened. But the engine diffs every registered resource that has state
 * before it runs any delete (pkg/resource/deploy/step_generator.go in pulumi/pulumi), so an id
 * seen in a diff that keeps its resource is known to be kept; an id whose diff asks for a
 * replacement is not (its old half must still go). `--target` limits the diffs to the targeted
 * resources: an untargeted resource that keeps an id does not protect it (README).
 */
export class OperationClaims {
  readonly #ids = new Set<string>();

  /** A create (or adoption, or takeover) of this operation now manages `id`. */
  claim(id: string): void {
    this.#ids.add(id);
  }

  /** A diff of this operation keeps the resource with `id` (no replacement asked). */
  kept(id: string): void {
    this.#ids.add(id);
  }

  /** Whether a resource of this operation manages `id`: a delete of `id` must then change nothing. */
  holds(id: string): boolean {
    return this.#ids.has(id);
  }
}
