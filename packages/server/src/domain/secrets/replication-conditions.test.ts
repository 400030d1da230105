import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import { openTestStores, requireTestStores } from "../../storage/test-stores.test-helper.js";
import { Authorizer } from "../access/authorizer.js";
import type { IdentityStore } from "../ports/identity-store.js";
import { randomArnSuffix } from "./arn.js";
import type { RequestScope, SecretDomainDeps } from "./deps.js";
import { SecretWriter } from "./secret-writer.js";

/**
 * The replication condition keys (`secretsmanager:AddReplicaRegions`, multivalued, and
 * `secretsmanager:ForceOverwriteReplicaSecret`, Bool) as CreateSecret and ReplicateSecretToRegions
 * supply them: a policy conditioned on them allows or refuses exactly the calls it names.
 */

const { skip } = requireTestStores();
const account = "123456789012";
const alice = `arn:aws:iam::${account}:user/alice`;
const regions = ["eu-west-1", "us-west-2", "ap-south-1"] as const;

/** A writer over fresh stores, as alice with these policy statements; `close` closes the stores. */
async function writerWith(statements: object[]) {
  const policies = [
    {
      principalArn: alice,
      policyName: "p",
      document: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
      updatedAt: 0,
    },
  ];
  const identity = {
    getPrincipal: async (arn: string) =>
      arn === alice ? { arn, name: "alice", kind: "user" as const, tags: [], createdAt: 0 } : undefined,
    listPolicies: async (arn: string) => (arn === alice ? policies : []),
  } as unknown as IdentityStore;
  const opened = await openTestStores();
  const keyring = openKeyring({ home: "/nonexistent", masterKeyBase64: randomBytes(32).toString("base64") });
  const deps: SecretDomainDeps = {
    store: opened.stores.secrets,
    envelope: createEnvelope(keyring),
    accountId: account,
    now: () => Date.UTC(2026, 0, 1),
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
    authorizer: new Authorizer({ identity, accountId: account, now: () => Date.UTC(2026, 0, 1) }),
  };
  const scope: RequestScope = {
    region: "us-east-1",
    caller: { principal: alice, accessKeyId: "AKIAALICE", sourceIp: "127.0.0.1" },
  };
  return { writer: new SecretWriter(deps), scope, close: () => opened.close() };
}

const allowAll = { Effect: "Allow", Action: "secretsmanager:*", Resource: "*" };
const denyEu = {
  Effect: "Deny",
  Action: ["secretsmanager:CreateSecret", "secretsmanager:ReplicateSecretToRegions"],
  Resource: "*",
  Condition: { "ForAnyValue:StringEquals": { "secretsmanager:AddReplicaRegions": "eu-west-1" } },
};

const denied = { name: "AccessDeniedException" };

test("Deny ForAnyValue:StringEquals AddReplicaRegions eu-west-1 refuses exactly the calls that ask for eu-west-1", {
  skip,
}, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.subarray([...regions], { minLength: 0 }),
      fc.subarray([...regions], { minLength: 1 }),
      async (atCreate, later) => {
        const d = await writerWith([allowAll, denyEu]);
        try {
          const create = d.writer.create(d.scope, {
            name: "db",
            value: { kind: "string", bytes: Buffer.from("v") },
            addReplicaRegions: atCreate.map((region) => ({ region })),
          });
          if (atCreate.includes("eu-west-1")) {
            await assert.rejects(create, denied);
            await d.writer.create(d.scope, {
              name: "db",
              value: { kind: "string", bytes: Buffer.from("v") },
            });
          } else {
            await create;
          }
          const replicate = d.writer.replicate(d.scope, {
            secretId: "db",
            addReplicaRegions: later.map((region) => ({ region })),
          });
          if (later.includes("eu-west-1")) await assert.rejects(replicate, denied);
          else await replicate;
        } finally {
          await d.close();
        }
      },
    ),
    { numRuns: 25 },
  );
});

test("ForAllValues:StringEquals AddReplicaRegions allows only requests whose every region is listed", {
  skip,
}, async () => {
  const d = await writerWith([
    { Effect: "Allow", Action: "secretsmanager:CreateSecret", Resource: "*" },
    {
      Effect: "Allow",
      Action: "secretsmanager:ReplicateSecretToRegions",
      Resource: "*",
      Condition: {
        "ForAllValues:StringEquals": { "secretsmanager:AddReplicaRegions": ["us-west-2", "ap-south-1"] },
      },
    },
  ]);
  try {
    await d.writer.create(d.scope, { name: "db", addReplicaRegions: [{ region: "us-west-2" }] });
    await assert.rejects(
      d.writer.replicate(d.scope, {
        secretId: "db",
        addReplicaRegions: [{ region: "ap-south-1" }, { region: "eu-west-1" }],
      }),
      denied,
    );
    const done = await d.writer.replicate(d.scope, {
      secretId: "db",
      addReplicaRegions: [{ region: "ap-south-1" }],
    });
    assert.deepEqual(
      done.replicationStatus.map((r) => r.region),
      ["us-west-2", "ap-south-1"],
    );
  } finally {
    await d.close();
  }
});

test("CreateSecret with AddReplicaRegions also needs secretsmanager:ReplicateSecretToRegions, as AWS documents", {
  skip,
}, async () => {
  const d = await writerWith([{ Effect: "Allow", Action: "secretsmanager:CreateSecret", Resource: "*" }]);
  try {
    await assert.rejects(
      d.writer.create(d.scope, { name: "db", addReplicaRegions: [{ region: "eu-west-1" }] }),
      (error: Error) =>
        error.name === "AccessDeniedException" && /ReplicateSecretToRegions/.test(error.message),
    );
    await d.writer.create(d.scope, { name: "db" });
  } finally {
    await d.close();
  }
});

test("ForceOverwriteReplicaSecret is a Bool key, set only when the request sets it", { skip }, async () => {
  for (const [force, allowed] of [
    [undefined, true],
    [false, true],
    [true, false],
  ] as const) {
    const d = await writerWith([
      allowAll,
      {
        Effect: "Deny",
        Action: "secretsmanager:*",
        Resource: "*",
        Condition: { Bool: { "secretsmanager:ForceOverwriteReplicaSecret": "true" } },
      },
    ]);
    try {
      const create = d.writer.create(d.scope, {
        name: "db",
        addReplicaRegions: [{ region: "eu-west-1" }],
        forceOverwriteReplicaSecret: force,
      });
      const replicate = async () => {
        await d.writer.create(d.scope, { name: "other" });
        return d.writer.replicate(d.scope, {
          secretId: "other",
          addReplicaRegions: [{ region: "eu-west-1" }],
          forceOverwriteReplicaSecret: force,
        });
      };
      if (allowed) {
        await create;
        await replicate();
      } else {
        await assert.rejects(create, denied, `CreateSecret with ForceOverwriteReplicaSecret=${force}`);
        await assert.rejects(
          replicate(),
          denied,
          `ReplicateSecretToRegions with ForceOverwriteReplicaSecret=${force}`,
        );
      }
    } finally {
      await d.close();
    }
  }
});
