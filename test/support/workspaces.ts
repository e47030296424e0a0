/** Looking at the emulator's workspaces from tests: what changed, and what the server holds. */
import type { RunningEmulator } from "../../emulator";
import type { StoredWorkspace } from "../../emulator/types";

/** Calls the emulator received per workspace endpoint since the last reset, mutating ones only. */
export function workspaceMutations(emu: RunningEmulator): Record<string, number> {
  const r = emu.stats().requests;
  const out: Record<string, number> = {};
  for (const name of ["create", "add_user", "remove_user"]) {
    const n = r[`/v1/api/workspaces/${name}`] ?? 0;
    if (n > 0) out[name] = n;
  }
  return out;
}

/** The workspace of that name on the server, with its members as `email → role` (the admin as "admin"). */
export function serverWorkspace(
  emu: RunningEmulator,
  name: string,
): (Omit<StoredWorkspace, "members"> & { members: Record<string, string> }) | undefined {
  const w = emu.workspaces().find((x) => x.name === name);
  if (!w) return undefined;
  const users = emu.users();
  const members = Object.fromEntries(
    w.members.map((m) => {
      const u = users.find((x) => x.id === m.user_id);
      return [u?.email ?? u?.username ?? m.user_id, m.user_type];
    }),
  );
  return { ...w, members };
}
