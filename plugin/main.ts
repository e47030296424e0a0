/**
 * The plugin's process: a gRPC `pulumirpc.ResourceProvider` server on a free loopback port, whose
 * number is the first line written to stdout (the engine reads it, then dials the port).
 *
 * Started two ways, both running this module: by the Node.js language host from the plugin folder
 * (`node <@pulumi/pulumi>/cmd/run-plugin <folder> <engine>`: plugin/PulumiPlugin.yaml, plugin/index.js),
 * and as the `pulumi-resource-wallaroo` executable on PATH (bin.ts). One process serves one provider
 * instance: the engine starts one per default or explicit provider, so each has its own configuration
 * and client (provider/runtime.ts keeps one per process). The engine's address (the last argument,
 * after the CLI's `--logtostderr`, `-v=N`, `--tracing <endpoint>`) is not needed: the plugin calls
 * nothing of the engine.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { grpc, providerGrpc } from "./proto";
import { createService } from "./service";

/** Messages as large as the engine's own limit (listUsers of a large instance). */
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;

export async function serve(): Promise<number> {
  const schema = readFileSync(join(__dirname, "schema.json"), "utf8");
  const server = new grpc.Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  });
  server.addService(providerGrpc.ResourceProviderService, createService(schema));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  // The first line, alone: the engine parses it as the port.
  process.stdout.write(`${port}\n`);
  return port;
}

serve().catch((e: unknown) => {
  process.stderr.write(`pulumi-resource-wallaroo could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
