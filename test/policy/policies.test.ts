import * as assert from "node:assert/strict";
import type { PolicyResource } from "@pulumi/policy";
import {
  ACTIVE_USER_LIMIT_POLICY,
  MAX_LISTED_USERS,
  activeUserLimitPolicy,
  duplicateEmailPolicy,
  unknownValuesPolicy,
  userEmailPolicy,
  wallarooPolicies,
} from "../../policy/policies";
import { activeUserLimit, parseActiveUserLimitConfig, PolicyConfigError } from "../../policy/config";
import { UNKNOWN_DURING_PREVIEW, policyResource, runResourcePolicy, runStackPolicy, userResource } from "./harness";
import { UNKNOWN_SENTINELS, WALLAROO_USER_TYPE } from "../../policy/userResources";

function users(count: number, props: Record<string, unknown> = {}, prefix = "user"): PolicyResource[] {
  return Array.from({ length: count }, (_, i) =>
    userResource(`${prefix}${i + 1}`, { email: `${prefix}${i + 1}@example.com`, ...props }),
  );
}

const bucket = () => policyResource("aws:s3/bucket:Bucket", "logs", { bucket: "logs", email: "not-an-email" });

describe("wallaroo-licence policies", () => {
  it("advertise the four user policies, then the three workspace policies", () => {
    assert.deepEqual(
      wallarooPolicies.map((p) => [p.name, p.enforcementLevel]),
      [
        ["wallaroo-active-user-limit", "mandatory"],
        ["wallaroo-user-email", "mandatory"],
        ["wallaroo-duplicate-email", "mandatory"],
        ["wallaroo-unknown-values", "advisory"],
        ["wallaroo-workspace-name", "mandatory"],
        ["wallaroo-duplicate-membership", "mandatory"],
        ["wallaroo-member-inactive", "advisory"],
      ],
    );
  });

  it("recognise every unknown-value sentinel @pulumi/policy recognises", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const proxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
    const theirs = Object.keys(proxy)
      .filter((k) => /^unknown[A-Z]\w*Value$/.test(k))
      .map((k) => proxy[k]);
    assert.equal(theirs.length, 7);
    assert.deepEqual(new Set(theirs), UNKNOWN_SENTINELS);
  });
});

describe("wallaroo-active-user-limit", () => {
  it("passes five active users on the default community edition", async () => {
    const { violations } = await runStackPolicy(activeUserLimitPolicy, users(5));
    assert.deepEqual(violations, []);
  });

  it("reports six active users against the community licence of five, listing them by email", async () => {
    const { violations } = await runStackPolicy(activeUserLimitPolicy, users(6));
    assert.equal(violations.length, 1);
    assert.equal(
      violations[0]!.message,
      "6 active Wallaroo users requested in this stack, but the community licence allows 5. " +
        "Deactivate 1 (set active: false) or raise the limit. Active in this stack: " +
        "user1@example.com, user2@example.com, user3@example.com, user4@example.com, user5@example.com, user6@example.com.",
    );
    assert.equal(violations[0]!.urn, undefined);
  });

  it("does not count deactivated users, and counts users without `active` as active", async () => {
    // An existing user (its planned state carries the server's id): inactive, it needs no seat at any moment.
    const resources = [
      ...users(5),
      userResource("former", { email: "former@example.com", active: false, userId: "id-former" }),
    ];
    assert.deepEqual((await runStackPolicy(activeUserLimitPolicy, resources)).violations, []);
    const explicit = [...users(5, { active: true }), userResource("extra", { email: "extra@example.com" })];
    assert.equal((await runStackPolicy(activeUserLimitPolicy, explicit)).violations.length, 1);
  });

  it("adds the unmanaged active users to the stack's and says how many to deactivate", async () => {
    const { violations } = await runStackPolicy(activeUserLimitPolicy, users(6), { unmanagedActiveUsers: 1 });
    assert.equal(
      violations[0]!.message,
      "7 active Wallaroo users requested (6 in this stack + 1 unmanaged), but the community licence allows 5. " +
        "Deactivate 2 (set active: false) or raise the limit. Active in this stack: " +
        "user1@example.com, user2@example.com, user3@example.com, user4@example.com, user5@example.com, user6@example.com.",
    );
    const under = await runStackPolicy(activeUserLimitPolicy, users(2), { unmanagedActiveUsers: 4 });
    assert.match(
      under.violations[0]!.message,
      /^6 active Wallaroo users requested \(2 in this stack \+ 4 unmanaged\), .* Deactivate 1 /,
    );
  });

  it("has no limit on the enterprise edition", async () => {
    const { violations } = await runStackPolicy(activeUserLimitPolicy, users(50), { edition: "enterprise" });
    assert.deepEqual(violations, []);
  });

  it("lets maxActiveUsers override the edition's limit, including zero", async () => {
    const two = await runStackPolicy(activeUserLimitPolicy, users(3), { edition: "enterprise", maxActiveUsers: 2 });
    assert.match(
      two.violations[0]!.message,
      /^3 active Wallaroo users requested in this stack, but the configured limit \(maxActiveUsers\) allows 2\. Deactivate 1 /,
    );
    const ten = await runStackPolicy(activeUserLimitPolicy, users(10), { maxActiveUsers: 10 });
    assert.deepEqual(ten.violations, []);
    const zero = await runStackPolicy(activeUserLimitPolicy, users(1), { maxActiveUsers: 0 });
    assert.match(
      zero.violations[0]!.message,
      /^1 active Wallaroo user requested in this stack, but the configured limit \(maxActiveUsers\) allows 0\. Deactivate 1 /,
    );
    const inactive = await runStackPolicy(activeUserLimitPolicy, users(3, { active: false, userId: "id" }), {
      maxActiveUsers: 0,
    });
    assert.deepEqual(inactive.violations, []);
  });

  it("blames a stack only when its own users take the instance over the limit", async () => {
    const resources = users(2, { active: false, userId: "id" });
    assert.deepEqual(
      (await runStackPolicy(activeUserLimitPolicy, resources, { unmanagedActiveUsers: 9 })).violations,
      [],
    );
  });

  it("ignores resources of other types", async () => {
    const resources = [...users(5), bucket(), policyResource("pulumi:pulumi:Stack", "wallaroo-users-dev", {})];
    assert.deepEqual((await runStackPolicy(activeUserLimitPolicy, resources)).violations, []);
  });

  it("does not count users whose `active` is unknown during preview, and says so when it reports", async () => {
    const atLimit = [
      ...users(5),
      userResource("maybe", { email: "maybe@example.com", active: UNKNOWN_DURING_PREVIEW }),
    ];
    assert.deepEqual((await runStackPolicy(activeUserLimitPolicy, atLimit)).violations, []);
    const over = [...users(6), userResource("maybe", { email: "maybe@example.com", active: UNKNOWN_DURING_PREVIEW })];
    const { violations } = await runStackPolicy(activeUserLimitPolicy, over);
    assert.match(violations[0]!.message, /^6 active Wallaroo users requested/);
    assert.match(
      violations[0]!.message,
      / 1 more user whose active flag or email is not known until apply was not counted\.$/,
    );
  });

  it("counts a user whose email is unknown during preview and names it by resource name", async () => {
    const resources = [...users(5), userResource("computed", { email: UNKNOWN_DURING_PREVIEW })];
    const { violations } = await runStackPolicy(activeUserLimitPolicy, resources);
    assert.match(violations[0]!.message, /user5@example\.com, computed \(email not known until apply\)\.$/);
  });

  it("lists at most MAX_LISTED_USERS users and counts the rest", async () => {
    const { violations } = await runStackPolicy(activeUserLimitPolicy, users(MAX_LISTED_USERS + 7));
    assert.match(violations[0]!.message, new RegExp(`user${MAX_LISTED_USERS}@example\\.com and 7 more\\.$`));
    assert.doesNotMatch(violations[0]!.message, new RegExp(`user${MAX_LISTED_USERS + 1}@`));
  });

  it("rejects a configuration that does not match its schema, naming every problem", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ maxActiveUsers: -1 }, "maxActiveUsers must be an integer >= 0, got -1"],
      [{ maxActiveUsers: "five" }, 'maxActiveUsers must be an integer >= 0, got "five"'],
      [{ maxActiveUsers: 2.5 }, "maxActiveUsers must be an integer >= 0, got 2.5"],
      [{ unmanagedActiveUsers: null }, 'unmanagedActiveUsers must be an integer >= 0 or "live", got null'],
      [{ edition: "free" }, 'edition must be one of "community", "enterprise", got "free"'],
      [{ unmanagedActiveUsers: "lively" }, 'unmanagedActiveUsers must be an integer >= 0 or "live", got "lively"'],
      [{ url: "https://w.example.com" }, 'url and authUrl are only used with unmanagedActiveUsers: "live"'],
      [
        { maxActiveUser: 3 },
        'unknown property "maxActiveUser" (allowed: edition, maxActiveUsers, unmanagedActiveUsers, url, authUrl)',
      ],
    ];
    for (const [config, problem] of cases) {
      await assert.rejects(runStackPolicy(activeUserLimitPolicy, users(1), config), (e: unknown) => {
        assert.ok(e instanceof PolicyConfigError);
        assert.equal(e.message, `invalid configuration for policy '${ACTIVE_USER_LIMIT_POLICY}': ${problem}`);
        assert.equal(e.stack, `PolicyConfigError: ${e.message}`);
        return true;
      });
    }
    await assert.rejects(
      runStackPolicy(activeUserLimitPolicy, users(1), { edition: 5, maxActiveUsers: -2 }),
      /edition must be one of "community", "enterprise", got 5; maxActiveUsers must be an integer >= 0, got -2$/,
    );
  });

  it("reads WALLAROO_EDITION in live mode only, when edition is unset, and says so in the message", () => {
    const env = { WALLAROO_EDITION: "enterprise" };
    const parse = (raw: Record<string, unknown>, e: NodeJS.ProcessEnv = env) =>
      parseActiveUserLimitConfig(ACTIVE_USER_LIMIT_POLICY, raw, e);
    assert.deepEqual(
      [parse({ unmanagedActiveUsers: "live" }).edition, parse({ unmanagedActiveUsers: "live" }).editionSource],
      ["enterprise", "environment"],
    );
    assert.equal(parse({ unmanagedActiveUsers: "live", edition: "community" }).edition, "community");
    assert.equal(parse({}).edition, "community", "a configured number is checked offline: no environment");
    assert.equal(parse({ unmanagedActiveUsers: "live" }, {}).editionSource, "default");
    assert.equal(
      activeUserLimit(parse({ unmanagedActiveUsers: "live" }, { WALLAROO_EDITION: "Community" })).source,
      "the community licence (from WALLAROO_EDITION)",
    );
    assert.throws(
      () => parse({ unmanagedActiveUsers: "live" }, { WALLAROO_EDITION: "enterprize" }),
      (e: unknown) =>
        e instanceof PolicyConfigError &&
        /WALLAROO_EDITION must be community or enterprise, not 'enterprize' \(did you mean 'enterprise'\?\)/.test(
          e.message,
        ),
    );
  });

  // Speed is measured by the benchmark (npm run bench), not asserted here; this checks the count and the message at scale.
  it("counts 10,000 mixed resources and keeps the message short", async () => {
    const resources = [...users(5_000, {}, "a"), ...users(2_500, { active: false }, "b")];
    for (let i = 0; i < 2_500; i++)
      resources.push(policyResource("random:index/randomPassword:RandomPassword", `pw${i}`, { length: 24 }));
    const { violations } = await runStackPolicy(activeUserLimitPolicy, resources);
    assert.equal(violations.length, 1);
    assert.match(
      violations[0]!.message,
      /^5000 active Wallaroo users requested in this stack, .* Deactivate 4995 .* and 4950 more\.$/,
    );
  });
});

describe("wallaroo-user-email", () => {
  const check = (props: Record<string, unknown>, name = "alice") =>
    runResourcePolicy(userEmailPolicy, userResource(name, props));

  it("accepts well-formed addresses, including internationalised domains and plus-addressing", async () => {
    for (const email of [
      "alice@example.com",
      "john.hummel+signuptest@wallaroo.ai",
      "jürgen@bücher.de",
      "a@b-c.co.uk",
    ]) {
      assert.deepEqual((await check({ email })).violations, [], email);
    }
  });

  it("reports an address without a dot in the domain, saying why a proper email matters", async () => {
    const { violations } = await check({ email: "bob@localhost" }, "bob");
    assert.deepEqual(violations, [
      {
        message:
          "Wallaroo user 'bob': email \"bob@localhost\" has no dot in the domain. A user registered without a proper " +
          "email address cannot create a workspace or log in; use a full address such as name@example.com.",
      },
    ]);
  });

  it("reports malformed, blank, padded, over-long, missing and non-string emails", async () => {
    const cases: [unknown, RegExp][] = [
      ["alice.example.com", /has no '@'/],
      ["a@b@example.com", /not allowed before the '@'/],
      ["al ice@example.com", /not allowed before the '@'/],
      [" alice@example.com", /leading or trailing white space/],
      ["", /is empty/],
      ["@example.com", /nothing before the '@'/],
      ["alice@exa_mple.com", /invalid domain/],
      [`${"a".repeat(65)}@example.com`, /more than 64 characters before the '@'/],
      [`a@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.${"e".repeat(63)}.com`, /longer than 254 characters/],
      [undefined, /^Wallaroo user 'alice': has no email\./],
      [42, /has an email that is not a string \(number\)/],
    ];
    for (const [email, expected] of cases) {
      const { violations } = await check(email === undefined ? {} : { email });
      assert.equal(violations.length, 1, String(email));
      assert.match(violations[0]!.message, expected);
    }
  });

  it("skips an email that is unknown during preview instead of failing", async () => {
    assert.deepEqual(await check({ email: UNKNOWN_DURING_PREVIEW }), { violations: [] });
  });

  it("declares itself not applicable to other resource types", async () => {
    const outcome = await runResourcePolicy(userEmailPolicy, bucket());
    assert.deepEqual(outcome, {
      violations: [],
      notApplicable: `Policy only applies to resources of type '${WALLAROO_USER_TYPE}'`,
    });
  });
});

describe("wallaroo-duplicate-email", () => {
  it("reports two users for the same email, compared trimmed and case-insensitively, naming both", async () => {
    const first = userResource("alice", { email: "alice@example.com" });
    const second = userResource("alice-again", { email: "  Alice@Example.COM ", active: false });
    const { violations } = await runStackPolicy(duplicateEmailPolicy, [
      first,
      userResource("bob", { email: "bob@example.com" }),
      second,
    ]);
    assert.deepEqual(violations, [
      {
        message:
          "Wallaroo users 'alice' and 'alice-again' both manage alice@example.com (emails are compared trimmed and " +
          "case-insensitively). Wallaroo identifies a user by email, so both resources would act on the same account " +
          `and undo each other's changes; keep one.\n  ${first.urn}\n  ${second.urn}`,
        urn: second.urn,
      },
    ]);
  });

  it("reports every further duplicate against the first", async () => {
    const resources = ["x", "y", "z"].map((n) => userResource(n, { email: "same@example.com" }));
    const { violations } = await runStackPolicy(duplicateEmailPolicy, resources);
    assert.deepEqual(
      violations.map((v) => v.urn),
      [resources[1]!.urn, resources[2]!.urn],
    );
    assert.match(violations[1]!.message, /^Wallaroo users 'x' and 'z' /);
  });

  it("passes distinct emails and skips unknown, missing and blank ones", async () => {
    const resources = [
      ...users(3),
      userResource("c1", { email: UNKNOWN_DURING_PREVIEW }),
      userResource("c2", { email: UNKNOWN_DURING_PREVIEW }),
      userResource("none1", {}),
      userResource("none2", {}),
      userResource("blank1", { email: " " }),
      userResource("blank2", { email: "" }),
      policyResource("other:index:Thing", "t", { email: "user1@example.com" }),
    ];
    assert.deepEqual((await runStackPolicy(duplicateEmailPolicy, resources)).violations, []);
  });
});

describe("wallaroo-unknown-values", () => {
  it("notes each user whose email or active flag is unknown during preview, on that user", async () => {
    const email = userResource("carol", { email: UNKNOWN_DURING_PREVIEW });
    const active = userResource("dave", { email: "dave@example.com", active: UNKNOWN_DURING_PREVIEW });
    const both = userResource("erin", { email: UNKNOWN_DURING_PREVIEW, active: UNKNOWN_DURING_PREVIEW });
    const { violations } = await runStackPolicy(unknownValuesPolicy, [...users(2), email, active, both]);
    assert.deepEqual(
      violations.map((v) => v.urn),
      [email.urn, active.urn, both.urn],
    );
    assert.equal(
      violations[0]!.message,
      "Wallaroo user 'carol': its email is computed from another resource and not known until apply, so " +
        "wallaroo-user-email and wallaroo-duplicate-email could not check it in this preview. " +
        "The checks run again on the real values during `pulumi up`.",
    );
    assert.equal(
      violations[1]!.message,
      "Wallaroo user 'dave': whether it is active is not known until apply, so wallaroo-active-user-limit did not " +
        "count it in this preview (the stack may have one more active user than checked). " +
        "The checks run again on the real values during `pulumi up`.",
    );
    assert.match(violations[2]!.message, /^Wallaroo user 'erin': its email .*; whether it is active /);
  });

  it("says nothing when every value is known", async () => {
    assert.deepEqual((await runStackPolicy(unknownValuesPolicy, users(3))).violations, []);
  });
});
