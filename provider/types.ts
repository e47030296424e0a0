/**
 * Wire constants shared by the provider and the policy pack, each defined once.
 *
 * The type tokens of the resources: the resource classes register with them and
 * the policy pack selects on them. A dynamic resource registered with module "wallaroo" and
 * type "X" is `pulumi-nodejs:dynamic/wallaroo:X`. Changing one orphans every stack's state.
 */

/** `wallaroo.User`. */
export const USER_TYPE = "pulumi-nodejs:dynamic/wallaroo:User";
/** `wallaroo.Workspace`. */
export const WORKSPACE_TYPE = "pulumi-nodejs:dynamic/wallaroo:Workspace";
/** `wallaroo.WorkspaceMember`. */
export const WORKSPACE_MEMBER_TYPE = "pulumi-nodejs:dynamic/wallaroo:WorkspaceMember";

/**
 * The engine's placeholder for a value not known yet during preview (a computed input arrives as
 * this string; the pulumi/pulumi wire protocol's UnknownStringValue, also @pulumi/policy's).
 */
export const UNKNOWN_DURING_PREVIEW = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The module and type names the classes pass to `pulumi.dynamic.Resource`, which make the tokens above. */
export const TYPE_MODULE = "wallaroo";
