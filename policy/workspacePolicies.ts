/** The workspace policies, one per file; this module only gathers them. */
export { WORKSPACE_NAME_POLICY, workspaceNamePolicy } from "./workspaceName";
export { DUPLICATE_MEMBERSHIP_POLICY, duplicateMembershipPolicy } from "./duplicateMembership";
export { MEMBER_INACTIVE_POLICY, memberInactivePolicy } from "./memberInactive";
