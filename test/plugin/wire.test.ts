/**
 * The plugin's copy of the wire signatures (plugin/wire.ts, copied so the plugin does not load the
 * Pulumi runtime) is @pulumi/pulumi's, and its unwrapping remembers which properties were secret.
 */
import assert from "node:assert/strict";
import { isSecret, markSecrets, SECRET_SIG, SIG_KEY, unwrap } from "../../plugin/wire";

describe("plugin/wire", () => {
  it("uses @pulumi/pulumi's secret signature", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the runtime's constants, read where they are defined
    const rpc = require("@pulumi/pulumi/runtime/rpc");
    assert.equal(SIG_KEY, rpc.specialSigKey);
    assert.equal(SECRET_SIG, rpc.specialSecretSig);
  });

  it("unwraps secrets at any depth, naming the top-level properties that held one, and marks them again", () => {
    const s = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });
    const { values, secretKeys } = unwrap({ a: s("x"), b: { c: [1, s(2)] }, d: "plain" });
    assert.deepEqual(values, { a: "x", b: { c: [1, 2] }, d: "plain" });
    assert.deepEqual([...secretKeys].sort(), ["a", "b"]);
    const marked = markSecrets({ ...values, e: undefined }, secretKeys);
    assert.ok(isSecret(marked.a) && isSecret(marked.b));
    assert.equal(marked.d, "plain");
    assert.equal("e" in marked, false);
  });
});
