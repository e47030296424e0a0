/**
 * `pulumi-wallaroo/policy`: the policies of the `wallaroo-licence` pack and a function that builds
 * the pack, for a policy pack of your own (the convention of Pulumi's published policy libraries:
 * the library exports policies, your pack's `index.ts` constructs the `PolicyPack`):
 *
 * ```ts
 * import { createWallarooPolicyPack } from "pulumi-wallaroo/policy";
 * createWallarooPolicyPack({ "wallaroo-active-user-limit": { edition: "community", unmanagedActiveUsers: 1 } });
 * ```
 *
 * Importing this module constructs nothing. The ready-made pack folder
 * `node_modules/pulumi-wallaroo/policy` runs `pack.ts`, which calls {@link createWallarooPolicyPack}.
 */
import { PolicyPack } from "@pulumi/policy";
import type { Policies, PolicyPackConfig } from "@pulumi/policy";
import { POLICY_PACK_NAME, wallarooPolicies } from "./policies";

export {
  ACTIVE_USER_LIMIT_POLICY,
  DUPLICATE_EMAIL_POLICY,
  POLICY_PACK_NAME,
  UNKNOWN_VALUES_POLICY,
  USER_EMAIL_POLICY,
  activeUserLimitPolicy,
  duplicateEmailPolicy,
  unknownValuesPolicy,
  userEmailPolicy,
  wallarooPolicies,
} from "./policies";
export { COMMUNITY_ACTIVE_USER_LIMIT, EDITIONS, PolicyConfigError, activeUserLimitConfigSchema } from "./config";
export type { ActiveUserLimitConfig, Edition } from "./config";
export { WALLAROO_USER_TYPE } from "./userResources";
export {
  WORKSPACE_NAME_POLICY,
  DUPLICATE_MEMBERSHIP_POLICY,
  MEMBER_INACTIVE_POLICY,
  workspaceNamePolicy,
  duplicateMembershipPolicy,
  memberInactivePolicy,
} from "./workspacePolicies";

export interface WallarooPolicyPackOptions {
  /** The pack's name, as `pulumi preview` reports it. Default `wallaroo-licence`. */
  readonly name?: string;
  /** The policies to run. Default: all of {@link wallarooPolicies}. */
  readonly policies?: Policies;
}

/**
 * Constructs the `wallaroo-licence` policy pack, which starts @pulumi/policy's analyzer server:
 * call it once, from a policy pack's entry point, never from a Pulumi program.
 *
 * @param config Initial configuration (policy name → enforcement level, or an object with
 *   `enforcementLevel` and the policy's properties); `--policy-pack-config` overrides it.
 */
export function createWallarooPolicyPack(
  config?: PolicyPackConfig,
  options: WallarooPolicyPackOptions = {},
): PolicyPack {
  return new PolicyPack(
    options.name ?? POLICY_PACK_NAME,
    {
      displayName: "Wallaroo licence",
      description:
        "Checks pulumi-wallaroo users (active users within the licence, well-formed and unique emails) and workspaces (valid names, unique memberships).",
      policies: options.policies ?? wallarooPolicies,
    },
    config,
  );
}
