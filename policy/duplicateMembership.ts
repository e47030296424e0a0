/**
 * `wallaroo-duplicate-membership` (mandatory, stack): two `wallaroo.WorkspaceMember`s for the same
 * workspace and email would act on one membership and undo each other's role changes (and the
 * first delete would remove the member the other still declares). Unknown values are resolved
 * through the resources they come from (see workspaceResources.ts) or skipped.
 */
import type { StackValidation, StackValidationPolicy } from "@pulumi/policy";
import { WallarooMember, wallarooMembers, WORKSPACE_MEMBER_TYPE } from "./workspaceResources";

export const DUPLICATE_MEMBERSHIP_POLICY = "wallaroo-duplicate-membership";

const validateDuplicateMembership: StackValidation = (args, reportViolation) => {
  const first = new Map<string, WallarooMember>();
  for (const m of wallarooMembers(args.resources)) {
    if (m.workspaceKey === undefined || m.email === undefined) continue;
    const key = `${m.workspaceKey} ${m.email}`;
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, m);
      continue;
    }
    reportViolation(
      `Wallaroo workspace members '${earlier.name}' and '${m.name}' both manage ${m.email} in ${m.workspaceLabel} ` +
        `(emails are compared trimmed and case-insensitively). They would act on the same membership and undo ` +
        `each other's changes; keep one.\n  ${earlier.urn}\n  ${m.urn}`,
      m.urn,
    );
  }
};

export const duplicateMembershipPolicy: StackValidationPolicy = {
  name: DUPLICATE_MEMBERSHIP_POLICY,
  displayName: "Unique Wallaroo workspace memberships",
  description: "A stack declares each user's membership of a workspace once.",
  enforcementLevel: "mandatory",
  validateStack: Object.assign(validateDuplicateMembership, { __pulumiType: WORKSPACE_MEMBER_TYPE }),
};
