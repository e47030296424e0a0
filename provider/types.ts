/**
 * The type tokens of the resources, defined once: the resource classes register with them and
 * the policy pack selects on them. A dynamic resource registered with module "wallaroo" and
 * type "X" is `pulumi-nodejs:dynamic/wallaroo:X`. Changing one orphans every stack's state.
 */

/** `wallaroo.User`. */
export const USER_TYPE = "pulumi-nodejs:dynamic/wallaroo:User";
/** `wallaroo.Workspace`. */
export const WORKSPACE_TYPE = "pulumi-nodejs:dynamic/wallaroo:Workspace";
/** `wallaroo.WorkspaceMember`. */
export const WORKSPACE_MEMBER_TYPE = "pulumi-nodejs:dynamic/wallaroo:WorkspaceMember";

/** The module and type names the classes pass to `pulumi.dynamic.Resource`, which make the tokens above. */
export const TYPE_MODULE = "wallaroo";
