/** Messages between the Engine and the program runner (child process IPC). */
import type { WireObject } from "./wire";

/** Resource options the engine needs, taken from the RegisterResourceRequest. */
export interface RegisterOptions {
  parent?: string;
  provider?: string;
  protect?: boolean;
  dependencies?: string[];
  /** undefined when the program did not set the option. */
  deleteBeforeReplace?: boolean;
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
  additionalSecretOutputs?: string[];
  importId?: string;
  retainOnDelete?: boolean;
  version?: string;
  /** The `aliases` option as the SDK sends it (`RegisterResourceRequest.aliases`, alias.proto). */
  aliases?: AliasSpec[];
  /** `deletedWith`: a URN. */
  deletedWith?: string;
  /** Names of the `onError` hooks (`RegisterResourceRequest.hooks.onError`). */
  onErrorHooks?: string[];
}

/** An `onError` hook the program registered (`RegisterErrorHookRequest`): its callback server and token. */
export interface ErrorHookRef {
  name: string;
  target: string;
  token: string;
}

/**
 * One alias: an old URN in full, or the parts of it that differ from the
 * resource's own (name, type, parent, project, stack); absent parts are the
 * resource's. `noParent`: the resource had no parent.
 */
export type AliasSpec =
  | { urn: string }
  | { name?: string; type?: string; project?: string; stack?: string; parentUrn?: string; noParent?: boolean };

export type ChildToParent =
  | {
      kind: "register";
      reqId: number;
      type: string;
      name: string;
      custom: boolean;
      inputs: WireObject;
      options: RegisterOptions;
    }
  | {
      kind: "read";
      reqId: number;
      type: string;
      name: string;
      id: string;
      inputs: WireObject;
      options: RegisterOptions;
    }
  | { kind: "outputs"; urn: string; outputs: WireObject }
  | { kind: "errorHook"; hook: ErrorHookRef }
  | { kind: "done"; errors: string[] };

/** One answer of the engine; the engine sends them in arrays, those ready at the same time together. */
export type ParentToChild = {
  kind: "registered";
  reqId: number;
  urn: string;
  id?: string;
  state?: WireObject;
  error?: string;
};
