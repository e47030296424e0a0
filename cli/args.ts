/** Command-line parsing: strict, with a suggestion for near misses; never reads secrets from flags except `--token`. */
import { ConfigurationError } from "../sdk/errors";
import { parseEdition, type Edition } from "../sdk/edition";
import { closest } from "../sdk/suggest";

export type { Edition };
export type Command = "list" | "generate" | "seats" | "help";
export type GenerateFormat = "ts" | "roster";

export interface CliArgs {
  command: Command;
  /** `--help` anywhere. */
  help: boolean;
  version: boolean;
  quiet: boolean;
  json: boolean;
  format: GenerateFormat;
  out?: string;
  url?: string;
  authUrl?: string;
  username?: string;
  token?: string;
  credentialsFile?: string;
  caCert?: string;
  /** seats: the licence edition given as `--edition`; unset, `WALLAROO_EDITION` or community decide (cli/run.ts). */
  edition?: Edition;
  /** seats: an explicit active-user limit, overriding the edition's. */
  limit?: number;
  /** seats: a roster whose emails the stack manages. */
  roster?: string;
  /** seats: a file of the emails the stack manages, one per line. */
  programUsers?: string;
}

/** Bad usage: exit status 2, with the message and the synopsis. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const COMMANDS: readonly Command[] = ["list", "generate", "seats", "help"];

type ValueKey =
  | "format"
  | "out"
  | "url"
  | "authUrl"
  | "username"
  | "token"
  | "credentialsFile"
  | "caCert"
  | "edition"
  | "limit"
  | "roster"
  | "programUsers";
type BoolKey = "help" | "version" | "quiet" | "json";

interface FlagSpec {
  key: ValueKey | BoolKey;
  value: boolean;
  /** The commands it applies to; undefined = all. */
  commands?: readonly Command[];
  placeholder?: string;
  /** Takes a number: a value such as `-1` that follows it is its (invalid) value, not a flag. */
  numeric?: boolean;
}

const FLAGS: Record<string, FlagSpec> = {
  "--help": { key: "help", value: false },
  "--version": { key: "version", value: false },
  "--quiet": { key: "quiet", value: false },
  "--json": { key: "json", value: false, commands: ["list", "seats"] },
  "--edition": { key: "edition", value: true, commands: ["seats"], placeholder: "community|enterprise" },
  "--limit": { key: "limit", value: true, commands: ["seats"], placeholder: "N", numeric: true },
  "--roster": { key: "roster", value: true, commands: ["seats"], placeholder: "FILE" },
  "--program-users": { key: "programUsers", value: true, commands: ["seats"], placeholder: "FILE" },
  "--format": { key: "format", value: true, commands: ["generate"], placeholder: "ts|roster" },
  "--out": { key: "out", value: true, commands: ["generate"], placeholder: "FILE" },
  "--url": { key: "url", value: true, placeholder: "URL" },
  "--auth-url": { key: "authUrl", value: true, placeholder: "URL" },
  "--username": { key: "username", value: true, placeholder: "NAME" },
  "--token": { key: "token", value: true, placeholder: "TOKEN" },
  "--credentials-file": { key: "credentialsFile", value: true, placeholder: "FILE" },
  "--ca-cert": { key: "caCert", value: true, placeholder: "FILE" },
};
const SHORT: Record<string, string> = { "-h": "--help", "-q": "--quiet", "-o": "--out" };

/** Flags that must not exist, with the reason. */
const REFUSED: Record<string, string> = {
  "--password":
    '--password is not accepted: a flag is visible to every user of this machine in the process list. Set WALLAROO_PASSWORD, or WALLAROO_SDK_CREDENTIALS (a JSON file {"username": ..., "password": ...})',
};

/** Parses the arguments after the program name. Throws {@link UsageError}. */
export function parseArgs(argv: readonly string[]): CliArgs {
  // --help wins over every other problem, so that help is always reachable.
  if (argv.some((a) => a === "--help" || a === "-h")) {
    return {
      command: "help",
      help: true,
      version: false,
      quiet: false,
      json: false,
      format: "ts",
    };
  }
  const given = new Map<string, { flag: string; value: string | true }>();
  const positionals: string[] = [];
  let endOfOptions = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (endOfOptions || !arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      endOfOptions = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const rawName = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const name = SHORT[rawName] ?? rawName;
    const refused = REFUSED[name.split("=")[0] ?? name];
    if (refused) throw new UsageError(refused);
    const spec = FLAGS[name];
    if (!spec) {
      const guess = closest(
        rawName.replace(/^-+/, ""),
        Object.keys(FLAGS).map((f) => f.slice(2)),
      );
      throw new UsageError(`unknown option '${rawName}'${guess ? ` (did you mean '--${guess}'?)` : ""}`);
    }
    let value: string | true = true;
    if (spec.value) {
      if (arg.startsWith("--") && eq > 0) {
        value = arg.slice(eq + 1);
      } else {
        const next = argv[i + 1];
        // `--limit -1` is a wrong value, as `--limit=-1` is: both get the same answer.
        const looksLikeFlag = next !== undefined && next.startsWith("-") && next !== "-";
        if (next === undefined || (looksLikeFlag && !(spec.numeric && /^-\d/.test(next)))) {
          throw new UsageError(`${name} needs a value: ${name} ${spec.placeholder ?? "VALUE"}`);
        }
        value = next;
        i++;
      }
      if (value.trim() === "")
        throw new UsageError(`${name} needs a non-empty value: ${name} ${spec.placeholder ?? "VALUE"}`);
    } else if (eq > 0) {
      throw new UsageError(`${name} takes no value`);
    }
    if (given.has(spec.key)) throw new UsageError(`${name} is given more than once`);
    given.set(spec.key, { flag: name, value });
  }

  const version = given.has("version");
  if (positionals.length === 0) {
    if (version) {
      return {
        command: "help",
        help: false,
        version: true,
        quiet: false,
        json: false,
        format: "ts",
      };
    }
    throw new UsageError("no command given");
  }
  const [commandText = "", ...rest] = positionals;
  if (!(COMMANDS as readonly string[]).includes(commandText)) {
    const guess = closest(commandText, COMMANDS);
    throw new UsageError(
      `unknown command '${commandText}'${guess ? ` (did you mean '${guess}'?)` : ""}; the commands are ${COMMANDS.join(", ")}`,
    );
  }
  const command = commandText as Command;
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}' after '${command}'`);

  for (const { flag } of given.values()) {
    const spec = FLAGS[flag];
    if (spec?.commands && !spec.commands.includes(command)) {
      throw new UsageError(`${flag} does not apply to '${command}' (it is an option of ${spec.commands.join(", ")})`);
    }
  }

  const str = (key: ValueKey): string | undefined => {
    const v = given.get(key)?.value;
    return typeof v === "string" ? v : undefined;
  };
  const format = str("format") ?? "ts";
  if (format !== "ts" && format !== "roster") {
    const guess = closest(format, ["ts", "roster"]);
    throw new UsageError(`--format must be ts or roster, not '${format}'${guess ? ` (did you mean '${guess}'?)` : ""}`);
  }
  let edition: Edition | undefined;
  try {
    edition = parseEdition(str("edition"), "--edition");
  } catch (e) {
    // The same words as every other edition setting, answered as bad usage.
    if (e instanceof ConfigurationError) throw new UsageError(e.message);
    throw e;
  }
  const limitText = str("limit");
  let limit: number | undefined;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || !Number.isSafeInteger(limit)) {
      throw new UsageError(`--limit must be a whole number of active users, not '${limitText}'`);
    }
  }
  if (str("roster") !== undefined && str("programUsers") !== undefined) {
    throw new UsageError("give --roster or --program-users, not both");
  }
  return {
    command,
    help: command === "help",
    ...(edition === undefined ? {} : { edition }),
    ...(limit === undefined ? {} : { limit }),
    roster: str("roster"),
    programUsers: str("programUsers"),
    version,
    quiet: given.has("quiet"),
    json: given.has("json"),
    format,
    out: str("out"),
    url: str("url"),
    authUrl: str("authUrl"),
    username: str("username"),
    token: str("token"),
    credentialsFile: str("credentialsFile"),
    caCert: str("caCert"),
  };
}
