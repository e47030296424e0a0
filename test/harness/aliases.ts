/**
 * The `aliases` resource option: which old state a registration takes over.
 *
 * Reproduces the step generator of pulumi/pulumi
 * (pkg/resource/deploy/step_generator.go: `getOldResource`, `generateAliases`,
 * `collapseAliasToUrn`, `inheritedChildAlias`, `isOperatedOn`):
 * - the old state is looked up by the resource's own URN first, then by each
 *   alias in order; an alias is a full URN, or a spec whose missing parts
 *   (name, type, parent, project, stack) are the resource's own;
 * - a resource whose parent took over an old URN also tries the URN it would
 *   have had under that old parent (its name's parent-name prefix swapped);
 * - when found through an alias, the old URN is recorded as taken over: the
 *   resource is diffed against that state (Diff, then same or update, never a
 *   create), and the old URN is not deleted at the end of the update;
 * - two resources claiming one old URN, or an alias naming a URN that the
 *   program also registers, are errors (sdk/go/common/diag/errors.go 2008, 2016).
 * Documented at https://www.pulumi.com/docs/iac/concepts/resources/options/aliases/.
 * An alias that matches nothing is ignored: the resource is created.
 */
import type { ResourceState } from "./checkpoint";
import type { AliasSpec } from "./protocol";
import type { StackState } from "./state";
import { ROOT_STACK_TYPE } from "./summaries";

/** What the registrations of one update have taken over so far. */
export class AliasBook {
  /** Old URN → the new URN that took its state over. */
  readonly aliased = new Map<string, string>();
  /** New URN → the old URN whose state it took over. */
  readonly aliasOf = new Map<string, string>();
}

export interface OldLookup {
  old?: ResourceState;
  /** The old URN, when the state was found through an alias. */
  aliasedFrom?: string;
}

/**
 * Finds the old state of a registration (its own URN first, then its aliases)
 * and records an alias match in `book`. Throws the engine's errors for
 * conflicting claims. Call it synchronously, in registration order.
 */
export function findOld(
  state: StackState,
  book: AliasBook,
  olds: Map<string, ResourceState>,
  seen: Set<string>,
  reg: { urn: string; name: string; type: string; parent?: string; aliases?: AliasSpec[] },
): OldLookup {
  const { urn } = reg;
  const claimedBy = book.aliased.get(urn);
  if (claimedBy !== undefined) {
    throw new Error(`Duplicate resource URN '${urn}' conflicting with alias on resource with URN '${claimedBy}'`);
  }
  const own = olds.get(urn);
  if (own) {
    return { old: own };
  }
  for (const alias of generateAliases(state, book, reg.name, reg.type, reg.parent, reg.aliases ?? [])) {
    const old = olds.get(alias);
    if (!old) {
      continue;
    }
    const other = seen.has(alias) ? alias : book.aliased.get(alias);
    if (other !== undefined) {
      throw new Error(
        `Duplicate resource alias '${alias}' applied to resource with URN '${urn}' conflicting with resource with URN '${other}'`,
      );
    }
    book.aliased.set(alias, urn);
    book.aliasOf.set(urn, alias);
    return { old, aliasedFrom: alias };
  }
  return {};
}

/** The URNs a registration's aliases stand for, its parent's alias multiplied in. */
export function generateAliases(
  state: StackState,
  book: AliasBook,
  name: string,
  type: string,
  parent: string | undefined,
  specs: AliasSpec[],
): string[] {
  const result: string[] = [];
  const add = (u: string) => {
    if (!result.includes(u)) {
      result.push(u);
    }
  };
  for (const spec of specs) {
    add(collapseAlias(state, book, name, type, parent, spec));
  }
  const parentAlias = parent ? book.aliasOf.get(parent) : undefined;
  if (parent && parentAlias) {
    const parentName = urnName(parent);
    add(inheritedChildAlias(state, type, name, parentName, parentAlias));
    for (const spec of specs) {
      const child = collapseAlias(state, book, name, type, parent, spec);
      add(inheritedChildAlias(state, urnType(child), urnName(child), parentName, parentAlias));
    }
  }
  return result;
}

function collapseAlias(
  state: StackState,
  book: AliasBook,
  name: string,
  type: string,
  resParent: string | undefined,
  spec: AliasSpec,
): string {
  if ("urn" in spec) {
    return spec.urn;
  }
  let parent = spec.parentUrn ?? resParent;
  if (spec.parentUrn) {
    // A parent that was itself aliased: this resource's old URN is under the parent's old URN.
    parent = book.aliasOf.get(spec.parentUrn) ?? spec.parentUrn;
  }
  if (spec.noParent || (parent && urnQualifiedType(parent) === ROOT_STACK_TYPE)) {
    parent = undefined;
  }
  return newUrn(
    spec.stack || state.stackName,
    spec.project || state.projectName,
    parent ? urnQualifiedType(parent) : undefined,
    spec.type || type,
    spec.name || name,
  );
}

/** A child named `<parent name>-x` had the name `<old parent name>-x` under the old parent. */
function inheritedChildAlias(
  state: StackState,
  childType: string,
  childName: string,
  parentName: string,
  parentAlias: string,
): string {
  const aliasName = childName.startsWith(parentName)
    ? urnName(parentAlias) + childName.slice(parentName.length)
    : childName;
  return newUrn(state.stackName, state.projectName, urnQualifiedType(parentAlias), childType, aliasName);
}

function newUrn(stack: string, project: string, parentType: string | undefined, type: string, name: string): string {
  const t = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${t}::${name}`;
}

function urnQualifiedType(urn: string): string {
  return urn.split("::")[2] ?? "";
}

/** The resource's own type (the last `$`-separated part of the qualified type). */
function urnType(urn: string): string {
  return urnQualifiedType(urn).split("$").pop() ?? "";
}

function urnName(urn: string): string {
  return urn.split("::").slice(3).join("::");
}
