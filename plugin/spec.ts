/**
 * The one source of the `wallaroo` package schema: which TypeScript declarations each resource,
 * function and type of the native provider is made from. scripts/pluginSchema.mjs reads those
 * declarations with the TypeScript compiler at build time (names, types, required-ness and the
 * doc comments) and writes dist/plugin/schema.json; the plugin serves that file and reads its
 * secrets and input names from it. So the native resources carry the dynamic resources' names
 * and descriptions, and cannot drift from them.
 */

/** The package name: tokens are `wallaroo:index:<Name>`, the provider `pulumi:providers:wallaroo`. */
export const PACKAGE = "wallaroo";

/** A resource: its arguments interface (inputs) and its class (outputs), in one file of provider/. */
export interface ResourceSource {
  token: string;
  /** Repository-relative path of the file declaring both. */
  file: string;
  /** The `…Args` interface: the inputs. */
  args: string;
  /** The resource class: its declared `pulumi.Output` fields are the outputs; its doc comment the description. */
  resource: string;
  /** Properties (inputs or outputs) stored and returned as secrets. */
  secrets: readonly string[];
  /** Properties declared `number` that hold whole numbers (ids). */
  integers: readonly string[];
}

/** An object type of the schema, made from an interface's fields. */
export interface TypeSource {
  token: string;
  file: string;
  interface: string;
}

/** A function: its arguments interface, and what it returns. */
export interface FunctionSource {
  token: string;
  /** The file declaring the function (its doc comment is the description) and its arguments interface. */
  file: string;
  function: string;
  args?: string;
  /**
   * `fields`: the fields of a type, at the top level, all optional (lookupUser returns the user or
   * nothing); `list`: one property holding an array of a type (listUsers).
   */
  returns: { kind: "fields"; type: string } | { kind: "list"; property: string; type: string };
}

export const TOKENS = {
  user: `${PACKAGE}:index:User`,
  workspace: `${PACKAGE}:index:Workspace`,
  workspaceMember: `${PACKAGE}:index:WorkspaceMember`,
  lookupUser: `${PACKAGE}:index:lookupUser`,
  listUsers: `${PACKAGE}:index:listUsers`,
  wallarooUser: `${PACKAGE}:index:WallarooUser`,
} as const;

export const RESOURCES: readonly ResourceSource[] = [
  {
    token: TOKENS.user,
    file: "provider/user.ts",
    args: "UserArgs",
    resource: "User",
    secrets: ["password", "initialPassword"],
    integers: [],
  },
  {
    token: TOKENS.workspace,
    file: "provider/workspace.ts",
    args: "WorkspaceArgs",
    resource: "Workspace",
    secrets: [],
    integers: ["workspaceId"],
  },
  {
    token: TOKENS.workspaceMember,
    file: "provider/member.ts",
    args: "WorkspaceMemberArgs",
    resource: "WorkspaceMember",
    secrets: [],
    integers: ["workspaceId"],
  },
];

export const TYPES: readonly TypeSource[] = [
  { token: TOKENS.wallarooUser, file: "sdk/types.ts", interface: "WallarooUser" },
];

export const FUNCTIONS: readonly FunctionSource[] = [
  {
    token: TOKENS.lookupUser,
    file: "provider/lookup.ts",
    function: "lookupUser",
    args: "LookupUserArgs",
    returns: { kind: "fields", type: TOKENS.wallarooUser },
  },
  {
    token: TOKENS.listUsers,
    file: "provider/lookup.ts",
    function: "listUsers",
    returns: { kind: "list", property: "users", type: TOKENS.wallarooUser },
  },
];

/**
 * The provider's configuration: the keys of provider/runtime.ts CONFIG_KEYS without their
 * namespace (the engine hands a native provider `url`, not `wallaroo:url`). A key's description is
 * its doc comment in CONFIG_KEYS, else the doc comment of the client option of the same name
 * (sdk/options.ts WallarooClientOptions), which says which environment variable it falls back to.
 */
export const CONFIG = {
  keysFile: "provider/runtime.ts",
  keysConst: "CONFIG_KEYS",
  optionsFile: "sdk/options.ts",
  optionsInterface: "WallarooClientOptions",
  /** Keys that are not client options of the same type: their schema types. */
  types: { maxRetries: "integer", retryTimeoutSeconds: "number" } as Record<string, "integer" | "number">,
  secrets: ["token", "password"] as readonly string[],
} as const;

/** What the provider resource itself is, for the schema's `provider` description. */
export const PROVIDER_DESCRIPTION =
  "The provider of Wallaroo users, workspaces and memberships: one provider instance is one Wallaroo instance " +
  "(its own process, configuration and client). Unset settings fall back to the WALLAROO_* environment " +
  "variables of the Pulumi CLI's process, as the stack configuration of the dynamic provider does.";

/** The package's description, keywords and the per-language settings of the SDKs the CLI generates. */
export const PACKAGE_META = {
  displayName: "Wallaroo",
  description: "Manage the users, workspaces and workspace members of a Wallaroo ML platform instance.",
  keywords: ["pulumi", "wallaroo", "category/utility", "kind/native"],
  license: "Apache-2.0",
  language: {
    nodejs: {
      // Not "pulumi-wallaroo": that is this package (the dynamic resources); a generated SDK beside it needs another name.
      packageName: "pulumi-wallaroo-native",
      packageDescription: "Wallaroo users, workspaces and members through the native wallaroo provider plugin.",
      respectSchemaVersion: true,
    },
    python: { packageName: "pulumi_wallaroo", respectSchemaVersion: true },
    // A placeholder module path until the SDK is published from a repository: `pulumi package add` uses it
    // with a replace directive to the generated folder.
    go: { importBasePath: "example.com/pulumi-wallaroo/sdk/go/wallaroo", respectSchemaVersion: true },
    csharp: { rootNamespace: "Pulumi", packageReferences: { Pulumi: "3.*" }, respectSchemaVersion: true },
  },
} as const;
