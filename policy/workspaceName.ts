/**
 * `wallaroo-workspace-name` (mandatory, resource): a `wallaroo.Workspace`'s name follows the
 * Wallaroo SDK's rule, `^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]*$`, under 64 characters (see
 * docs/workspaces.md). A name not known until apply is skipped; the provider checks it then.
 */
import type { ResourceValidation, ResourceValidationPolicy } from "@pulumi/policy";
import { WORKSPACE_NAME_RULE, workspaceNameProblem } from "../sdk/workspaces";
import { readProperty, UNKNOWN } from "./userResources";
import { WORKSPACE_TYPE } from "./workspaceResources";

export const WORKSPACE_NAME_POLICY = "wallaroo-workspace-name";

const validateWorkspaceName: ResourceValidation = (args, reportViolation) => {
  if (args.type !== WORKSPACE_TYPE) {
    args.notApplicable(`Policy only applies to resources of type '${WORKSPACE_TYPE}'`);
  }
  const name = readProperty(args.props, "name");
  if (name === UNKNOWN) return;
  let problem: string | undefined;
  if (typeof name === "string") {
    const why = workspaceNameProblem(name);
    problem = why && `name ${JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name)} ${why}`;
  } else if (name === undefined || name === null) {
    problem = "has no name";
  } else {
    problem = `has a name that is not a string (${typeof name})`;
  }
  if (problem !== undefined) {
    reportViolation(
      `Wallaroo workspace '${args.name}': ${problem}. Workspace names use letters, digits and dashes, start with a ` +
        `letter and have at most 63 characters (${WORKSPACE_NAME_RULE}); the Wallaroo API rejects others.`,
    );
  }
};

export const workspaceNamePolicy: ResourceValidationPolicy = {
  name: WORKSPACE_NAME_POLICY,
  displayName: "Wallaroo workspace name",
  description: "Every Wallaroo workspace name follows Wallaroo's rule: letters, digits and dashes, at most 63.",
  enforcementLevel: "mandatory",
  validateResource: Object.assign(validateWorkspaceName, { __pulumiType: WORKSPACE_TYPE }),
};
