/**
 * Entry point of the `wallaroo-licence` policy pack.
 *
 * Run it with `pulumi preview --policy-pack ./node_modules/pulumi-wallaroo/policy`. The CLI reads
 * `policy/PulumiPolicy.yaml` (runtime: nodejs), starts
 * `node <@pulumi/pulumi>/cmd/run-policy-pack <engine> .` in the `policy/` folder, which requires
 * that folder: its package.json `main` leads here. Constructing the pack starts the analyzer's
 * gRPC server and prints its port; nothing else may be constructed in this process.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, wallarooPolicies } from "./policies";

new PolicyPack(POLICY_PACK_NAME, {
  displayName: "Wallaroo licence",
  description:
    "Checks pulumi-wallaroo users (active users within the licence, well-formed and unique emails) and workspaces (valid names, unique memberships).",
  policies: wallarooPolicies,
});
