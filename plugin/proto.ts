/**
 * The pulumirpc stubs of the installed @pulumi/pulumi (its proto/ folder), with @grpc/grpc-js and
 * google-protobuf resolved from there: the copies the stubs were generated against (messages of
 * another google-protobuf would not serialize into them). Only these modules load, not the Pulumi
 * runtime, which takes about a second.
 */
import { createRequire } from "node:module";

const fromProto = createRequire(require.resolve("@pulumi/pulumi/proto/provider_pb"));

export const grpc = fromProto("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
export const providerGrpc = fromProto("./provider_grpc_pb") as typeof import("@pulumi/pulumi/proto/provider_grpc_pb");
export const providerPb = fromProto("./provider_pb") as typeof import("@pulumi/pulumi/proto/provider_pb");
export const pluginPb = fromProto("./plugin_pb") as typeof import("@pulumi/pulumi/proto/plugin_pb");
export const statusPb = fromProto("./status_pb") as typeof import("@pulumi/pulumi/proto/status_pb");
export const structPb = fromProto(
  "google-protobuf/google/protobuf/struct_pb",
) as typeof import("google-protobuf/google/protobuf/struct_pb");
export const emptyPb = fromProto(
  "google-protobuf/google/protobuf/empty_pb",
) as typeof import("google-protobuf/google/protobuf/empty_pb");
export const anyPb = fromProto(
  "google-protobuf/google/protobuf/any_pb",
) as typeof import("google-protobuf/google/protobuf/any_pb");
