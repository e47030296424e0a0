/**
 * Calls the pack's validate functions directly, with arguments shaped as @pulumi/policy's analyzer
 * server builds them (see its server.js): `props` wrapped in the same unknown-checking proxy,
 * resource options, dependency fields, `getConfig`, `notApplicable`. For unit tests, benchmarks,
 * and users who want to check a list of resources without the Pulumi CLI.
 */
import * as policySdk from "@pulumi/policy";
import type {
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { UNKNOWN_DURING_PREVIEW, WALLAROO_USER_TYPE } from "../../policy/userResources";
import { WORKSPACE_MEMBER_TYPE, WORKSPACE_TYPE } from "../../policy/workspaceResources";

export { UNKNOWN_DURING_PREVIEW };

// Exported by @pulumi/policy's index at run time, though its published typings leave them out.
const { unknownCheckingProxy } = policySdk as unknown as {
  unknownCheckingProxy<T extends object>(props: T): T;
};

export interface Violation {
  readonly message: string;
  readonly urn?: string;
}

export interface PolicyOutcome {
  readonly violations: Violation[];
  /** The reason given when the policy declared itself not applicable. */
  readonly notApplicable?: string;
}

class NotApplicable extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason ?? "Policy does not apply");
  }
}

const defaultOptions: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

export function urnFor(type: string, name: string, stack = "dev", project = "wallaroo-users"): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** A resource as a stack policy receives it. */
export function policyResource(
  type: string,
  name: string,
  props: Record<string, unknown>,
  urn = urnFor(type, name),
): PolicyResource {
  const proxied = unknownCheckingProxy({ ...props });
  const isType = (resourceClass: unknown): boolean =>
    (resourceClass as { __pulumiType?: unknown } | undefined)?.__pulumiType === type;
  return {
    type,
    name,
    urn,
    props: proxied,
    opts: defaultOptions,
    dependencies: [],
    propertyDependencies: {},
    isType,
    asType: ((resourceClass: unknown) => (isType(resourceClass) ? proxied : undefined)) as PolicyResource["asType"],
  };
}

/**
 * A `wallaroo.User` as a policy receives it: `props` are its inputs during preview, its outputs
 * afterwards; the engine leaves out internal keys such as `__provider`.
 */
export function userResource(name: string, props: Record<string, unknown>): PolicyResource {
  return policyResource(WALLAROO_USER_TYPE, name, props);
}

/** A `wallaroo.Workspace` as a policy receives it. */
export function workspaceResource(name: string, props: Record<string, unknown>): PolicyResource {
  return policyResource(WORKSPACE_TYPE, name, props);
}

/**
 * A `wallaroo.WorkspaceMember` as a stack policy receives it; `dependsOn` gives the resources a
 * property's value comes from (`{ workspaceId: [ws], email: [user] }`), as the engine sends them.
 */
export function memberResource(
  name: string,
  props: Record<string, unknown>,
  dependsOn: Record<string, PolicyResource[]> = {},
): PolicyResource {
  const r = policyResource(WORKSPACE_MEMBER_TYPE, name, props);
  return { ...r, dependencies: Object.values(dependsOn).flat(), propertyDependencies: dependsOn };
}

function collector(): { violations: Violation[]; reportViolation: ReportViolation } {
  const violations: Violation[] = [];
  return {
    violations,
    reportViolation: (message, urn) => void violations.push(urn === undefined ? { message } : { message, urn }),
  };
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicable(reason);
}

function configFor(config: Record<string, unknown>) {
  return <T extends object>(): T => ({ ...config }) as T;
}

/** Runs a stack policy's `validateStack` over `resources` with the given policy configuration. */
export async function runStackPolicy(
  policy: StackValidationPolicy,
  resources: PolicyResource[],
  config: Record<string, unknown> = {},
): Promise<PolicyOutcome> {
  const { violations, reportViolation } = collector();
  const args: StackValidationArgs = {
    resources,
    stackTags: new Map(),
    getConfig: configFor(config),
    notApplicable: throwNotApplicable,
  };
  try {
    await policy.validateStack(args, reportViolation);
  } catch (e) {
    if (e instanceof NotApplicable) return { violations, notApplicable: e.reason };
    throw e;
  }
  return { violations };
}

/** Runs a resource policy's `validateResource` on one resource (the request `Analyze` receives). */
export async function runResourcePolicy(
  policy: ResourceValidationPolicy,
  resource: PolicyResource,
  config: Record<string, unknown> = {},
): Promise<PolicyOutcome> {
  const { violations, reportViolation } = collector();
  const args: ResourceValidationArgs = {
    type: resource.type,
    props: resource.props,
    urn: resource.urn,
    name: resource.name,
    opts: resource.opts,
    stackTags: new Map(),
    isType: resource.isType,
    asType: resource.asType as ResourceValidationArgs["asType"],
    getConfig: configFor(config),
    notApplicable: throwNotApplicable,
  };
  const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
  try {
    for (const validate of validations) {
      await validate(args, reportViolation);
    }
  } catch (e) {
    if (e instanceof NotApplicable) return { violations, notApplicable: e.reason };
    throw e;
  }
  return { violations };
}
