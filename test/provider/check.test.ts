import assert from "node:assert/strict";
import { checkInputs, UNKNOWN } from "../../provider/inputs";
import { diff } from "../../provider/lifecycle";

describe("User.check", () => {
  it("accepts a minimal user and applies the defaults", () => {
    const { inputs, failures } = checkInputs({ email: "alice@example.com" });
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs, { email: "alice@example.com", active: true, adoptExisting: false });
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ["a missing email", {}, "email", /required/],
    ["an email without '@'", { email: "alice.example.com" }, "email", /no '@'/],
    ["an email without a domain dot", { email: "alice@localhost" }, "email", /no dot/],
    ["an email with spaces", { email: "al ice@example.com" }, "email", /not allowed/],
    ["an empty email", { email: "" }, "email", /empty/],
    ["an over-long email", { email: `${"a".repeat(65)}@example.com` }, "email", /more than 64/],
    ["an email that is a number", { email: 42 }, "email", /must be a string, not number/],
    ["an active that is a string", { email: "a@example.com", active: "yes" }, "active", /true or false, not string/],
    ["an empty password", { email: "a@example.com", password: "" }, "password", /must not be empty/],
    ["a password that is an object", { email: "a@example.com", password: { x: 1 } }, "password", /not object/],
    [
      "an adoptExisting that is a number",
      { email: "a@example.com", adoptExisting: 1 },
      "adoptExisting",
      /true or false/,
    ],
    [
      "an unknown property",
      { email: "a@example.com", emial: "x" },
      "emial",
      /unknown property 'emial' \(did you mean 'email'\?\)/,
    ],
  ];
  for (const [what, news, property, reason] of bad) {
    it(`reports ${what} as a failure naming '${property}'`, () => {
      const { failures } = checkInputs(news);
      const f = failures.find((x) => x.property === property);
      assert.ok(f, `a failure for ${property}: ${JSON.stringify(failures)}`);
      assert.match(f.reason, reason);
    });
  }

  it("accepts internationalised addresses", () => {
    assert.deepEqual(checkInputs({ email: "zoë@bücher.example" }).failures, []);
  });

  it("lets values unknown during preview through without failures", () => {
    const { failures } = checkInputs({ email: UNKNOWN, active: UNKNOWN, password: UNKNOWN });
    assert.deepEqual(failures, []);
  });
});

describe("User.check of names and email changes", () => {
  it("records the previous email only when the program changed it", () => {
    assert.equal(
      checkInputs({ email: "b@example.com" }, { email: "a@example.com" }).inputs.__previousEmail,
      "a@example.com",
    );
    assert.equal(checkInputs({ email: "A@example.com" }, { email: "a@example.com" }).inputs.__previousEmail, undefined);
    assert.equal(checkInputs({ email: "b@example.com" }).inputs.__previousEmail, undefined);
    // A value the program passed itself is never trusted.
    assert.equal(
      checkInputs({ email: "b@example.com", __previousEmail: "x@example.com" }).inputs.__previousEmail,
      undefined,
    );
  });

  it("refuses firstName and lastName on Community, offline, naming the property and why", () => {
    const { failures } = checkInputs({ email: "a@example.com", firstName: "Ann", lastName: "Lee" }, {}, "community");
    assert.deepEqual(
      failures.map((f) => f.property),
      ["firstName", "lastName"],
    );
    assert.match(failures[0]!.reason, /cannot be set on Wallaroo Community: its invite .* takes only an email/);
    assert.match(failures[0]!.reason, /wallaroo:edition to enterprise/);
  });

  it("accepts firstName and lastName on Enterprise, and refuses a name that is not a string", () => {
    assert.deepEqual(checkInputs({ email: "a@example.com", firstName: "Ann" }, {}, "enterprise").failures, []);
    const { failures } = checkInputs({ email: "a@example.com", lastName: 7 }, {}, "enterprise");
    assert.deepEqual(failures, [{ property: "lastName", reason: "lastName must be a string, not number" }]);
  });
});

describe("User.diff", () => {
  const olds = { email: "alice@example.com", active: true, userId: "u1", __provider: "x" };

  it("sees no change when only the case of the email differs", async () => {
    assert.equal((await diff("u1", olds, { email: "Alice@Example.COM", active: true })).changes, false);
  });

  it("sees no change when only the provider code changed", async () => {
    assert.equal(
      (await diff("u1", olds, { email: "alice@example.com", active: true, __provider: "y" })).changes,
      false,
    );
  });

  it("sees no remote change when only the initial password changed", async () => {
    assert.equal(
      (await diff("u1", olds, { email: "alice@example.com", active: true, password: "new" })).changes,
      false,
    );
  });

  it("updates in place when active changes", async () => {
    const d = await diff("u1", olds, { email: "alice@example.com", active: false });
    assert.deepEqual(d, { changes: true, replaces: [], deleteBeforeReplace: false });
  });

  // The engine calls Check with the previous inputs before every Diff: check marks the program's change.
  const checked = (
    news: Record<string, unknown>,
    oldInputs: Record<string, unknown> = { email: "alice@example.com" },
  ) => checkInputs(news, oldInputs).inputs;

  it("replaces, deleting first, when the program changes the email", async () => {
    const d = await diff("u1", olds, checked({ email: "alicia@example.com", active: true }));
    assert.deepEqual(d, { changes: true, replaces: ["email"], deleteBeforeReplace: true });
  });

  it("does not replace when the server's email changed and the program's did not: an update (which refuses)", async () => {
    const refreshed = { ...olds, email: "alice.fixed@example.com" };
    const d = await diff("u1", refreshed, checked({ email: "alice@example.com", active: true }));
    assert.deepEqual(d, { changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("sees no change when the program takes up the address the server holds", async () => {
    const refreshed = { ...olds, email: "alice.fixed@example.com" };
    const d = await diff("u1", refreshed, checked({ email: "Alice.Fixed@example.com", active: true }));
    assert.deepEqual(d, { changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("reports a possible replacement when the new email is not known yet", async () => {
    const d = await diff("u1", olds, { email: UNKNOWN, active: true });
    assert.deepEqual(d.replaces, ["email"]);
  });
});
