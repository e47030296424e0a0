import assert from "node:assert/strict";
import { configure, getClient } from "../../provider/runtime";

function source(values: Record<string, string>) {
  return { get: (k: string) => values[k] };
}

describe("configure (the provider's stack configuration)", () => {
  const settings = { "wallaroo:url": "http://127.0.0.1:9", "wallaroo:token": "t0ken-value" };
  after(() => configure(undefined));

  it("keeps the client, its login and its connections when another provider of the host brings the same settings", () => {
    configure(source(settings));
    const first = getClient();
    // The host configures User, Workspace and WorkspaceMember separately, each with its own copy.
    configure(source({ ...settings }));
    assert.equal(getClient(), first);
  });

  it("makes a new client when a setting differs", () => {
    configure(source(settings));
    const first = getClient();
    configure(source({ ...settings, "wallaroo:url": "http://127.0.0.1:10" }));
    assert.notEqual(getClient(), first);
  });
});
