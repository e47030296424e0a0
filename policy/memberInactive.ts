/**
 * `wallaroo-member-inactive` (advisory, stack): a `wallaroo.WorkspaceMember` whose user this stack
 * manages as inactive (`active: false`), matched by email. An inactive user cannot log in, so the
 * membership gives nobody access; usually one of the two lines is stale. A value not known until
 * apply is skipped.
 */
import type { StackValidation, StackValidationPolicy } from "@pulumi/policy";
import { readProperty } from "./userResources";
import { wallarooMembers, WORKSPACE_MEMBER_TYPE } from "./workspaceResources";

export const MEMBER_INACTIVE_POLICY = "wallaroo-member-inactive";

const validateMemberInactive: StackValidation = (args, reportViolation) => {
  for (const m of wallarooMembers(args.resources)) {
    if (!m.user || readProperty(m.user.props, "active") !== false) continue;
    reportViolation(
      `Wallaroo workspace member '${m.name}': ${m.email} is a member of ${m.workspaceLabel}, but this stack ` +
        `manages that user as inactive (wallaroo.User '${m.user.name}', active: false), so the membership gives ` +
        `no access. Remove the membership, or activate the user.`,
      m.urn,
    );
  }
};

export const memberInactivePolicy: StackValidationPolicy = {
  name: MEMBER_INACTIVE_POLICY,
  displayName: "Wallaroo members who are inactive",
  description: "Notes workspace memberships of users this stack deactivates.",
  enforcementLevel: "advisory",
  validateStack: Object.assign(validateMemberInactive, { __pulumiType: WORKSPACE_MEMBER_TYPE }),
};
