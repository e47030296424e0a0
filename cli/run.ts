/**
 * The `wallaroo-users` command, as a function: `run(argv, io)` returns the exit
 * status and writes only to `io`, so that tests drive it in-process.
 * Output goes to stdout, progress and errors to stderr; never a stack trace, never a secret.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { isWallarooError, WallarooClient } from "../sdk";
import { resolveEdition } from "../sdk/edition";
import { CLI_SETTING_NAMES } from "../sdk/settingNames";
import { groupDigits, plural } from "../policy/plural";
import type { WallarooUser } from "../sdk";
import { CliArgs, parseArgs, UsageError } from "./args";
import { generateRoster, generateTs } from "./generate";
import { formatSeats, managedUsers, seatsReport } from "./seats";
import { formatUserJson, formatUserJsonWithWorkspaces, formatUserTable, formatWorkspaceTable } from "./list";
import { fetchWorkspaces, WorkspaceListing } from "./workspaces";
import { HELP, PROGRAM, SYNOPSIS } from "./usage";
import { packageVersion } from "../sdk/version";

export interface Writable {
  write(chunk: string): unknown;
}

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  /** The environment to read the WALLAROO_* variables from. */
  env: NodeJS.ProcessEnv;
  /** Directory that relative `--out` paths are resolved against (default: the process's). */
  cwd?: string;
}

/** Exit statuses. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** `seats --roster`: the roster does not fit the licence, at the end of the update or at its peak. */
export const EXIT_DOES_NOT_FIT = 3;

export { groupDigits };

/** Counts in progress lines are grouped: "fetched 1,234,567 users". */
const GROUPED = { grouped: true } as const;

/** Removes every known secret from a text that is about to be printed (defence in depth: the SDK redacts already). */
function scrubber(args: Partial<CliArgs>, env: NodeJS.ProcessEnv): (text: string) => string {
  const secrets = [args.token, env.WALLAROO_TOKEN, env.WALLAROO_PASSWORD]
    .filter((s): s is string => typeof s === "string" && s.trim().length >= 3)
    .sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((t, s) => t.split(s).join("***"), text);
}

function clientFor(args: CliArgs, io: CliIO): WallarooClient {
  const env = { ...io.env };
  // Flags are explicit credentials, which the client takes as a whole; the password is never a flag,
  // so with --username it comes from WALLAROO_PASSWORD (or the credentials file). A WALLAROO_TOKEN left
  // in the environment does not win over --username.
  const explicit = args.username !== undefined || args.token !== undefined || args.credentialsFile !== undefined;
  return new WallarooClient({
    url: args.url,
    authUrl: args.authUrl,
    username: args.username,
    password: explicit && args.token === undefined ? env.WALLAROO_PASSWORD : undefined,
    token: args.token,
    credentialsFile: args.credentialsFile ?? (explicit ? env.WALLAROO_SDK_CREDENTIALS : undefined),
    caCertPath: args.caCert,
    edition: args.edition,
    settingNames: CLI_SETTING_NAMES,
    env,
    onWarning: (m) => io.stderr.write(`${PROGRAM}: ${m}\n`),
  });
}

async function fetchUsers(client: WallarooClient, progress: (line: string) => void): Promise<WallarooUser[]> {
  const started = Date.now();
  const slow = setTimeout(() => progress(`fetching users from ${client.url} ...`), 1000);
  slow.unref();
  try {
    const users = await client.listUsers();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    progress(`fetched ${plural(users.length, "user", GROUPED)} from ${client.url} in ${seconds} s`);
    return users;
  } finally {
    clearTimeout(slow);
  }
}

/**
 * The workspaces with their members. When they cannot be listed (an account without the right, a
 * server without the workspace API), the users are still shown: a warning says what is missing.
 */
async function workspacesOf(
  client: WallarooClient,
  progress: (line: string) => void,
  warn: (line: string) => void,
): Promise<WorkspaceListing> {
  const listing = await fetchWorkspaces(client);
  if ("error" in listing) {
    warn(`warning: the workspaces could not be listed, so they are left out: ${listing.error}`);
  } else {
    const n = listing.workspaces.length;
    const m = listing.workspaces.reduce((sum, w) => sum + w.members.length, 0);
    progress(`fetched ${plural(n, "workspace", GROUPED)} (${plural(m, "membership", GROUPED)}) from ${client.url}`);
  }
  return listing;
}

async function execute(
  args: CliArgs,
  io: CliIO,
  progress: (line: string) => void,
  warn: (line: string) => void,
): Promise<number> {
  // The stack's emails are read before anything is fetched: a bad file fails fast, naming it.
  let managed: ReturnType<typeof managedUsers>;
  try {
    managed = args.command === "seats" ? managedUsers(args.roster, args.programUsers) : undefined;
  } catch (e) {
    const file = args.roster ?? args.programUsers;
    const why = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    io.stderr.write(`${PROGRAM}: error: cannot read ${args.roster ? "--roster" : "--program-users"} ${file}: ${why}\n`);
    return EXIT_FAILURE;
  }
  // --edition, else WALLAROO_EDITION, else community: the report says which, so an assumption reads as one.
  const edition = resolveEdition({ value: args.edition, setting: "--edition", source: "flag" }, io.env);
  const client = clientFor(args, io);
  try {
    const users = await fetchUsers(client, progress);
    if (args.command === "seats") {
      const report = seatsReport(users, { edition, limit: args.limit, managed });
      io.stdout.write(
        args.json ? JSON.stringify({ url: client.url, ...report }, null, 2) + "\n" : formatSeats(report, client.url),
      );
      return report.fit?.fits === false ? EXIT_DOES_NOT_FIT : EXIT_OK;
    }
    const listing = await workspacesOf(client, progress, warn);
    if (args.command === "list") {
      if ("error" in listing) io.stdout.write(args.json ? formatUserJson(users) : formatUserTable(users));
      else if (args.json) io.stdout.write(formatUserJsonWithWorkspaces(users, listing.workspaces));
      else {
        io.stdout.write(formatUserTable(users));
        // Only when there are workspaces, so the output of an instance without any is unchanged.
        if (listing.workspaces.length > 0) io.stdout.write(`\n${formatWorkspaceTable(listing.workspaces, users)}`);
      }
      return EXIT_OK;
    }
    const generated = (args.format === "roster" ? generateRoster : generateTs)(users, {
      source: client.url,
      account: client.account,
      workspaces: listing,
    });
    const summary = `${plural(generated.managed, "user", GROUPED)}${
      generated.excluded > 0 ? `, ${groupDigits(generated.excluded)} left out (listed in a comment)` : ""
    }${
      generated.members > 0
        ? `, ${plural(generated.workspaces, "workspace", GROUPED)} with ${plural(generated.members, "membership", GROUPED)}`
        : ""
    }`;
    if (args.out !== undefined) {
      const path = resolve(io.cwd ?? process.cwd(), args.out);
      try {
        writeFileSync(path, generated.text, "utf8");
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? "error";
        io.stderr.write(`${PROGRAM}: error: cannot write ${path}: ${code}\n`);
        return EXIT_FAILURE;
      }
      progress(`wrote ${path}: ${summary}`);
    } else {
      io.stdout.write(generated.text);
      progress(`generated ${summary}`);
    }
    return EXIT_OK;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/**
 * Runs `wallaroo-users` with `argv` (the arguments after the program name).
 * Resolves to the exit status: 0 success, 1 failure, 2 bad usage. Never rejects.
 */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(
        `${PROGRAM}: ${scrubber({}, io.env)(e.message)}\n\n${SYNOPSIS}\nRun '${PROGRAM} --help' for the options and environment variables.\n`,
      );
      return EXIT_USAGE;
    }
    throw e;
  }
  if (args.help) {
    io.stdout.write(HELP);
    return EXIT_OK;
  }
  if (args.version) {
    io.stdout.write(`${PROGRAM} ${packageVersion()}\n`);
    return EXIT_OK;
  }
  const scrub = scrubber(args, io.env);
  const progress = args.quiet ? () => undefined : (line: string) => void io.stderr.write(`${scrub(line)}\n`);
  const warn = (line: string) => void io.stderr.write(`${PROGRAM}: ${scrub(line)}\n`);
  try {
    return await execute(args, io, progress, warn);
  } catch (e) {
    let message: string;
    if (isWallarooError(e)) {
      // The client speaks this command's vocabulary (CLI_SETTING_NAMES): its hints name flags, not stack keys.
      message = `error: ${e.message}`;
    } else {
      message = `internal error: ${e instanceof Error ? e.message : String(e)}`;
    }
    io.stderr.write(`${PROGRAM}: ${scrub(message)}\n`);
    return EXIT_FAILURE;
  }
}
