/**
 * The policy pack on big stacks: the stack policy called directly (test/policy/harness.ts)
 * and the whole pack through `AnalyzeStack` over gRPC (the pack process is started
 * once, as the CLI starts it; only the requests are timed). Stacks of N users, 10%
 * inactive, under the default configuration (community licence: the limit policy finds
 * the stack over the limit and writes its message, its slowest path).
 */
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { runStackPolicy, userResource } from "../test/policy/harness";
import { activeUserLimitPolicy, duplicateEmailPolicy, unknownValuesPolicy } from "../policy/policies";
import { AnalyzerResourceInput, PolicyPackProcess, userRegistration } from "../test/policy/analyzerClient";
import { activeAtUp, emailOf } from "./programs";
import { median } from "./stats";

export interface PolicyTiming {
  users: number;
  /** Median ms of validateStack of wallaroo-active-user-limit, called directly. */
  limitDirectMs: number;
  /** Median ms of the three stack policies called directly, one after the other. */
  allStackDirectMs: number;
  /** Median ms of one AnalyzeStack request to the running pack (encoding included). */
  analyzeStackMs: number;
  /**
   * Median ms of building and serializing that request in this process (google-protobuf JS),
   * work the real engine does in Go; AnalyzeStack minus this is the pack's own share.
   */
  encodeMs: number;
  /** Diagnostics AnalyzeStack returned (a sanity check: the limit violation). */
  diagnostics: number;
}

async function timeMedian(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function inputsOf(i: number): Record<string, unknown> {
  return { email: emailOf(i), active: activeAtUp(i) };
}

/** The request as test/policy/analyzerClient.ts builds it, serialized as grpc-js would. */
function encodeRequest(inputs: AnalyzerResourceInput[]): Uint8Array {
  const request = new analyzerPb.AnalyzeStackRequest();
  request.setResourcesList(
    inputs.map((input) => {
      const options = new analyzerPb.AnalyzerResourceOptions();
      options.setProtect(false);
      options.setCustomtimeouts(new analyzerPb.AnalyzerResourceOptions.CustomTimeouts());
      const r = new analyzerPb.AnalyzerResource();
      r.setType(input.type);
      r.setName(input.name);
      r.setUrn(`urn:pulumi:dev::wallaroo-users::${input.type}::${input.name}`);
      r.setProperties(Struct.fromJavaScript(input.properties as never));
      r.setOptions(options);
      r.setDependenciesList([]);
      return r;
    }),
  );
  return request.serializeBinary();
}

export async function runPolicyBench(sizes: number[], runs: number): Promise<PolicyTiming[]> {
  const pack = await PolicyPackProcess.start();
  const out: PolicyTiming[] = [];
  try {
    await pack.configure({});
    for (const n of sizes) {
      const resources = Array.from({ length: n }, (_, i) => userResource(`u${i}`, inputsOf(i)));
      const limitDirectMs = await timeMedian(runs, () => runStackPolicy(activeUserLimitPolicy, resources, {}));
      const allStackDirectMs = await timeMedian(runs, async () => {
        for (const p of [activeUserLimitPolicy, duplicateEmailPolicy, unknownValuesPolicy])
          await runStackPolicy(p, resources, {});
      });
      const registrations: AnalyzerResourceInput[] = Array.from({ length: n }, (_, i) =>
        userRegistration(`u${i}`, inputsOf(i)),
      );
      let diagnostics = 0;
      const analyzeStackMs = await timeMedian(runs, async () => {
        diagnostics = (await pack.analyzeStack(registrations)).diagnostics.length;
      });
      const encodeMs = await timeMedian(runs, async () => encodeRequest(registrations));
      out.push({ users: n, limitDirectMs, allStackDirectMs, analyzeStackMs, encodeMs, diagnostics });
    }
  } finally {
    await pack.stop();
  }
  return out;
}
