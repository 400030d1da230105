import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MalformedPolicyDocumentException } from "../../errors/catalog.js";
import { actionStatus, assertKnownActions, unknownActionMessage } from "./actions.js";
import { COFFER_ADMIN_ACTIONS, SECRETS_MANAGER_ACTIONS } from "./catalog.js";
import { parsePolicy } from "./parse.js";

const KNOWN: readonly string[] = [...SECRETS_MANAGER_ACTIONS, ...COFFER_ADMIN_ACTIONS];
const knownLower = new Set(KNOWN.map((a) => a.toLowerCase()));
const action = fc.constantFrom(...KNOWN);

/** Changes the letter case of each character at random, as IAM matches actions case-insensitively. */
const recased = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(""));

const policyWith = (...actions: string[]) =>
  parsePolicy(
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }],
    }),
    { kind: "identity" },
  );

describe("actionStatus (property-based)", () => {
  it("every real action, in any case, is known", () => {
    fc.assert(fc.property(action.chain(recased), (a) => assert.equal(actionStatus(a).kind, "known")));
  });

  it("a one-letter typo of a real action is unknown, and the suggestion is a real action of the same service", () => {
    fc.assert(
      fc.property(action, fc.nat(), fc.constantFrom("drop", "swap", "add"), (real, at, edit) => {
        const colon = real.indexOf(":");
        const name = real.slice(colon + 1);
        const i = at % name.length;
        const typo =
          edit === "drop"
            ? name.slice(0, i) + name.slice(i + 1)
            : edit === "add"
              ? `${name.slice(0, i)}q${name.slice(i)}`
              : `${name.slice(0, i)}${name[i] === "x" ? "z" : "x"}${name.slice(i + 1)}`;
        const written = `${real.slice(0, colon)}:${typo}`;
        fc.pre(!knownLower.has(written.toLowerCase()));
        const status = actionStatus(written);
        assert.equal(status.kind, "unknown", written);
        if (status.kind !== "unknown") return;
        assert.ok(status.suggestion !== undefined, `no suggestion for ${written}`);
        assert.ok(KNOWN.includes(status.suggestion), status.suggestion);
        assert.equal(status.suggestion.split(":")[0], real.split(":")[0]);
        assert.match(
          unknownActionMessage(written, status),
          new RegExp(`did you mean "${status.suggestion}"`),
        );
      }),
    );
  });

  it("a wildcard cut out of a real action matches it, so it is known; a pattern matching none is unknown", () => {
    fc.assert(
      fc.property(action, fc.nat(), fc.nat(), (real, a, b) => {
        const colon = real.indexOf(":");
        const name = real.slice(colon + 1);
        const [from, to] = [a % (name.length + 1), b % (name.length + 1)].sort((x, y) => x - y) as [
          number,
          number,
        ];
        const pattern = `${real.slice(0, colon)}:${name.slice(0, from)}*${name.slice(to)}`;
        assert.equal(actionStatus(pattern).kind, "known", pattern);
        assert.equal(actionStatus(`${pattern}Zzq`).kind, "unknown", `${pattern}Zzq`);
      }),
    );
  });

  it("actions of other services are accepted as other-service; service patterns are not checked", () => {
    const otherService = fc
      .stringMatching(/^[a-z][a-z0-9-]{1,20}$/)
      .filter((s) => s !== "secretsmanager" && s !== "coffer");
    fc.assert(
      fc.property(otherService, fc.stringMatching(/^[A-Za-z*?]{1,30}$/), (service, name) => {
        assert.deepEqual(actionStatus(`${service}:${name}`), { kind: "other-service", service });
        assert.equal(actionStatus(`${service.slice(0, 1)}*:${name}`).kind, "known");
      }),
    );
    assert.equal(actionStatus("*").kind, "known");
    assert.equal(actionStatus("kms:Decrypt").kind, "other-service");
  });
});

describe("assertKnownActions", () => {
  it("rejects secretsmanager:GetSecretValu naming the action and the closest real one", () => {
    assert.throws(
      () => assertKnownActions(policyWith("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValu")),
      (error: Error) => {
        assert.ok(error instanceof MalformedPolicyDocumentException);
        assert.equal(
          error.message,
          'Statement.Action[1]: "secretsmanager:GetSecretValu" is not a Secrets Manager action; did you mean "secretsmanager:GetSecretValue"?',
        );
        return true;
      },
    );
    assert.throws(
      () => assertKnownActions(policyWith("secretsmanager:Get*Valu")),
      /matches no Secrets Manager action/,
    );
    assert.throws(
      () => assertKnownActions(policyWith("coffer:CreateUsers")),
      /did you mean "coffer:CreateUser"/,
    );
  });

  it("accepts real actions, patterns, * and other services' actions such as kms:Decrypt", () => {
    assertKnownActions(
      policyWith(
        "secretsmanager:GetSecretValue",
        "secretsmanager:Describe*",
        "kms:Decrypt",
        "coffer:List*",
        "*",
      ),
    );
  });

  it("is not part of parsing: a stored policy with an unknown action still loads", () => {
    assert.equal(policyWith("secretsmanager:GetSecretValu").statements.length, 1);
  });
});
