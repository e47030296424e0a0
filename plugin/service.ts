/**
 * The plugin's `pulumirpc.ResourceProvider` service. Its own, not @pulumi/pulumi/provider's stock
 * server: that one ignores Configure's arguments, leaves CheckConfig and DiffConfig unimplemented,
 * fails a Read without properties (every import since CLI 3.198) and drops detailed diffs.
 *
 * Each resource method unwraps the secret envelopes of its request (Configure answers
 * `acceptSecrets`, so the engine sends them), calls the type's lifecycle (resources.ts) and marks
 * secret in its answer what the schema says is secret and what arrived secret. Errors are their
 * message alone: the lifecycles' are written for the user and carry no credential.
 */
import type * as grpcJs from "@grpc/grpc-js";
import type { IResourceProviderServer } from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as pb from "@pulumi/pulumi/proto/provider_pb";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { messageOf } from "../provider/errors";
import type { CheckFailure } from "../provider/inputs";
import { configure as configureRuntime, getClient } from "../provider/runtime";
import { allUsers, findUser } from "../provider/userQueries";
import { packageVersion } from "../sdk/version";
import { argsFromVariables, checkConfig, configSource, diffConfig } from "./config";
import { diffWithDetails, type PropertyChange } from "./diff";
import { anyPb, emptyPb, grpc, pluginPb, providerPb, statusPb } from "./proto";
import { NATIVE_TYPES, type NativeType } from "./resources";
import { TOKENS } from "./spec";
import { fromStruct, markSecrets, toStruct, unwrap, type Props } from "./wire";

/** What the plugin needs of the schema it serves: per type, its input names and its secret properties. */
interface TypeFacts {
  inputs: string[];
  secretInputs: string[];
  secretOutputs: string[];
}

interface SchemaShape {
  resources: Record<
    string,
    {
      inputProperties: Record<string, { secret?: boolean }>;
      properties: Record<string, { secret?: boolean }>;
    }
  >;
}

function factsOf(schema: SchemaShape): Map<string, TypeFacts> {
  const secrets = (props: Record<string, { secret?: boolean }>) =>
    Object.entries(props)
      .filter(([, p]) => p.secret === true)
      .map(([k]) => k);
  return new Map(
    Object.entries(schema.resources).map(([token, r]) => [
      token,
      {
        inputs: Object.keys(r.inputProperties),
        secretInputs: secrets(r.inputProperties),
        secretOutputs: secrets(r.properties),
      },
    ]),
  );
}

/** An error carrying a gRPC status other than UNKNOWN. */
class StatusError extends Error {
  constructor(
    readonly code: grpcJs.status,
    message: string,
  ) {
    super(message);
  }
}

/** Created but not initialised (a lifecycle's initFailed): the engine keeps the resource with these properties. */
interface InitFailure {
  id: string;
  properties: Props;
  reasons?: string[];
}

function isInitFailure(e: unknown): e is Error & InitFailure {
  return (
    e instanceof Error &&
    typeof (e as Partial<InitFailure>).id === "string" &&
    typeof (e as Partial<InitFailure>).properties === "object"
  );
}

const KINDS: Record<PropertyChange, pb.PropertyDiff.Kind> = {
  add: providerPb.PropertyDiff.Kind.ADD,
  "add-replace": providerPb.PropertyDiff.Kind.ADD_REPLACE,
  delete: providerPb.PropertyDiff.Kind.DELETE,
  "delete-replace": providerPb.PropertyDiff.Kind.DELETE_REPLACE,
  update: providerPb.PropertyDiff.Kind.UPDATE,
  "update-replace": providerPb.PropertyDiff.Kind.UPDATE_REPLACE,
};

function failureList(failures: CheckFailure[]): pb.CheckFailure[] {
  return failures.map((f) => new providerPb.CheckFailure().setProperty(f.property).setReason(f.reason));
}

export function createService(schemaText: string): IResourceProviderServer {
  const facts = factsOf(JSON.parse(schemaText) as SchemaShape);
  let cancelled = false;

  function native(type: string): NativeType & TypeFacts {
    const t = NATIVE_TYPES[type];
    const f = facts.get(type);
    if (!t || !f) {
      throw new StatusError(
        grpc.status.INVALID_ARGUMENT,
        `The wallaroo provider has no resource type '${type}'; it serves ${[...facts.keys()].join(", ")}`,
      );
    }
    return { ...t, ...f };
  }

  /** The type of a request: its own field, else the URN's (`urn:pulumi:stack::project::[parent$]type::name`). */
  function typeOf(req: { getType(): string; getUrn(): string }): string {
    return req.getType() || (req.getUrn().split("::")[2]?.split("$").pop() ?? "");
  }

  /** After Cancel (the user pressed Ctrl-C) nothing new reaches the server; calls under way finish. */
  function refuseIfCancelled(what: string): void {
    if (cancelled) {
      throw new StatusError(
        grpc.status.CANCELLED,
        `The operation was cancelled: ${what} was not started and nothing was sent to the Wallaroo server`,
      );
    }
  }

  function toGrpcError(e: unknown, inputs?: Struct): Partial<grpcJs.StatusObject> {
    const code = e instanceof StatusError ? e.code : grpc.status.UNKNOWN;
    const message = messageOf(e);
    const metadata = new grpc.Metadata();
    if (isInitFailure(e)) {
      const { __provider: _dynamicOnly, ...properties } = e.properties;
      const detail = new providerPb.ErrorResourceInitFailed()
        .setId(e.id)
        .setProperties(toStruct(properties))
        .setReasonsList(e.reasons ?? [message]);
      if (inputs) detail.setInputs(inputs);
      const any = new anyPb.Any();
      any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
      const status = new statusPb.Status().setCode(code).setMessage(message).setDetailsList([any]);
      metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
    }
    return { code, details: message, metadata };
  }

  /** A unary handler: the answer, or the error as a status (with the init failure's details when there is one). */
  function unary<Req, Res>(
    fn: (req: Req) => Promise<Res>,
    inputsOf?: (req: Req) => Struct | undefined,
  ): grpcJs.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      fn(call.request).then(
        (res) => callback(null, res),
        (e: unknown) => callback(toGrpcError(e, inputsOf?.(call.request))),
      );
    };
  }

  function unimplemented(method: string): grpcJs.handleUnaryCall<unknown, never> {
    return (_call, callback) =>
      callback({ code: grpc.status.UNIMPLEMENTED, details: `The wallaroo provider does not implement ${method}` });
  }

  /** Outputs with the schema's secret outputs and everything that arrived secret marked. */
  function secretOutputs(t: TypeFacts, outs: Props, ...arrived: Set<string>[]): Struct {
    return toStruct(markSecrets(outs, [...t.secretOutputs, ...arrived.flatMap((s) => [...s])]));
  }

  return {
    getPluginInfo(_call, callback) {
      callback(null, new pluginPb.PluginInfo().setVersion(packageVersion()));
    },

    getSchema: unary(async (req: pb.GetSchemaRequest) => {
      if (req.getSubpackageName()) {
        throw new StatusError(
          grpc.status.INVALID_ARGUMENT,
          `The wallaroo provider has no subpackage '${req.getSubpackageName()}' (it is not parameterized)`,
        );
      }
      return new providerPb.GetSchemaResponse().setSchema(schemaText);
    }),

    checkConfig: unary(async (req: pb.CheckRequest) => {
      const raw = fromStruct(req.getNews());
      const { inputs, failures } = checkConfig(unwrap(raw).values, raw);
      return new providerPb.CheckResponse().setInputs(toStruct(inputs)).setFailuresList(failureList(failures));
    }),

    diffConfig: unary(async (req: pb.DiffRequest) => {
      const olds = unwrap(fromStruct(req.hasOldInputs() ? req.getOldInputs() : req.getOlds())).values;
      const changed = diffConfig(olds, unwrap(fromStruct(req.getNews())).values);
      const res = new providerPb.DiffResponse()
        .setChanges(
          changed.length > 0
            ? providerPb.DiffResponse.DiffChanges.DIFF_SOME
            : providerPb.DiffResponse.DiffChanges.DIFF_NONE,
        )
        .setDiffsList(changed)
        .setHasdetaileddiff(true);
      const detailed = res.getDetaileddiffMap();
      for (const k of changed) {
        detailed.set(k, new providerPb.PropertyDiff().setKind(providerPb.PropertyDiff.Kind.UPDATE).setInputdiff(true));
      }
      return res;
    }),

    configure: unary(async (req: pb.ConfigureRequest) => {
      const args = req.hasArgs()
        ? unwrap(fromStruct(req.getArgs())).values
        : argsFromVariables(req.getVariablesMap().toArray());
      const { failures } = checkConfig(args, args);
      if (failures.length > 0) {
        throw new StatusError(
          grpc.status.INVALID_ARGUMENT,
          `The wallaroo provider's configuration is not valid: ${failures.map((f) => f.reason).join("; ")}`,
        );
      }
      configureRuntime(configSource(args));
      // supportsPreview false: in a preview the engine answers Create and Update itself, from the inputs.
      return new providerPb.ConfigureResponse()
        .setAcceptsecrets(true)
        .setAcceptresources(false)
        .setAcceptoutputs(false)
        .setSupportspreview(false);
    }),

    check: unary(async (req: pb.CheckRequest) => {
      const t = native(typeOf(req));
      const news = unwrap(fromStruct(req.getNews()));
      const { inputs, failures } = await t.lifecycle.check(unwrap(fromStruct(req.getOlds())).values, news.values);
      return new providerPb.CheckResponse()
        .setInputs(toStruct(markSecrets(inputs, [...t.secretInputs, ...news.secretKeys])))
        .setFailuresList(failureList(failures));
    }),

    diff: unary(async (req: pb.DiffRequest) => {
      const t = native(typeOf(req));
      const olds = unwrap(fromStruct(req.getOlds())).values;
      const oldInputs = req.hasOldInputs() ? unwrap(fromStruct(req.getOldInputs())).values : olds;
      const d = await diffWithDetails(
        t.lifecycle,
        req.getId(),
        oldInputs,
        olds,
        unwrap(fromStruct(req.getNews())).values,
        t.inputs,
      );
      const C = providerPb.DiffResponse.DiffChanges;
      const res = new providerPb.DiffResponse()
        .setChanges(d.changes ? C.DIFF_SOME : C.DIFF_NONE)
        .setReplacesList(d.replaces)
        .setDeletebeforereplace(d.deleteBeforeReplace)
        .setDiffsList(Object.keys(d.detailed ?? {}))
        .setHasdetaileddiff(d.detailed !== undefined || !d.changes);
      for (const [k, v] of Object.entries(d.detailed ?? {})) {
        res.getDetaileddiffMap().set(k, new providerPb.PropertyDiff().setKind(KINDS[v.kind]).setInputdiff(v.inputDiff));
      }
      return res;
    }),

    create: unary(
      async (req: pb.CreateRequest) => {
        const t = native(typeOf(req));
        if (req.getPreview()) return new providerPb.CreateResponse().setProperties(req.getProperties());
        refuseIfCancelled(`creating ${req.getUrn()}`);
        const props = unwrap(fromStruct(req.getProperties()));
        // The resource's name, as the dynamic resource classes pass it: it tells an onError retry of this
        // create from a second resource managing the same object (provider/createAttempts.ts).
        const name = req.getUrn().split("::").pop() ?? "";
        const { id, outs } = await t.lifecycle.create({ ...props.values, __resourceName: name });
        return new providerPb.CreateResponse()
          .setId(id)
          .setProperties(secretOutputs(t, outs as Props, props.secretKeys));
      },
      (req) => req.getProperties(),
    ),

    read: unary(async (req: pb.ReadRequest) => {
      const t = native(typeOf(req));
      refuseIfCancelled(`reading ${req.getId()}`);
      const state = unwrap(fromStruct(req.getProperties()));
      const inputs = fromStruct(req.getInputs());
      // Since CLI 3.198 an import's Read carries the id alone; so does a `get` without state.
      const imported = Object.keys(state.values).length === 0 && Object.keys(inputs).length === 0;
      const read = await t.lifecycle.read(req.getId(), state.values);
      const res = new providerPb.ReadResponse().setId(read.id);
      // Gone: no properties at all, so the engine drops the resource (refresh) or reports it missing (import).
      if (read.id === "") return res;
      if (imported) {
        const found = await t.imported(read.props);
        return res
          .setProperties(secretOutputs(t, found.outputs))
          .setInputs(toStruct(markSecrets(found.inputs, t.secretInputs)));
      }
      res.setProperties(secretOutputs(t, read.props, state.secretKeys));
      // A refresh keeps the program's inputs: drift is in the outputs, and the next Diff reads it there.
      const given = req.getInputs();
      if (given) res.setInputs(given);
      return res;
    }),

    update: unary(
      async (req: pb.UpdateRequest) => {
        const t = native(typeOf(req));
        if (req.getPreview()) return new providerPb.UpdateResponse().setProperties(req.getNews());
        refuseIfCancelled(`updating ${req.getUrn()}`);
        const olds = unwrap(fromStruct(req.getOlds()));
        const news = unwrap(fromStruct(req.getNews()));
        const { outs } = await t.lifecycle.update(req.getId(), olds.values, news.values);
        return new providerPb.UpdateResponse().setProperties(secretOutputs(t, outs, olds.secretKeys, news.secretKeys));
      },
      (req) => req.getNews(),
    ),

    delete: unary(async (req: pb.DeleteRequest) => {
      const t = native(typeOf(req));
      refuseIfCancelled(`deleting ${req.getUrn()}`);
      await t.lifecycle.remove(req.getId(), unwrap(fromStruct(req.getProperties())).values);
      return new emptyPb.Empty();
    }),

    invoke: unary(async (req: pb.InvokeRequest) => {
      refuseIfCancelled(`calling ${req.getTok()}`);
      const args = unwrap(fromStruct(req.getArgs()));
      const res = new providerPb.InvokeResponse();
      switch (req.getTok()) {
        case TOKENS.lookupUser: {
          const email = args.values.email;
          if (typeof email !== "string" || email.trim() === "") {
            return res.setFailuresList(
              failureList([{ property: "email", reason: "email is required: the address of the user to find" }]),
            );
          }
          const user = await findUser(getClient(), email);
          return res.setReturn(toStruct(markSecrets({ ...user }, args.secretKeys)));
        }
        case TOKENS.listUsers:
          return res.setReturn(toStruct({ users: await allUsers(getClient()) }));
        default:
          throw new StatusError(
            grpc.status.INVALID_ARGUMENT,
            `The wallaroo provider has no function '${req.getTok()}'; it serves ${TOKENS.lookupUser}, ${TOKENS.listUsers}`,
          );
      }
    }),

    cancel(_call, callback) {
      cancelled = true;
      callback(null, new emptyPb.Empty());
    },

    attach(_call, callback) {
      // Debugging (PULUMI_DEBUG_PROVIDERS): the engine attaches to a plugin it did not start. Nothing to keep.
      callback(null, new emptyPb.Empty());
    },

    // Handshake: UNIMPLEMENTED makes the engine take the protocol from Configure's answer (provider_plugin.go).
    handshake: unimplemented("Handshake"),
    // Not parameterized; no components, no methods, no conversion mappings (the engine treats UNIMPLEMENTED as none).
    parameterize: unimplemented("Parameterize"),
    call: unimplemented("Call"),
    construct: unimplemented("Construct"),
    getMapping: unimplemented("GetMapping"),
    getMappings: unimplemented("GetMappings"),
    list(call) {
      call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "The wallaroo provider does not implement List" });
    },
  };
}
