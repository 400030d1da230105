import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SECRETS_MANAGER_ACTIONS } from "./catalog.js";
import { type AuthorizationRequest, evaluate } from "./evaluate.js";
import { parsePolicy, policyToDocument } from "./parse.js";
import {
  ACTION_PATTERNS,
  type DocumentShape,
  documentArb,
  type GeneratedRequest,
  requestArb,
  singletonsAsStrings,
  statementArb,
} from "./policy-arbitrary.test-helper.js";
import type { Policy } from "./types.js";
import { wildcardMatch } from "./wildcard.js";

interface Scenario {
  identity: DocumentShape[];
  resource?: DocumentShape | undefined;
  request: GeneratedRequest;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record(
  {
    identity: fc.array(documentArb("identity"), { maxLength: 3 }),
    resource: fc.option(documentArb("resource"), { nil: undefined }),
    request: requestArb,
  },
  { requiredKeys: ["identity", "request"] },
);

function parseScenario(scenario: Scenario): { identity: Policy[]; resource?: Policy } {
  const identity = scenario.identity.map((doc, i) =>
    parsePolicy(JSON.stringify(doc), { kind: "identity", name: `policy-${i}` }),
  );
  return scenario.resource
    ? { identity, resource: parsePolicy(JSON.stringify(scenario.resource), { kind: "resource" }) }
    : { identity };
}

function decide(identity: Policy[], resource: Policy | undefined, request: GeneratedRequest) {
  const full: AuthorizationRequest = { ...request, identityPolicies: identity, resourcePolicy: resource };
  return evaluate(full);
}

function withStatement(doc: DocumentShape, statement: Record<string, unknown>, at: number): DocumentShape {
  const statements = [...doc.Statement];
  const { Sid: _sid, ...withoutSid } = statement; // Sids must stay unique
  statements.splice(at % (statements.length + 1), 0, withoutSid);
  return { ...doc, Statement: statements };
}

const runs = { numRuns: 400 };

describe("evaluate: properties", () => {
  it("a principal with no policies can do nothing", () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        const result = decide([], undefined, request);
        assert.equal(result.decision, "implicit-deny");
        assert.equal(result.matched, undefined);
      }),
      runs,
    );
  });

  it("adding a Deny statement never grants more (and an applicable one denies)", () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.boolean(),
        fc.nat(),
        fc.nat(),
        statementArb("identity", "Deny"),
        statementArb("resource", "Deny"),
        (scenario, toResource, which, at, identityDeny, resourceDeny) => {
          const original = parseScenario(scenario);
          const before = decide(original.identity, original.resource, scenario.request);
          const changed: Scenario = { ...scenario, identity: [...scenario.identity] };
          if (toResource && scenario.resource)
            changed.resource = withStatement(scenario.resource, resourceDeny, at);
          else if (changed.identity.length > 0) {
            const index = which % changed.identity.length;
            changed.identity[index] = withStatement(
              changed.identity[index] as DocumentShape,
              identityDeny,
              at,
            );
          } else changed.identity.push({ Version: "2012-10-17", Statement: [identityDeny] });
          const parsed = parseScenario(changed);
          const after = decide(parsed.identity, parsed.resource, scenario.request);
          if (after.decision === "allow") assert.equal(before.decision, "allow");
          if (before.decision === "explicit-deny") assert.equal(after.decision, "explicit-deny");
        },
      ),
      runs,
    );
  });

  it("removing an Allow statement never grants more", () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), fc.nat(), fc.boolean(), (scenario, which, at, fromResource) => {
        const parsed = parseScenario(scenario);
        const before = decide(parsed.identity, parsed.resource, scenario.request);
        const changed: Scenario = { ...scenario, identity: [...scenario.identity] };
        const dropAllow = (doc: DocumentShape): DocumentShape | undefined => {
          const allows = doc.Statement.map((s, i) => [s, i] as const).filter(([s]) => s.Effect === "Allow");
          if (allows.length === 0) return doc;
          const [, index] = allows[at % allows.length] as readonly [unknown, number];
          const statements = doc.Statement.filter((_, i) => i !== index);
          return statements.length > 0 ? { ...doc, Statement: statements } : undefined;
        };
        if (fromResource && scenario.resource) changed.resource = dropAllow(scenario.resource);
        else if (changed.identity.length > 0) {
          const index = which % changed.identity.length;
          const next = dropAllow(changed.identity[index] as DocumentShape);
          if (next) changed.identity[index] = next;
          else changed.identity.splice(index, 1);
        }
        const reparsed = parseScenario(changed);
        const after = decide(reparsed.identity, reparsed.resource, scenario.request);
        if (after.decision === "allow") assert.equal(before.decision, "allow");
      }),
      runs,
    );
  });

  it("adding an Allow statement never takes a grant away", () => {
    fc.assert(
      fc.property(scenarioArb, statementArb("identity", "Allow"), (scenario, allow) => {
        const parsed = parseScenario(scenario);
        const before = decide(parsed.identity, parsed.resource, scenario.request);
        const extra = parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: [allow] }), {
          kind: "identity",
        });
        const after = decide([...parsed.identity, extra], parsed.resource, scenario.request);
        if (before.decision === "allow") assert.equal(after.decision, "allow");
        if (before.decision === "explicit-deny") assert.equal(after.decision, "explicit-deny");
      }),
      runs,
    );
  });

  it("Allow with NotAction grants exactly the actions it does not list", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...ACTION_PATTERNS), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...SECRETS_MANAGER_ACTIONS),
        (excluded, action) => {
          const policy = parsePolicy(
            JSON.stringify({
              Version: "2012-10-17",
              Statement: { Effect: "Allow", NotAction: excluded, Resource: "*" },
            }),
            { kind: "identity" },
          );
          const result = evaluate({
            principal: { arn: "arn:aws:iam::111111111111:user/alice", accountId: "111111111111" },
            action,
            resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:x-AbCdEf",
            identityPolicies: [policy],
          });
          const listed = excluded.some((pattern) => wildcardMatch(pattern, action, { ignoreCase: true }));
          assert.equal(result.decision, listed ? "implicit-deny" : "allow");
        },
      ),
      runs,
    );
  });

  it("string and one-element array forms (and Statement object vs array) decide alike", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const parsed = parseScenario(scenario);
        const compact: Scenario = {
          identity: scenario.identity.map((doc) => singletonsAsStrings(doc) as DocumentShape),
          resource: scenario.resource && (singletonsAsStrings(scenario.resource) as DocumentShape),
          request: scenario.request,
        };
        const compactParsed = parseScenario(compact);
        assert.deepEqual(compactParsed, parsed);
        assert.deepEqual(
          decide(compactParsed.identity, compactParsed.resource, scenario.request),
          decide(parsed.identity, parsed.resource, scenario.request),
        );
      }),
      runs,
    );
  });

  it("the canonical document round-trips through the parser", () => {
    fc.assert(
      fc.property(documentArb("identity"), documentArb("resource"), (identityDoc, resourceDoc) => {
        for (const [doc, kind] of [
          [identityDoc, "identity"],
          [resourceDoc, "resource"],
        ] as const) {
          const policy = parsePolicy(JSON.stringify(doc), { kind });
          const again = parsePolicy(JSON.stringify(policyToDocument(policy)), { kind });
          assert.deepEqual(again, policy);
          assert.deepEqual(policyToDocument(again), policyToDocument(policy));
        }
      }),
      runs,
    );
  });

  it("evaluation is deterministic and the same for a structurally equal, unfrozen policy", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const parsed = parseScenario(scenario);
        const first = decide(parsed.identity, parsed.resource, scenario.request);
        assert.deepEqual(decide(parsed.identity, parsed.resource, scenario.request), first);
        const clone = structuredClone(parsed);
        assert.deepEqual(decide(clone.identity, clone.resource, scenario.request), first);
      }),
      runs,
    );
  });
});
