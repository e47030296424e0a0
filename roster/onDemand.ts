/** The roster's heavier dependencies, loaded by the first call that needs them (why: ../sdk/onDemand.ts). */
/* eslint-disable @typescript-eslint/no-require-imports -- loading on first use is this module's purpose */
import { once } from "../sdk/onDemand";

export const yaml = once(() => require("yaml") as typeof import("yaml"));

/** The roster's zod schemas. */
export const rosterSchemas = once(() => require("./schema") as typeof import("./schema"));
