import assert from "node:assert/strict";
import { emailProblem } from "../../sdk/email";

/** The Unicode rule for a domain label, as sdk/email.ts states it: the reference the ASCII path must match. */
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** Every string of `alphabet` up to `max` characters long. */
function* strings(alphabet: string[], max: number): Generator<string> {
  let level = [""];
  yield "";
  for (let n = 1; n <= max; n++) {
    const next: string[] = [];
    for (const s of level) for (const c of alphabet) next.push(s + c);
    yield* next;
    level = next;
  }
}

describe("emailProblem", () => {
  it("judges every ASCII domain label as the Unicode rule does (the fast path for ASCII addresses)", () => {
    // Letters of both cases, a digit, the hyphen, and neighbours of each range that are not allowed.
    const alphabet = ["a", "Z", "0", "9", "-", "_", "/", ":", "@", "`", "{", "[", "~", "!"];
    let checked = 0;
    for (const label of strings(alphabet, 3)) {
      if (label.includes("@")) continue; // an '@' makes it another domain, tested below
      const domain = label === "" ? "example.com" : `${label}.example.com`;
      const wanted = label === "" || LABEL.test(label);
      const problem = emailProblem(`someone@${domain}`);
      assert.equal(problem === undefined, wanted, `label '${label}': ${problem ?? "accepted"}`);
      checked++;
    }
    assert.ok(checked > 2000);
  });

  it("keeps the label length limit of 63 characters on the ASCII path", () => {
    assert.equal(emailProblem(`a@${"b".repeat(63)}.com`), undefined);
    assert.equal(emailProblem(`a@${"b".repeat(64)}.com`), "has an invalid domain");
    assert.equal(emailProblem(`a@b-${"c".repeat(59)}-d.com`), undefined);
  });

  it("still applies the Unicode rules to addresses that are not ASCII", () => {
    assert.equal(emailProblem("josé@bücher.example"), undefined);
    assert.equal(emailProblem("a@例え.テスト"), undefined);
    assert.equal(emailProblem("a@exa\u200bmple.com"), "contains the invisible character U+200B");
    assert.equal(emailProblem("a@-bücher.example"), "has an invalid domain");
    assert.equal(emailProblem("a\u0007@example.com"), "contains the invisible character U+0007");
  });
});
