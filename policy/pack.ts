/**
 * Entry point of the ready-made `wallaroo-licence` policy pack folder.
 *
 * Run it with `pulumi preview --policy-pack ./node_modules/pulumi-wallaroo/policy`. The CLI reads
 * `policy/PulumiPolicy.yaml` (runtime: nodejs), starts
 * `node <@pulumi/pulumi>/cmd/run-policy-pack <engine> .` in the `policy/` folder, which requires
 * that folder by path (not through the package's `exports`): its package.json `main` leads here.
 * Constructing the pack starts the analyzer's gRPC server and prints its port; nothing else may be
 * constructed in this process.
 */
import { createWallarooPolicyPack } from "./index";

createWallarooPolicyPack();
