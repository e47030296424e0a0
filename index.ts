/**
 * pulumi-wallaroo: manage the users of a Wallaroo instance with Pulumi.
 *
 * - `User`: the resource (provider/user.ts); `lookupUser`, `listUsers`: reads.
 * - `WallarooClient` and its errors: the typed API client (sdk/).
 * The licence policy pack lives in policy/ and is run by the Pulumi CLI.
 */
export { User, USER_TYPE } from "./provider/user";
export type { UserArgs } from "./provider/user";
export { lookupUser, listUsers } from "./provider/lookup";
export type { LookupUserArgs } from "./provider/lookup";
export * from "./sdk";
export { loadRoster, parseRoster, formatRoster, resourceNames, resourceNameFor, RosterError } from "./roster";
export type { RosterEntry, RosterProblem } from "./roster";
