/**
 * The inputs of `wallaroo.Workspace` as the provider receives them, and their validation (its
 * `check`). Pure: no network, so preview works offline; unknown values (preview) pass untouched.
 */
import { workspaceNameProblem } from "../sdk/workspaces";
import { CheckFailure, isUnknown, typeName, unknownPropertyFailures } from "./inputs";

/** Inputs after `check`: defaults applied, types verified. */
export interface WorkspaceInputs {
  name: string;
  adoptExisting: boolean;
}

const KNOWN = ["name", "adoptExisting"] as const;

/** Validates raw inputs. Never throws: every problem is a failure naming the property. */
export function checkWorkspaceInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
} {
  const failures = unknownPropertyFailures(news, KNOWN, "wallaroo.Workspace");
  const { name, adoptExisting } = news;
  if (name === undefined || name === null) {
    failures.push({ property: "name", reason: "name is required" });
  } else if (!isUnknown(name)) {
    if (typeof name !== "string") {
      failures.push({ property: "name", reason: `name must be a string, not ${typeName(name)}` });
    } else {
      const problem = workspaceNameProblem(name);
      if (problem)
        failures.push({
          property: "name",
          reason: `workspace name '${name}' is not valid: it ${problem}. Use letters, digits and dashes, starting with a letter`,
        });
    }
  }
  if (adoptExisting !== undefined && !isUnknown(adoptExisting) && typeof adoptExisting !== "boolean") {
    failures.push({
      property: "adoptExisting",
      reason: `adoptExisting must be true or false, not ${typeName(adoptExisting)}`,
    });
  }
  return { inputs: { ...news, adoptExisting: adoptExisting ?? false }, failures };
}

/** Reads checked inputs into their type; `check` has already vetted them. */
export function asWorkspaceInputs(props: Record<string, unknown>): WorkspaceInputs {
  return { name: String(props.name), adoptExisting: props.adoptExisting === true };
}
