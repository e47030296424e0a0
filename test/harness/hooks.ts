/**
 * `onError` resource hooks (`new pulumi.ErrorHook(name, cb)`, `hooks: { onError: [hook] }`;
 * @pulumi/pulumi 3.248 resource.d.ts, CLI 3.217+).
 *
 * How they reach the engine, as @pulumi/pulumi's runtime does it (runtime/callbacks.js
 * `CallbackServer.registerErrorHook`): the program serves a gRPC `pulumirpc.Callbacks` server,
 * registers each hook with `RegisterErrorHook{ name, callback: { target, token } }` and binds hook
 * names to a resource in `RegisterResourceRequest.hooks.onError`. The mocks' monitor has no
 * `registerErrorHook`; ./programRunner.ts answers it and forwards the name, target and token here,
 * and the engine calls the program's real callback server with `Callbacks.Invoke`, as the CLI does.
 *
 * What the engine does with them (pkg/resource/deploy/step.go `CreateStep.Apply`, retries.go
 * `withRetries`, deployment.go `RunErrorHooks`): when Create fails, each hook bound to the resource
 * is called with the inputs, `failedOperation: "create"` and every error so far (newest first); if
 * any answers true, Create is sent again, in the same step and the same provider host, with the
 * same inputs (what a partial failure returned is not kept between attempts); after 100 failures
 * the step fails with "maximum number of error hook retries reached".
 */
import type { ErrorHookRef } from "./protocol";
import { loadPulumiProto } from "./providerHostTypes";
import type { WireObject } from "./wire";

/** retries.go `maxErrorHookRetries`. */
export const MAX_ERROR_HOOK_RETRIES = 100;

/** The program's error hooks by name. */
export type ErrorHookTable = Map<string, ErrorHookRef>;

export interface ErrorHookCall {
  urn: string;
  id: string;
  name: string;
  type: string;
  newInputs: WireObject;
  oldInputs?: WireObject;
  oldOutputs?: WireObject;
  failedOperation: "create" | "update" | "delete";
  /** Every error so far, the newest first (retries.go `withRetries`). */
  errors: string[];
}

/** Calls one hook through the program's `Callbacks` server; resolves to its `retry` answer. */
export function invokeErrorHook(projectDir: string, hook: ErrorHookRef, call: ErrorHookCall): Promise<boolean> {
  const proto = loadPulumiProto(projectDir);
  const req = new proto.resourcePb.ErrorHookRequest();
  req.setUrn(call.urn);
  req.setId(call.id);
  req.setName(call.name);
  req.setType(call.type);
  req.setNewInputs(proto.structPb.Struct.fromJavaScript(call.newInputs));
  if (call.oldInputs) {
    req.setOldInputs(proto.structPb.Struct.fromJavaScript(call.oldInputs));
  }
  if (call.oldOutputs) {
    req.setOldOutputs(proto.structPb.Struct.fromJavaScript(call.oldOutputs));
  }
  req.setFailedOperation(call.failedOperation);
  req.setErrorsList(call.errors);
  const invoke = new proto.callbackPb.CallbackInvokeRequest();
  invoke.setToken(hook.token);
  invoke.setRequest(req.serializeBinary());
  const client = new proto.callbackGrpc.CallbacksClient(hook.target, proto.grpc.credentials.createInsecure());
  return new Promise<boolean>((resolve, reject) => {
    client.invoke(invoke, (err: any, resp: any) => {
      client.close();
      if (err) {
        reject(new Error(`error hook "${hook.name}" failed: ${err.details ?? err.message}`));
        return;
      }
      const answer = proto.resourcePb.ErrorHookResponse.deserializeBinary(resp.getResponse_asU8());
      if (answer.getError()) {
        reject(new Error(`error hook "${hook.name}" failed: ${answer.getError()}`));
      } else {
        resolve(answer.getRetry());
      }
    });
  });
}

/** deployment.go `RunErrorHooks`: every hook is called; retry when any says so. An unknown name fails. */
export async function runErrorHooks(
  projectDir: string,
  table: ErrorHookTable | undefined,
  names: string[],
  call: ErrorHookCall,
): Promise<boolean> {
  let retry = false;
  for (const name of names) {
    const hook = table?.get(name);
    if (!hook) {
      throw new Error(`error hooks execution failed: error hook "${name}" was not registered`);
    }
    retry =
      (await invokeErrorHook(projectDir, hook, call).catch((e: Error) => {
        throw new Error(`error hooks execution failed: ${e.message}`);
      })) || retry;
  }
  return retry;
}
