/**
 * Runs a Pulumi program in its own process (forked by the Engine, cwd = the
 * consumer project), like the CLI's language host does, but with the consumer
 * copy's `pulumi.runtime.setMocks` instead of a real engine connection.
 *
 * The mock monitor is wrapped so that every registration goes to the parent
 * (the Engine) over IPC with its inputs in wire form (secret signatures and
 * unknowns intact) and its resource options, and the parent's answer
 * (`{ urn, id, state }`, state in wire form; the parent sends its answers in
 * batches) is returned to the program.
 *
 * Arguments come as JSON in the HARNESS_RUNNER environment variable:
 * `{ program, project, stack, preview }`.
 */
import { createRequire } from "module";
import * as path from "path";
import type { AliasSpec, ChildToParent, ParentToChild, RegisterOptions } from "./protocol";

const args = JSON.parse(process.env.HARNESS_RUNNER ?? "{}") as {
  program: string;
  project: string;
  stack: string;
  preview: boolean;
};
const programPath = path.resolve(args.program);
const req = createRequire(programPath);
const errors: string[] = [];
let nextReq = 1;
const pending = new Map<number, (m: ParentToChild) => void>();

function send(m: ChildToParent): void {
  process.send!(m);
}

type AskMessage =
  Omit<Extract<ChildToParent, { kind: "register" }>, "reqId"> | Omit<Extract<ChildToParent, { kind: "read" }>, "reqId">;

function ask(m: AskMessage): Promise<ParentToChild> {
  const reqId = nextReq++;
  return new Promise((resolve) => {
    pending.set(reqId, resolve);
    send({ ...(m as any), reqId });
  });
}

process.on("message", (replies: ParentToChild[]) => {
  for (const m of replies) {
    const r = pending.get(m.reqId);
    if (r) {
      pending.delete(m.reqId);
      r(m);
    }
  }
});

function describe(e: unknown): string {
  if (e instanceof Error) {
    return e.message;
  }
  return String(e);
}

const recordError = (e: unknown) => {
  const msg = describe(e);
  if (!errors.includes(msg)) {
    errors.push(msg);
  }
};
process.on("uncaughtException", recordError);
process.on("unhandledRejection", recordError);

/**
 * The request's aliases: `aliases` (specs or URNs; the mock monitor says it supports
 * alias specs, so the SDK sends these) and the older `aliasURNs`.
 */
function aliasesOf(r: any): AliasSpec[] {
  const out: AliasSpec[] = (r.getAliasurnsList?.() ?? []).map((urn: string) => ({ urn }));
  for (const a of r.getAliasesList?.() ?? []) {
    if (a.hasUrn()) {
      out.push({ urn: a.getUrn() });
    } else if (a.hasSpec()) {
      const s = a.getSpec();
      out.push({
        name: s.getName() || undefined,
        type: s.getType() || undefined,
        project: s.getProject() || undefined,
        stack: s.getStack() || undefined,
        parentUrn: s.getParenturn() || undefined,
        noParent: s.getNoparent() || undefined,
      });
    }
  }
  return out;
}

const typeAndName = (r: any): { type: string; name: string } => ({ type: r.getType(), name: r.getName() });
/** A request's Struct as a plain object (an absent one as {}). */
const plain = (struct: any) => (struct ? struct.toJavaScript() : {});

async function main(): Promise<void> {
  const pulumi = req("@pulumi/pulumi");
  const pulumiDir = path.dirname(req.resolve("@pulumi/pulumi/package.json"));
  const preq = createRequire(path.join(pulumiDir, "package.json"));
  const settings = preq("./runtime/settings");
  const resproto = preq("./proto/resource_pb");
  const structproto = preq("google-protobuf/google/protobuf/struct_pb");

  await pulumi.runtime.setMocks(
    {
      newResource: () => {
        throw new Error("harness: newResource should not be reached");
      },
      call: (a: { token: string }) => {
        throw new Error(`harness: invoke ${a.token} is not supported`);
      },
    },
    args.project,
    args.stack,
    args.preview,
  );
  const monitor = settings.getMonitor();
  if (!monitor || typeof monitor.registerResource !== "function" || !(monitor.resources instanceof Map)) {
    throw new Error("harness: unexpected mock monitor shape in this @pulumi/pulumi version");
  }

  const reply = (resp: ParentToChild): { urn: string; id: string; state: Record<string, unknown> } => {
    if (resp.kind !== "registered") {
      throw new Error(`harness: unexpected reply ${resp.kind}`);
    }
    if (resp.error !== undefined) {
      throw new Error(resp.error);
    }
    return { urn: resp.urn, id: resp.id ?? "", state: resp.state ?? {} };
  };

  /** Asks the engine and records its answer in the mock monitor's table, where the SDK looks resources up. */
  const register = async (m: AskMessage) => {
    const res = reply(await ask(m));
    monitor.resources.set(res.urn, { urn: res.urn, id: res.id || null, state: res.state });
    return res;
  };
  /** Answers a monitor call with the response `build` makes, or with its error. */
  type Callback = (err: any, resp?: any) => void;
  const answer = (callback: Callback, build: () => Promise<any>) =>
    build().then(
      (resp) => callback(null, resp),
      (err) => callback(err, undefined),
    );

  monitor.registerResource = (r: any, callback: Callback) =>
    answer(callback, async () => {
      const options: RegisterOptions = {
        parent: r.getParent() || undefined,
        provider: r.getProvider() || undefined,
        protect: r.getProtect(),
        dependencies: r.getDependenciesList(),
        deleteBeforeReplace: r.getDeletebeforereplacedefined() ? r.getDeletebeforereplace() : undefined,
        ignoreChanges: r.getIgnorechangesList(),
        replaceOnChanges: r.getReplaceonchangesList(),
        additionalSecretOutputs: r.getAdditionalsecretoutputsList(),
        importId: r.getImportid() || undefined,
        retainOnDelete: r.getRetainondelete(),
        version: r.getVersion() || undefined,
        aliases: aliasesOf(r),
        deletedWith: r.getDeletedwith?.() || undefined,
        onErrorHooks: r.getHooks?.()?.getOnErrorList() ?? [],
      };
      const res = await register({
        kind: "register",
        ...typeAndName(r),
        custom: r.getCustom(),
        inputs: plain(r.getObject()),
        options,
      });
      const response = new resproto.RegisterResourceResponse();
      response.setUrn(res.urn);
      response.setId(res.id);
      response.setObject(structproto.Struct.fromJavaScript(res.state));
      return response;
    });

  monitor.readResource = (r: any, callback: Callback) =>
    answer(callback, async () => {
      const res = await register({
        kind: "read",
        ...typeAndName(r),
        id: r.getId(),
        inputs: plain(r.getProperties()),
        options: {
          parent: r.getParent() || undefined,
          provider: r.getProvider() || undefined,
          dependencies: r.getDependenciesList(),
          additionalSecretOutputs: r.getAdditionalsecretoutputsList(),
        },
      });
      const response = new resproto.ReadResourceResponse();
      response.setUrn(res.urn);
      response.setProperties(structproto.Struct.fromJavaScript(res.state));
      return response;
    });

  // The SDK's callback server (runtime/callbacks.js) registers each `pulumi.ErrorHook` with the
  // monitor; the mocks' monitor has no such method. Forward name, target and token to the engine,
  // which calls the program's callback server back (./hooks.ts). Sent before the answer, so the
  // engine knows the hook before any registration that binds it.
  monitor.registerErrorHook = (r: any, callback: Callback) => {
    const cb = r.getCallback();
    send({ kind: "errorHook", hook: { name: r.getName(), target: cb.getTarget(), token: cb.getToken() } });
    callback(null, {});
  };

  monitor.registerResourceOutputs = (r: any, callback: Callback) => {
    const outputs = plain(r.getOutputs());
    send({ kind: "outputs", urn: r.getUrn(), outputs });
    const entry = monitor.resources.get(r.getUrn());
    if (entry) {
      entry.state = outputs;
    }
    callback(null, {});
  };

  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      let m = req(programPath);
      if (m && typeof m === "object" && Object.getOwnPropertyDescriptor(m, "default") !== undefined) {
        m = m.default;
      }
      if (m instanceof Promise) {
        m = await m;
      } else if (typeof m === "function") {
        m = await m();
      }
      return m;
    });
  } catch (e) {
    recordError(e);
  }
  await settings.waitForRPCs();
}

main()
  .catch(recordError)
  .finally(() => {
    const m: ChildToParent = { kind: "done", errors };
    process.send!(m, undefined, {}, () => process.exit(0));
  });
