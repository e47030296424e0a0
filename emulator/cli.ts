#!/usr/bin/env node
/**
 * wallaroo-emulator: run the emulator as a process. Prints exactly one line,
 * "wallaroo-emulator listening on <url>", to stdout once ready (tools parse it);
 * everything else goes to stderr, and nothing secret is ever printed.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { joinNegativeValues } from "./argv";
import { closest } from "../sdk/suggest";
import { startEmulator } from "./server";
import { validateFaultRule } from "./faults";
import type { EmulatorOptions, FaultRule } from "./types";
import { integerFlag, UsageError } from "./flags";
import { packageVersion } from "../sdk/version";

const NAME = "wallaroo-emulator";
const USAGE = `Usage: ${NAME} [--host H] [--port N] [--data FILE] [--edition community|enterprise] [--max-active-users N]
                         [--admin-password PW] [--token-ttl S] [--refresh-ttl S] [--control] [--unknown-ids-error]
                         [--unique-workspace-names] [--refuse-existing-workspace-member]
                         [--tls-cert FILE --tls-key FILE] [--fault JSON]... [--fault-seed N] [--log] [--version] [--help]

  --host H               interface to listen on (default 127.0.0.1)
  --port N               port (default 0: a free port; the ready line names it)
  --data FILE            persist users and workspaces to FILE (atomic rewrites); default: memory only
  --edition E            community (5 active users, default) or enterprise (no limit, and Keycloak's
                         admin user endpoints under /auth/admin/realms/master/users)
  --max-active-users N   override the edition's active-user limit; it limits the MLOps API's invite
                         and activate only (Keycloak's admin endpoints know no licence)
  --admin-password PW    password of the built-in "admin" user (default "admin");
                         prefer env WALLAROO_EMULATOR_ADMIN_PASSWORD, which stays out of the process list
  --token-ttl S          access-token lifetime in seconds (default 300)
  --refresh-ttl S        refresh-token lifetime in seconds (default 1800)
  --control              expose the unauthenticated test-only endpoints under /__emulator/
  --unknown-ids-error    /users/query answers 404 for an unknown id instead of omitting it
  --unique-workspace-names
                         workspace create answers 400 for a name already taken (default: duplicates allowed)
  --refuse-existing-workspace-member
                         workspace add_user answers 400 "already a member" (default: it sets the member's role)
  --tls-cert/--tls-key   serve HTTPS with this PEM certificate and key
  --fault JSON           a fault rule, e.g. '{"endpoint":"/v1/api/users/invite","status":503,"count":2}' (repeatable)
  --fault-seed N         seed of the fault PRNG (failureRate)
  --log                  log each request (method, path, status, time) to stderr
  --version              print the version and exit
  -h, --help             print this help and exit

Once listening it prints "${NAME} listening on <url>" to stdout. SIGINT/SIGTERM close it cleanly.`;

function readPem(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(
      `--${flag}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/** Turns argv into options; throws UsageError with a one-line message. Exported for tests. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): EmulatorOptions | "help" | "version" {
  let values;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(argv, OPTIONS),
      strict: true,
      allowPositionals: false,
      options: OPTIONS,
    }));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const unknown = /^Unknown option '(-{1,2}[^'=\s]+)'/.exec((e as Error).message)?.[1];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown !== undefined) {
      // Only the option's name is quoted, never a value (a password may be among them).
      const guess = closest(unknown.replace(/^-+/, ""), Object.keys(OPTIONS));
      throw new UsageError(`unknown option '${unknown}'${guess ? ` (did you mean '--${guess}'?)` : ""}`);
    }
    // parseArgs' messages are one line already; never quote the arguments (a password may be among them).
    throw new UsageError((e as Error).message.split("\n")[0]);
  }
  if (values.help) return "help";
  if (values.version) return "version";
  return toOptions(values, env);
}

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  data: { type: "string" },
  edition: { type: "string" },
  "max-active-users": { type: "string" },
  "admin-password": { type: "string" },
  "token-ttl": { type: "string" },
  "refresh-ttl": { type: "string" },
  control: { type: "boolean" },
  "unknown-ids-error": { type: "boolean" },
  "unique-workspace-names": { type: "boolean" },
  "refuse-existing-workspace-member": { type: "boolean" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  fault: { type: "string", multiple: true },
  "fault-seed": { type: "string" },
  log: { type: "boolean" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function toOptions(
  values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"],
  env: NodeJS.ProcessEnv,
): EmulatorOptions {
  const edition = values.edition;
  if (edition !== undefined && edition !== "community" && edition !== "enterprise")
    throw new UsageError(`--edition must be community or enterprise, got '${edition}'`);
  if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined))
    throw new UsageError("--tls-cert and --tls-key go together");
  const adminPassword = values["admin-password"] ?? env.WALLAROO_EMULATOR_ADMIN_PASSWORD;
  if (adminPassword === "") throw new UsageError("the admin password must not be empty");
  const faults: FaultRule[] = (values.fault ?? []).map((text, i) => {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new UsageError(`--fault #${i + 1} is not valid JSON`);
    }
    try {
      return validateFaultRule(raw, `--fault #${i + 1}`);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  });
  return {
    host: values.host,
    port: integerFlag("port", values.port, 0, 65535),
    dataFile: values.data,
    edition,
    maxActiveUsers: integerFlag("max-active-users", values["max-active-users"], 0),
    adminPassword,
    tokenTtlSeconds: integerFlag("token-ttl", values["token-ttl"], 1),
    refreshTtlSeconds: integerFlag("refresh-ttl", values["refresh-ttl"], 1),
    control: values.control ?? false,
    unknownIdsError: values["unknown-ids-error"] ?? false,
    uniqueWorkspaceNames: values["unique-workspace-names"] ?? false,
    refuseExistingWorkspaceMember: values["refuse-existing-workspace-member"] ?? false,
    tls:
      values["tls-cert"] && values["tls-key"]
        ? { cert: readPem("tls-cert", values["tls-cert"]), key: readPem("tls-key", values["tls-key"]) }
        : undefined,
    faults,
    faultSeed: integerFlag("fault-seed", values["fault-seed"], 0, 0xffffffff),
    log: values.log ? (line) => process.stderr.write(`${line}\n`) : undefined,
  };
}

async function main(): Promise<void> {
  let options: EmulatorOptions | "help" | "version";
  try {
    options = parseCli(process.argv.slice(2), process.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${NAME}: ${e.message} (see --help)\n`);
    process.exit(2);
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (options === "version") {
    process.stdout.write(`${NAME} ${packageVersion()}\n`);
    return;
  }
  let emulator;
  try {
    emulator = await startEmulator(options);
  } catch (e) {
    process.stderr.write(`${NAME}: cannot start: ${(e as Error).message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1); // a second signal: give up waiting
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      (e: Error) => {
        process.stderr.write(`${NAME}: error while closing on ${signal}: ${e.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  // Only now: whoever reads this line may signal at once, so the handlers must already be in place.
  process.stdout.write(`${NAME} listening on ${emulator.url}\n`);
}

if (require.main === module) {
  main().catch((e: Error) => {
    process.stderr.write(`${NAME}: ${e.message}\n`);
    process.exit(1);
  });
}
