import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  baseNameFor,
  formatRoster,
  loadRoster,
  parseRoster,
  resourceNameFor,
  resourceNames,
  RosterEntry,
  RosterError,
} from "../../roster";
import { RosterFileSchema, RosterRowSchema } from "../../roster/schema";

/** The RosterError that parsing `text` throws. */
function rosterError(text: string, source = "team.yaml"): RosterError {
  try {
    parseRoster(text, source);
  } catch (e) {
    assert.ok(e instanceof RosterError, `expected a RosterError, got ${String(e)}`);
    assert.doesNotMatch(e.message, /^\s+at /m, "the message must not contain a stack trace");
    return e;
  }
  assert.fail("expected the roster to be rejected");
}

const VALID_NAME = /^[a-z][a-z0-9-]*$/;

describe("roster", function () {
  describe("parseRoster", function () {
    it("reads the documented example, defaulting active to true", function () {
      const entries = parseRoster(
        [
          "# team.yaml",
          "users:",
          "  - email: alice@example.com",
          "  - email: bob@example.com",
          "    active: false",
          "    note: on leave until March",
        ].join("\n"),
      );
      assert.deepEqual(entries, [
        { email: "alice@example.com", active: true },
        { email: "bob@example.com", active: false, note: "on leave until March" },
      ]);
    });

    it("accepts an empty list written as 'users: []' or as a bare 'users:'", function () {
      assert.deepEqual(parseRoster("users: []\n"), []);
      assert.deepEqual(parseRoster("users:\n"), []);
    });

    it("keeps emails as written, Unicode included", function () {
      const entries = parseRoster("users:\n  - email: José@Exämple.com\n  - email: 用户@例子.中国\n");
      assert.deepEqual(
        entries.map((e) => e.email),
        ["José@Exämple.com", "用户@例子.中国"],
      );
    });

    it("reports every bad row at once, each with its row number, line and email", function () {
      const text = [
        "users:", //                                    line 1
        "  - email: alice@example.com", //              line 2  row 1 ok
        "  - email: not-an-email", //                   line 3  row 2 bad email
        "  - email: ALICE@example.com", //              line 4  row 3 duplicate of row 1
        "  - email: carol@example.com", //              line 5  row 4 near-miss key
        "    activ: false", //                          line 6
        "  - email: dave@example.com", //               line 7  row 5 wrong types + unknown key
        '    active: "no"', //                          line 8
        "    note: 2024", //                            line 9
        "    team: ml", //                              line 10
        "  - erin@example.com", //                      line 11 row 6 not a mapping
        "  - active: true", //                          line 12 row 7 no email
        "  - email: 42", //                             line 13 row 8 email not text
        "  - email: frank@example.com", //              line 14 row 9 ok
      ].join("\n");
      const e = rosterError(text);
      const byRow = (row: number) => e.problems.filter((p) => p.row === row);

      assert.deepEqual([...new Set(e.problems.map((p) => p.row))], [2, 3, 4, 5, 6, 7, 8]);

      assert.equal(byRow(2)[0].email, "not-an-email");
      assert.equal(byRow(2)[0].line, 3);
      assert.match(byRow(2)[0].message, /'not-an-email' has no '@'/);

      assert.equal(byRow(3)[0].email, "ALICE@example.com");
      assert.match(byRow(3)[0].message, /duplicate email: row 1 \(line 2\)/);

      assert.equal(byRow(4)[0].line, 6);
      assert.match(byRow(4)[0].message, /unknown key 'activ' \(did you mean 'active'\?\)/);

      const dave = byRow(5).map((p) => p.message);
      assert.equal(dave.length, 3);
      assert.ok(
        dave.some((m) => /'active' must be true or false, not the text "no" \(write: active: false\)/.test(m)),
        dave.join("\n"),
      );
      assert.ok(
        dave.some((m) => /'note' must be text, not the number 2024 \(quote it: note: "2024"\)/.test(m)),
        dave.join("\n"),
      );
      assert.ok(
        dave.some((m) => /unknown key 'team' \(allowed: email, active, note, workspaces\)/.test(m)),
        dave.join("\n"),
      );
      assert.deepEqual(new Set(byRow(5).map((p) => p.line)), new Set([8, 9, 10]));

      assert.match(byRow(6)[0].message, /must be a mapping.*\(write: - email: erin@example.com\)/);
      assert.equal(byRow(6)[0].email, undefined);
      assert.match(byRow(7)[0].message, /has no 'email'/);
      assert.match(byRow(8)[0].message, /'email' must be text, not the number 42/);

      // The message alone is enough to fix the file: every row, with its number and email.
      assert.match(e.message, /^team\.yaml: not a valid roster \(9 problems\):/);
      for (const needle of [
        "row 2 (not-an-email, line 3)",
        "row 3 (ALICE@example.com, line 4)",
        "row 4 (carol@example.com, line 6)",
        "row 5 (dave@example.com, line 8)",
        "row 6 (line 11)",
        "row 7 (line 12)",
        "row 8 (line 13)",
      ]) {
        assert.ok(e.message.includes(needle), `missing '${needle}' in:\n${e.message}`);
      }
      assert.ok(!e.message.includes("row 1 (alice"), "a good row is not reported");
      assert.ok(!e.message.includes("frank"), "a good row is not reported");
    });

    it("names both rows of a duplicate, comparing emails case-insensitively", function () {
      const e = rosterError(
        "users:\n  - email: Bob@Example.com\n  - email: x@example.com\n  - email: bob@example.COM\n",
      );
      assert.equal(e.problems.length, 1);
      assert.equal(e.problems[0].row, 3);
      assert.equal(e.problems[0].email, "bob@example.COM");
      assert.match(e.problems[0].message, /row 1 .*Bob@Example\.com/);
    });

    it("reports a duplicate at once when a row of it also has a typo, whichever row that is", function () {
      const later = rosterError("users:\n  - email: ann@example.com\n  - email: Ann@example.com\n    activ: false\n");
      assert.deepEqual(
        later.problems.map((p) => [p.row, p.line, p.message.replace(/ \(.*$/, "")]),
        [
          [2, 4, "unknown key 'activ'"],
          [2, 3, "duplicate email: row 1"],
        ],
      );
      const first = rosterError("users:\n  - email: ann@example.com\n    activ: false\n  - email: ANN@example.com\n");
      assert.deepEqual(
        first.problems.map((p) => [p.row, p.message.replace(/ \(.*$/, "")]),
        [
          [1, "unknown key 'activ'"],
          [2, "duplicate email: row 1"],
        ],
      );
      // A malformed email is reported once, as malformed, and compared with nothing.
      const bad = rosterError("users:\n  - email: ann@localhost\n  - email: ann@localhost\n");
      assert.equal(bad.problems.length, 2);
      assert.ok(bad.problems.every((p) => /has no dot in the domain/.test(p.message)));
    });

    it("reports a YAML syntax error with its line, and no stack trace", function () {
      const e = rosterError(
        "users:\n  - email: alice@example.com\n  - email: [bob@example.com\n  - email: carol@example.com\n",
      );
      assert.ok(e.problems.length >= 1);
      assert.equal(e.problems[0].row, 0);
      assert.equal(typeof e.problems[0].line, "number");
      assert.match(e.message, /line \d+: YAML syntax error: /);
    });

    it("reports a key given twice in a row as a YAML error at its line", function () {
      const e = rosterError("users:\n  - email: a@example.com\n    email: b@example.com\n");
      assert.equal(e.problems[0].line, 3);
      assert.match(e.message, /line 3: YAML syntax error: Map keys must be unique/);
    });

    it("explains files of the wrong shape", function () {
      assert.match(rosterError("").message, /the file is empty: it needs a 'users:' list/);
      assert.match(rosterError("# only a comment\n").message, /the file is empty/);
      assert.match(
        rosterError("- email: a@example.com\n").message,
        /must be a mapping with a 'users:' list, not a list \(is the 'users:' line missing/,
      );
      assert.match(
        rosterError("user:\n  - email: a@example.com\n").message,
        /line 1: unknown key 'user' \(did you mean 'users'\?\)/,
      );
      assert.match(rosterError("members: []\n").message, /unknown key 'members'.*\n.*the file has no 'users:' list/);
      assert.match(rosterError("users: alice@example.com\n").message, /'users' must be a list of rows/);
      assert.match(rosterError("users: []\nteam: ml\n").message, /line 2: unknown key 'team' \(allowed: users\)/);
    });

    it("names the source in the message", function () {
      assert.match(rosterError("users: 1", "config/team.yaml").message, /^config\/team\.yaml: not a valid roster/);
      assert.throws(() => parseRoster("users: 1"), /^RosterError: roster: not a valid roster/);
    });
  });

  describe("loadRoster", function () {
    let dir: string;
    before(function () {
      dir = mkdtempSync(join(tmpdir(), "roster-test-"));
    });
    after(function () {
      rmSync(dir, { recursive: true, force: true });
    });

    it("reads a file and names it in errors", function () {
      const good = join(dir, "team.yaml");
      writeFileSync(good, "users:\n  - email: alice@example.com\n");
      assert.deepEqual(loadRoster(good), [{ email: "alice@example.com", active: true }]);
      const bad = join(dir, "bad.yaml");
      writeFileSync(bad, "users:\n  - email: nope\n");
      assert.throws(
        () => loadRoster(bad),
        (e: unknown) =>
          e instanceof RosterError &&
          e.message.startsWith(`${bad}: not a valid roster`) &&
          /row 1 \(nope, line 2\)/.test(e.message),
      );
    });

    it("turns a missing file into a RosterError, not an ENOENT stack trace", function () {
      const missing = join(dir, "missing.yaml");
      assert.throws(
        () => loadRoster(missing),
        (e: unknown) => e instanceof RosterError && e.message.includes(missing) && /does not exist/.test(e.message),
      );
    });
  });

  describe("schemas", function () {
    it("are strict: an unknown key is an error, not ignored", function () {
      assert.equal(RosterRowSchema.safeParse({ email: "a@example.com", extra: 1 }).success, false);
      assert.equal(RosterFileSchema.safeParse({ users: [], extra: 1 }).success, false);
      assert.deepEqual(RosterRowSchema.parse({ email: "a@example.com" }), { email: "a@example.com", active: true });
    });
  });

  describe("workspaces", function () {
    it("reads each person's workspaces and roles", function () {
      const entries = parseRoster(`users:
  - email: alice@example.com
    workspaces: { fraud-detection: owner, churn: collaborator }
  - email: bob@example.com
    workspaces:
      churn: owner
  - email: carol@example.com
`);
      assert.deepEqual(entries, [
        { email: "alice@example.com", active: true, workspaces: { "fraud-detection": "owner", churn: "collaborator" } },
        { email: "bob@example.com", active: true, workspaces: { churn: "owner" } },
        { email: "carol@example.com", active: true },
      ]);
    });

    it("rejects invalid workspace names and unknown roles, with a did-you-mean, naming row and line", function () {
      const e = rosterError(`users:
  - email: alice@example.com
    workspaces: { fraud_detection: owner, churn: collaborater }
  - email: bob@example.com
    workspaces: { churn: Owner, models: admin }
  - email: carol@example.com
    workspaces: [churn]
`);
      assert.deepEqual(
        e.problems.map((p) => [p.row, p.line, p.message]),
        [
          [
            1,
            3,
            "workspace name 'fraud_detection' does not match ^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]*$ (letters, digits and dashes, starting with a letter)",
          ],
          [
            1,
            3,
            "the role in workspace 'churn' must be owner or collaborator, not 'collaborater' (did you mean 'collaborator'?)",
          ],
          [2, 5, "the role in workspace 'churn' must be owner or collaborator, not 'Owner' (did you mean 'owner'?)"],
          [2, 5, "the role in workspace 'models' must be owner or collaborator, not 'admin'"],
          [
            3,
            7,
            "'workspaces' must be a mapping of workspace name to role, such as 'workspaces: { fraud-detection: owner }', not a list",
          ],
        ],
      );
    });

    it("suggests 'workspaces' for a misspelt key", function () {
      const e = rosterError("users:\n  - email: a@example.com\n    workspace: { churn: owner }\n");
      assert.match(e.message, /unknown key 'workspace' \(did you mean 'workspaces'\?\)/);
    });

    it("are written by formatRoster and read back identically", function () {
      const entries: RosterEntry[] = [
        { email: "alice@example.com", active: true, workspaces: { "fraud-detection": "owner", churn: "collaborator" } },
        { email: "bob@example.com", active: false },
      ];
      assert.deepEqual(parseRoster(formatRoster(entries)), entries);
    });
  });

  describe("formatRoster", function () {
    it("writes YAML that parseRoster reads back identically", function () {
      const entries: RosterEntry[] = [
        { email: "alice@example.com", active: true },
        { email: "bob@example.com", active: false, note: "on leave until March" },
        { email: "yes@example.com", active: true, note: "2024" },
        { email: "null@example.com", active: false, note: "true" },
        { email: "o'brien+ops@example.com", active: true, note: "# not a comment: really" },
        { email: "josé@exämple.com", active: true, note: "line one\nline two\n" },
        { email: "用户@例子.中国", active: false, note: "  leading and trailing spaces  " },
        { email: "quote@example.com", active: true, note: 'say "hi" \\ bye' },
        { email: "empty@example.com", active: true, note: "" },
      ];
      const text = formatRoster(entries);
      assert.deepEqual(parseRoster(text), entries);
      assert.deepEqual(parseRoster(formatRoster(parseRoster(text))), entries);
    });

    it("writes the documented layout: active only when false", function () {
      assert.equal(
        formatRoster([
          { email: "alice@example.com", active: true },
          { email: "bob@example.com", active: false, note: "on leave until March" },
        ]),
        "users:\n  - email: alice@example.com\n  - email: bob@example.com\n    active: false\n    note: on leave until March\n",
      );
      assert.equal(formatRoster([]), "users: []\n");
      assert.deepEqual(parseRoster(formatRoster([])), []);
    });

    it("keeps comments comments: a line break in a header cannot inject rows", function () {
      const text = formatRoster([{ email: "a@example.com", active: true }], {
        header: ["generated", "", "evil\nusers: []", "evil\u2028  - email: x@example.com"],
        footer: ["admin\r\n  - email: y@example.com"],
      });
      assert.match(text, /^# generated\n#\n# evil\\u000ausers: \[\]\n/);
      assert.deepEqual(parseRoster(text), [{ email: "a@example.com", active: true }]);
    });
  });

  describe("resourceNameFor", function () {
    it("derives a lower-case [a-z0-9-] name from an email", function () {
      assert.equal(resourceNameFor("alice@example.com", new Set()), "alice-example-com");
      assert.equal(resourceNameFor("Alice.Smith+ops@Example.co.uk", new Set()), "alice-smith-ops-example-co-uk");
    });

    it("names never depend on row order: colliding emails get a suffix derived from the email itself", function () {
      const forward = resourceNames(["a.b@x.com", "a-b@x.com", "alice@example.com"]);
      const backward = resourceNames(["alice@example.com", "a-b@x.com", "a.b@x.com"]);
      assert.deepEqual(new Map([...forward].sort()), new Map([...backward].sort()));
      assert.equal(forward.get("alice@example.com"), "alice-example-com");
      assert.match(forward.get("a.b@x.com")!, /^a-b-x-com-[0-9a-f]{8}$/);
      assert.match(forward.get("a-b@x.com")!, /^a-b-x-com-[0-9a-f]{8}$/);
      assert.notEqual(forward.get("a.b@x.com"), forward.get("a-b@x.com"));
    });

    it("keeps a colliding email's name when rows are added or reordered around it", function () {
      const before = resourceNames(["a.b@x.com", "a-b@x.com", "a_b@x.com"]);
      const after = resourceNames(["a_b@x.com", "zed@example.com", "a.b@x.com", "a-b@x.com"]);
      for (const e of ["a.b@x.com", "a-b@x.com", "a_b@x.com"]) assert.equal(after.get(e), before.get(e), e);
    });

    it("keys names by the normalized email", function () {
      assert.equal(resourceNames(["  Alice@Example.COM "]).get("alice@example.com"), "alice-example-com");
    });

    it("makes colliding names unique with -2, -3 and records the names it hands out", function () {
      const taken = new Set<string>();
      assert.equal(resourceNameFor("a.b@x.com", taken), "a-b-x-com");
      assert.equal(resourceNameFor("a-b@x.com", taken), "a-b-x-com-2");
      assert.equal(resourceNameFor("a_b@x.com", taken), "a-b-x-com-3");
      assert.deepEqual([...taken], ["a-b-x-com", "a-b-x-com-2", "a-b-x-com-3"]);
    });

    it("does not hand out a name that a natural name already holds", function () {
      const taken = new Set<string>(["a-b-x-com-2"]);
      assert.equal(resourceNameFor("a.b@x.com", taken), "a-b-x-com");
      assert.equal(resourceNameFor("a-b@x.com", taken), "a-b-x-com-3");
    });

    it("is stable for a given roster order", function () {
      const emails = ["a.b@x.com", "z@x.com", "a-b@x.com", "1@x.com", "josé@x.com", "jose@x.com"];
      const names = () => {
        const taken = new Set<string>();
        return emails.map((e) => resourceNameFor(e, taken));
      };
      assert.deepEqual(names(), names());
    });

    it("always gives a valid name starting with a letter", function () {
      const emails = [
        "1st@example.com",
        "-dash@example.com",
        "___@example.com",
        "!#$%&'*+/=?^`{|}~@example.com",
        "x@" + "a".repeat(63) + "." + "b".repeat(63) + ".com",
        "UPPER@EXAMPLE.COM",
        "用户@例子.中国",
        "josé@exämple.com",
        "straße@müller.de",
        "😀@example.com",
        "",
      ];
      const taken = new Set<string>();
      for (const email of emails) {
        const name = resourceNameFor(email, taken);
        assert.match(name, VALID_NAME, `${JSON.stringify(email)} gave ${JSON.stringify(name)}`);
        assert.ok(name.length <= 90, name);
      }
      assert.equal(taken.size, emails.length, "all unique");
      assert.equal(baseNameFor("1st@example.com"), "user-1st-example-com");
      assert.equal(baseNameFor("UPPER@EXAMPLE.COM"), "upper-example-com");
    });

    it("folds accents and keeps other scripts distinct (as punycode)", function () {
      assert.equal(baseNameFor("josé@exämple.com"), "jose-example-com");
      assert.equal(baseNameFor("straße@müller.de"), "strasse-muller-de");
      const a = baseNameFor("用户@例子.中国");
      const b = baseNameFor("管理@例子.中国");
      assert.match(a, /^xn--[a-z0-9]+-xn--[a-z0-9]+-xn--[a-z0-9]+$/);
      assert.notEqual(a, b, "different non-Latin emails must not collapse to the same name");
    });
  });
});
