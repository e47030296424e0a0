/**
 * A program of the native plugin's resources (read from Pulumi YAML or Python by its test), played
 * through the plugin process over gRPC as the engine plays it, since there is no Pulumi CLI here: up
 * checks and creates each resource after the ones it refers to, with those references resolved from
 * their outputs; a second up diffs each resource to no change; destroy (a new plugin process, as the
 * CLI starts one per operation) deletes in reverse order. The emulator is checked after every create
 * and every delete. Used by yaml-roster.test.ts and python-roster.test.ts.
 */
import assert from "node:assert/strict";
import type { RunningEmulator } from "../../emulator";
import { secret } from "../harness";
import { PluginProcess, type Props } from "../plugin/pluginProcess";
import { ADMIN_PASSWORD } from "../support/world";
import { TOKENS } from "../../plugin/spec";

/** One resource of a program, whatever language declared it. */
export interface ProgramResource {
  /** Its name in the program: the name of its URN. */
  name: string;
  /** Its type token, e.g. `wallaroo:index:User`. */
  type: string;
  /** The names of the resources its inputs refer to. */
  dependsOn: string[];
  /** Its inputs (schema names), with every reference resolved from the outputs of the resources named. */
  inputs(outputs: Record<string, Props>): Props;
}

/** What the engine keeps of a created resource. */
export interface Created {
  type: string;
  id: string;
  inputs: Props;
  outputs: Props;
}

/** The created resources by name, in the order they were created. */
export type Stack = Record<string, Created>;

/** The resources, each after every resource it refers to. */
export function dependencyOrder(resources: readonly ProgramResource[]): ProgramResource[] {
  const byName = new Map(resources.map((r) => [r.name, r]));
  assert.equal(byName.size, resources.length, "two resources of one name: their URNs would clash");
  const order: ProgramResource[] = [];
  const visit = (name: string, path: string[]) => {
    const r = byName.get(name);
    assert.ok(r, `${path.at(-1)}: refers to '${name}', which is no resource of the program`);
    if (order.includes(r)) return;
    assert.ok(!path.includes(name), `a reference cycle: ${[...path, name].join(" → ")}`);
    for (const d of r.dependsOn) visit(d, [...path, name]);
    order.push(r);
  };
  for (const r of resources) visit(r.name, []);
  return order;
}

/** A plugin process configured for the emulator as the stack configuration would configure it. */
export async function startConfiguredPlugin(emu: RunningEmulator): Promise<PluginProcess> {
  const plugin = await PluginProcess.start({ via: "bin" });
  try {
    await plugin.configure({ url: emu.url, username: "admin", password: secret(ADMIN_PASSWORD) });
  } catch (e) {
    await plugin.close();
    throw e;
  }
  return plugin;
}

/** `pulumi up` on an empty stack: Check then Create of each resource in dependency order; the server checked after each. */
export async function up(
  plugin: PluginProcess,
  emu: RunningEmulator,
  resources: readonly ProgramResource[],
): Promise<Stack> {
  const stack: Stack = {};
  const outputs: Record<string, Props> = {};
  for (const r of dependencyOrder(resources)) {
    const checked = await plugin.check(r.type, r.name, r.inputs(outputs));
    assert.deepEqual(checked.failures, [], `${r.name}: ${JSON.stringify(checked.failures)}`);
    const c = await plugin.create(r.type, r.name, checked.inputs);
    stack[r.name] = { type: r.type, id: c.id, inputs: checked.inputs, outputs: c.outputs };
    outputs[r.name] = c.outputs;
    assertCreatedOnServer(emu, r.name, stack[r.name]);
  }
  return stack;
}

/** A second `pulumi up` with the same program: every resource diffs to no change. */
export async function upAgain(plugin: PluginProcess, stack: Stack): Promise<void> {
  for (const [name, c] of Object.entries(stack)) {
    const checked = await plugin.check(c.type, name, c.inputs, c.inputs);
    assert.deepEqual(checked.failures, [], `${name}: ${JSON.stringify(checked.failures)}`);
    const d = await plugin.diff(c.type, name, c.id, c.inputs, c.outputs, checked.inputs);
    assert.equal(d.changes, "none", `${name}: ${JSON.stringify(d)}`);
  }
}

/** `pulumi destroy`: a plugin process of its own, deletes in reverse dependency order; the server checked after each. */
export async function destroy(
  emu: RunningEmulator,
  resources: readonly ProgramResource[],
  stack: Stack,
): Promise<void> {
  const destroyer = await startConfiguredPlugin(emu);
  try {
    for (const r of dependencyOrder(resources).reverse()) {
      const c = stack[r.name];
      assert.ok(c, `${r.name} was never created`);
      await destroyer.delete(c.type, r.name, c.id, c.inputs, c.outputs);
      assertDeletedOnServer(emu, r.name, c);
    }
  } finally {
    await destroyer.close();
  }
}

function serverUser(emu: RunningEmulator, id: unknown) {
  return emu.users().find((u) => u.id === id);
}

function serverWorkspaceById(emu: RunningEmulator, id: unknown) {
  return emu.workspaces().find((w) => w.id === id);
}

/** What the server holds once a resource is created: the user with its state, the workspace, the membership with its role. */
export function assertCreatedOnServer(emu: RunningEmulator, name: string, c: Created): void {
  switch (c.type) {
    case TOKENS.user: {
      const u = serverUser(emu, c.outputs.userId);
      assert.ok(u, `${name}: no user ${String(c.outputs.userId)} on the server`);
      assert.equal(u.email, String(c.inputs.email).toLowerCase(), `${name}: the server's email`);
      assert.equal(u.enabled, c.inputs.active !== false, `${name}: enabled on the server`);
      break;
    }
    case TOKENS.workspace: {
      const w = serverWorkspaceById(emu, c.outputs.workspaceId);
      assert.ok(w, `${name}: no workspace ${String(c.outputs.workspaceId)} on the server`);
      assert.equal(w.name, c.inputs.name, `${name}: the server's workspace name`);
      break;
    }
    case TOKENS.workspaceMember: {
      const w = serverWorkspaceById(emu, c.inputs.workspaceId);
      assert.ok(w, `${name}: no workspace ${String(c.inputs.workspaceId)} on the server`);
      const m = w.members.find((x) => x.user_id === c.outputs.userId);
      assert.ok(m, `${name}: ${String(c.inputs.email)} is not a member of ${w.name} on the server`);
      assert.equal(serverUser(emu, m.user_id)?.email, String(c.inputs.email).toLowerCase(), `${name}: the member`);
      // Check applies the default role, so the checked inputs always say it.
      assert.equal(m.user_type, String(c.inputs.role).toUpperCase(), `${name}: the role on the server`);
      break;
    }
    default:
      assert.fail(`${name}: no server check for the type ${c.type}`);
  }
}

/** What the server holds once a resource is deleted: the user deactivated, the workspace kept, the membership gone. */
export function assertDeletedOnServer(emu: RunningEmulator, name: string, c: Created): void {
  switch (c.type) {
    case TOKENS.user:
      assert.equal(serverUser(emu, c.outputs.userId)?.enabled, false, `${name}: deactivated, not removed`);
      break;
    case TOKENS.workspace:
      // The API has no call that deletes or archives a workspace: it stays on the instance.
      assert.ok(serverWorkspaceById(emu, c.outputs.workspaceId), `${name}: the workspace stays`);
      break;
    case TOKENS.workspaceMember: {
      const w = serverWorkspaceById(emu, c.inputs.workspaceId);
      assert.ok(!w?.members.some((m) => m.user_id === c.outputs.userId), `${name}: still a member`);
      break;
    }
    default:
      assert.fail(`${name}: no server check for the type ${c.type}`);
  }
}
