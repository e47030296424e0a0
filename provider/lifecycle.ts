/**
 * FROZEN: the provider entry that every stack's state refers to.
 *
 * Each `wallaroo.User` in a state carries a `__provider` text (written by provider.ts at
 * registration) that does `require("pulumi-wallaroo/dist/provider/lifecycle")` and calls the
 * exports below by these names. `pulumi refresh` and `pulumi destroy` run the state's copy of
 * that text, so a state written by any release must keep working with every later release:
 * this file's path and its exports never change. New resources add exports; none is renamed or
 * removed. test/provider/frozen-entry.test.ts drives a 0.1.0 state through the current build.
 */
export { configure } from "./runtime";
export { check, diff, create, read, update, remove } from "./userLifecycle";

import * as workspaceLifecycle from "./workspaceLifecycle";
import * as memberLifecycle from "./memberLifecycle";

/** `wallaroo.Workspace`: its provider calls `workspace.create(...)` etc. */
export const workspace = {
  check: workspaceLifecycle.check,
  diff: workspaceLifecycle.diff,
  create: workspaceLifecycle.create,
  read: workspaceLifecycle.read,
  update: workspaceLifecycle.update,
  remove: workspaceLifecycle.remove,
};

/** `wallaroo.WorkspaceMember`: its provider calls `workspaceMember.create(...)` etc. */
export const workspaceMember = {
  check: memberLifecycle.check,
  diff: memberLifecycle.diff,
  create: memberLifecycle.create,
  read: memberLifecycle.read,
  update: memberLifecycle.update,
  remove: memberLifecycle.remove,
};
