// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${key}, not JS templates.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { base64url, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { adminCall } from "../testing/admin-call.js";
import { requireTool } from "../testing/real-clients.js";
import { runPythonJson } from "../testing/run-python.js";
import {
  type ServerProcess,
  startServerProcess,
  testAccountId,
  testAdmin,
  testRegion,
} from "../testing/server-process.js";

/**
 * The STS endpoint's refusals, through boto3 as a workload's SDK meets them: every bad token, an
 * untrusted subject and a session longer than the role allows is refused with STS's error code and
 * status, and each refusal is in the audit trail (named by the token's subject once it was
 * verified, never by the token). Then role chaining (AssumeRole from a Coffer user, with session
 * tags), GetCallerIdentity, and a role session's reads audited as CloudTrail's AssumedRole.
 */

// biome-ignore lint/suspicious/noExplicitAny: events are asserted on field by field.
type AuditEvent = any;

const { skip, python } = requireTool("boto3");
const issuer = "https://ci.example.com";
const audience = "sts.amazonaws.com";
const providerArn = `arn:aws:iam::${testAccountId}:oidc-provider/ci.example.com`;
const roleArn = `arn:aws:iam::${testAccountId}:role/deployer`;
const allowedSubject = "repo:acme/app:ref:refs/heads/main";

let server: ServerProcess;
let home: string;
let sign: (claims: JWTPayload, header?: Record<string, unknown>) => Promise<string>;
let signWithOtherKey: (claims: JWTPayload) => Promise<string>;

const sts = `
import json, os, boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
anonymous = boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"],
                         config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
def outcome(fn, **kwargs):
    try:
        r = fn(**kwargs)
        r.pop("ResponseMetadata", None)
        return {"ok": True, "response": r}
    except ClientError as e:
        return {"ok": False, "code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message", ""),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
def exchange(token, **extra):
    return outcome(anonymous.assume_role_with_web_identity, RoleArn=os.environ["ROLE_ARN"],
                   RoleSessionName="deploy-1", WebIdentityToken=token, **extra)
`;

function python_(script: string, env: Record<string, string> = {}) {
  return runPythonJson(python, `${sts}\n${script}`, {
    ...server.clientEnv,
    HOME: home,
    ROLE_ARN: roleArn,
    ...env,
  });
}

const claims = (overrides: JWTPayload = {}): JWTPayload => ({
  iss: issuer,
  aud: audience,
  sub: allowedSubject,
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 600,
  repository: "acme/app",
  ...overrides,
});

before(async () => {
  if (skip) return;
  home = mkdtempSync(join(tmpdir(), "coffer-sts-"));
  server = await startServerProcess();
  const issuerKeys = await generateKeyPair("RS256");
  const otherKeys = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(issuerKeys.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  sign = (payload, header = {}) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: "RS256", kid: "k1", ...header })
      .sign(issuerKeys.privateKey);
  signWithOtherKey = (payload) =>
    new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: "k1" }).sign(otherKeys.privateKey);
  await adminCall(server.url, "CreateOpenIDConnectProvider", {
    Url: issuer,
    ClientIDList: [audience],
    JwksDocument: JSON.stringify({ keys: [jwk] }),
  });
  await adminCall(server.url, "CreateRole", {
    RoleName: "deployer",
    MaxSessionDuration: 7200,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: providerArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "ci.example.com:sub": allowedSubject, "ci.example.com:repository": "acme/app" },
          },
        },
        {
          Effect: "Allow",
          // Alice, and the role's own sessions (role chaining).
          Principal: { AWS: [`arn:aws:iam::${testAccountId}:user/alice`, roleArn] },
          Action: ["sts:AssumeRole", "sts:TagSession"],
        },
      ],
    }),
  });
  await adminCall(server.url, "PutRolePolicy", {
    RoleName: "deployer",
    PolicyName: "team-secrets",
    PolicyDocument: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
          Condition: { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } },
        },
        {
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
          Condition: { StringEquals: { "aws:ResourceTag/open": "yes" } },
        },
      ],
    }),
  });
  const sdk = new SecretsManagerClient({ endpoint: server.url, region: testRegion, credentials: testAdmin });
  await sdk.send(
    new CreateSecretCommand({
      Name: "deploy/key",
      SecretString: "deploy-CANARY-91",
      Tags: [{ Key: "open", Value: "yes" }],
    }),
  );
  await sdk.send(
    new CreateSecretCommand({
      Name: "payments/key",
      SecretString: "payments-CANARY-92",
      Tags: [{ Key: "team", Value: "payments" }],
    }),
  );
  sdk.destroy();
});

after(async () => {
  await server?.stop();
  server?.cleanup();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("AssumeRoleWithWebIdentity through boto3", { skip }, () => {
  it("exchanges a good token for a session that reads the role's secrets", async () => {
    const token = await sign(claims());
    const out = await python_(
      `
r = exchange(os.environ["TOKEN"])
c = r["response"]["Credentials"]
s = boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"],
                 aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
me = boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"],
                  aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
print(json.dumps({"r": {k: v for k, v in r["response"].items() if k != "Credentials"},
                  "key": c["AccessKeyId"], "expiration": c["Expiration"].timestamp(),
                  "value": s.get_secret_value(SecretId="deploy/key")["SecretString"],
                  "other": outcome(s.get_secret_value, SecretId="payments/key"),
                  "me": {k: v for k, v in me.get_caller_identity().items() if k != "ResponseMetadata"}}))`,
      { TOKEN: token },
    );
    assert.equal(out.r.SubjectFromWebIdentityToken, allowedSubject);
    assert.equal(out.r.Audience, audience);
    assert.equal(out.r.Provider, issuer);
    assert.equal(out.r.AssumedRoleUser.Arn, `arn:aws:sts::${testAccountId}:assumed-role/deployer/deploy-1`);
    assert.match(out.r.AssumedRoleUser.AssumedRoleId, /^AROA[A-Z2-7]{17}:deploy-1$/);
    assert.match(out.key, /^ASIA/);
    const lifetime = out.expiration - Date.now() / 1000;
    assert.ok(lifetime > 3500 && lifetime <= 3600, `a one-hour session by default (${lifetime} s)`);
    assert.equal(out.value, "deploy-CANARY-91");
    assert.equal(out.other.code, "AccessDeniedException", "the role's policy decides what the session reads");
    assert.equal(out.me.Arn, out.r.AssumedRoleUser.Arn);
    assert.equal(out.me.Account, testAccountId);
    assert.equal(out.me.UserId, out.r.AssumedRoleUser.AssumedRoleId);
  });

  it("refuses every bad token, untrusted subject and over-long session with STS's error", async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
    const unsigned = `${header}.${base64url.encode(JSON.stringify(claims()))}.`;
    const cases: Array<[string, string, number, string]> = [
      ["expired", await sign(claims({ iat: now - 7200, exp: now - 3600 })), 400, "ExpiredTokenException"],
      ["wrong audience", await sign(claims({ aud: "someone-else" })), 400, "InvalidIdentityToken"],
      [
        "unknown issuer",
        await sign(claims({ iss: "https://evil.example.com" })),
        400,
        "InvalidIdentityToken",
      ],
      ["another key", await signWithOtherKey(claims()), 400, "InvalidIdentityToken"],
      ["alg none", unsigned, 400, "InvalidIdentityToken"],
      ["not a JWT", "not-a-token-at-all", 400, "InvalidIdentityToken"],
      ["untrusted subject", await sign(claims({ sub: "repo:acme/app:pull_request" })), 403, "AccessDenied"],
      ["untrusted repository claim", await sign(claims({ repository: "acme/fork" })), 403, "AccessDenied"],
    ];
    const tokens = Object.fromEntries(cases.map(([name, token]) => [name, token]));
    const out = await python_(
      `
tokens = json.loads(os.environ["TOKENS"])
result = {name: exchange(token) for name, token in tokens.items()}
result["too long"] = exchange(os.environ["GOOD"], DurationSeconds=10800)
print(json.dumps(result))`,
      { TOKENS: JSON.stringify(tokens), GOOD: await sign(claims()) },
    );
    for (const [name, , status, code] of cases) {
      assert.equal(out[name].ok, false, name);
      assert.equal(out[name].code, code, `${name}: ${out[name].message}`);
      assert.equal(out[name].status, status, name);
    }
    assert.equal(out["too long"].code, "ValidationError");
    assert.match(out["too long"].message, /MaxSessionDuration/);
    for (const outcome of Object.values(out) as Array<{ message: string }>) {
      for (const token of Object.values(tokens)) {
        assert.ok(!outcome.message.includes(token), "no error quotes the token");
      }
    }

    // Each refusal is audited; those refused after the token was verified name its subject.
    const { Events } = (await adminCall(server.url, "QueryAuditEvents", {
      EventName: "AssumeRoleWithWebIdentity",
      MaxResults: 100,
    })) as { Events: Array<{ Event: AuditEvent }> };
    const events = Events.map((entry) => entry.Event);
    const refused = events.filter((event) => event.errorCode !== undefined);
    assert.equal(refused.length, cases.length + 1);
    for (const event of events) {
      assert.equal(event.eventSource, "sts.amazonaws.com");
      assert.equal(
        event.requestParameters?.webIdentityToken ?? "HIDDEN_DUE_TO_SECURITY_REASONS",
        "HIDDEN_DUE_TO_SECURITY_REASONS",
      );
    }
    const denied = refused.filter((event) => event.errorCode === "AccessDenied");
    assert.equal(denied.length, 2);
    for (const event of denied) {
      assert.equal(event.userIdentity.type, "WebIdentityUser");
      assert.equal(event.userIdentity.identityProvider, issuer);
    }
    const trail = JSON.stringify(events);
    for (const token of Object.values(tokens)) assert.ok(!trail.includes(token.split(".")[2] || token));
  });
});

describe("AssumeRole from a Coffer user (role chaining), with session tags", { skip }, () => {
  it("issues a session whose tags its policies see and the audit trail records", async () => {
    const alice = await (async () => {
      await adminCall(server.url, "CreateUser", { UserName: "alice" });
      const { AccessKey } = (await adminCall(server.url, "CreateAccessKey", { UserName: "alice" })) as {
        AccessKey: { AccessKeyId: string; SecretAccessKey: string };
      };
      return AccessKey;
    })();
    await adminCall(server.url, "CreateUser", { UserName: "mallory" });
    const { AccessKey: mallory } = (await adminCall(server.url, "CreateAccessKey", {
      UserName: "mallory",
    })) as {
      AccessKey: { AccessKeyId: string; SecretAccessKey: string };
    };
    const out = await python_(
      `
def sts_as(key, secret, token=None):
    return boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"],
                        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)
alice = sts_as(os.environ["A_KEY"], os.environ["A_SECRET"])
r = outcome(alice.assume_role, RoleArn=os.environ["ROLE_ARN"], RoleSessionName="alice-deploy",
            Tags=[{"Key": "team", "Value": "payments"}])
c = r["response"]["Credentials"]
s = boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"],
                 aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
mallory = sts_as(os.environ["M_KEY"], os.environ["M_SECRET"])
print(json.dumps({"arn": r["response"]["AssumedRoleUser"]["Arn"], "size": r["response"].get("PackedPolicySize"),
                  "tagged": s.get_secret_value(SecretId="payments/key")["SecretString"],
                  "alice": alice.get_caller_identity()["Arn"],
                  "mallory": outcome(mallory.assume_role, RoleArn=os.environ["ROLE_ARN"], RoleSessionName="mallory-try"),
                  "chained_too_long": outcome(sts_as(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]).assume_role,
                                              RoleArn=os.environ["ROLE_ARN"], RoleSessionName="again", DurationSeconds=7200)}))`,
      {
        A_KEY: alice.AccessKeyId,
        A_SECRET: alice.SecretAccessKey,
        M_KEY: mallory.AccessKeyId,
        M_SECRET: mallory.SecretAccessKey,
      },
    );
    assert.equal(out.arn, `arn:aws:sts::${testAccountId}:assumed-role/deployer/alice-deploy`);
    assert.ok(out.size > 0 && out.size <= 100);
    assert.equal(out.tagged, "payments-CANARY-92", "the session tag team=payments opens the team's secret");
    assert.equal(out.alice, `arn:aws:iam::${testAccountId}:user/alice`);
    assert.equal(out.mallory.code, "AccessDenied");
    assert.equal(out.mallory.status, 403);
    assert.match(out.mallory.message, /user\/mallory is not authorized to perform: sts:AssumeRole/);
    assert.equal(out.chained_too_long.code, "ValidationError");
    assert.match(out.chained_too_long.message, /1 hour session limit for roles assumed by role chaining/);

    const { Events } = (await adminCall(server.url, "QueryAuditEvents", {
      EventName: "GetSecretValue",
      MaxResults: 50,
    })) as { Events: Array<{ Event: AuditEvent }> };
    const read = Events.map((entry) => entry.Event).find((event) => event.userIdentity.arn === out.arn);
    assert.ok(read, "the session's read is audited");
    assert.equal(read.userIdentity.type, "AssumedRole");
    assert.equal(read.userIdentity.sessionContext.sessionIssuer.arn, roleArn);
    assert.deepEqual(read.userIdentity.sessionContext.sessionTags, { team: "payments" });
    assert.equal(read.userIdentity.sessionContext.assumedBy.arn, `arn:aws:iam::${testAccountId}:user/alice`);
  });
});
