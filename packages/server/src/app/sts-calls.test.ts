/**
 * STS's three actions through the whole request pipeline (frame, SigV4 or none, the form decoded,
 * the operation, the audit line, the XML answer) with a stand-in for the domain's role sessions,
 * and canaries: the web identity token, the issued secret key and session token appear in the
 * answer the caller is owed and nowhere else — not in the audit journal, not in the logs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AuditLog } from "../audit/audit-log.js";
import type { AccessKeyRegistry, ActiveKey } from "../auth/access-keys.js";
import { createSigV4Verifier } from "../auth/sigv4/index.js";
import type { Authorizer } from "../domain/access/authorizer.js";
import type {
  AssumeRoleRequest,
  AssumeRoleWithWebIdentityRequest,
  RoleSessions,
  StsCaller,
  WebIdentityCaller,
} from "../domain/identity/sts/role-sessions.js";
import type { RoleSessionRecord } from "../domain/ports/identity-store.js";
import { StsAccessDeniedException } from "../errors/catalog.js";
import { createLogger } from "../log/logger.js";
import type { OperationServices } from "../operations/operation.js";
import { createStsApi } from "../operations/sts/sts-api.js";
import { createRequestPipeline } from "../pipeline/pipeline.js";
import type { TransportCall } from "../pipeline/transport-call.js";
import { createRequestAudit } from "./request-audit-log.js";

const accountId = "123456789012";
const userKey = { accessKeyId: "AKIASTSTESTUSER00001", secretAccessKey: "user-secret-0123456789" };
const sessionKey = { accessKeyId: "ASIASTSTESTSESSION01", secretAccessKey: "session-secret-0123456789" };
const session: RoleSessionRecord = {
  roleArn: `arn:aws:iam::${accountId}:role/deploy`,
  sessionName: "ci",
  issuedAt: 0,
  tags: [{ Key: "team", Value: "payments" }],
  transitiveTagKeys: [],
  via: { kind: "assume-role", callerArn: `arn:aws:iam::${accountId}:user/alice`, callerAccessKeyId: "AKIA1" },
};
const keys: Record<string, ActiveKey> = {
  [userKey.accessKeyId]: {
    secret: userKey.secretAccessKey,
    principal: `arn:aws:iam::${accountId}:user/alice`,
    expiresAt: undefined,
    sessionTokenHash: undefined,
  },
  [sessionKey.accessKeyId]: {
    secret: sessionKey.secretAccessKey,
    principal: `arn:aws:sts::${accountId}:assumed-role/deploy/ci`,
    expiresAt: undefined,
    sessionTokenHash: undefined,
    session,
  },
};

const canaries = {
  token: "eyJCANARYWEBIDENTITYTOKEN.payload.signature",
  secret: "CANARYSECRETACCESSKEY0123456789abcdefghij",
  sessionToken: "CANARYSESSIONTOKEN/with+base64=",
};
const who: WebIdentityCaller = {
  providerArn: `arn:aws:iam::${accountId}:oidc-provider/token.example.com`,
  issuer: "https://token.example.com",
  subject: "repo:org/app:ref:refs/heads/main",
  audience: "sts.amazonaws.com",
};

function issued(arn: string) {
  return {
    accessKeyId: "ASIAISSUED0000000001",
    secretAccessKey: canaries.secret,
    sessionToken: canaries.sessionToken,
    expiresAt: Date.UTC(2030, 0, 1),
    assumedRoleArn: arn,
    assumedRoleId: "AROAEXAMPLE:ci",
    packedPolicySize: 3,
  };
}

/** A stand-in for the domain's role sessions that records what it was asked. */
function fakeRoleSessions(options: { refuseAfterVerifying?: boolean } = {}) {
  const asked: {
    webIdentity?: AssumeRoleWithWebIdentityRequest;
    assumeRole?: [StsCaller, AssumeRoleRequest];
  } = {};
  const sts: RoleSessions = {
    async assumeRoleWithWebIdentity(request, onVerified) {
      asked.webIdentity = request;
      onVerified?.(who);
      if (options.refuseAfterVerifying)
        throw new StsAccessDeniedException("Not authorized to perform sts:AssumeRoleWithWebIdentity");
      return {
        ...issued(`arn:aws:sts::${accountId}:assumed-role/deploy/${request.roleSessionName}`),
        subjectFromWebIdentityToken: who.subject,
        audience: who.audience,
        provider: who.issuer,
      };
    },
    async assumeRole(caller, request) {
      asked.assumeRole = [caller, request];
      return issued(`arn:aws:sts::${accountId}:assumed-role/deploy/${request.roleSessionName}`);
    },
    callerIdentity: (caller) => ({ userId: "AIDAFROMDOMAIN", account: accountId, arn: caller.principal }),
  };
  return { sts, asked };
}

function harness(sts: RoleSessions | undefined) {
  const lines: string[] = [];
  const logs: string[] = [];
  const log = { appendLine: async (line: string) => void lines.push(line) } as unknown as AuditLog;
  const accessKeys = {
    recent: (id: string) => keys[id],
    lookup: async (id: string) => keys[id],
    recordUse: () => undefined,
  } as unknown as AccessKeyRegistry;
  const pipeline = createRequestPipeline({
    apis: [createStsApi()],
    services: { sts } as OperationServices,
    verifier: createSigV4Verifier({ service: "secretsmanager" }),
    accessKeys,
    authorizer: {} as Authorizer,
    audit: createRequestAudit(log, accountId, "eu-west-1"),
    logger: createLogger("debug", (line) => logs.push(line)),
    maxBodyBytes: 256 * 1024,
    now: Date.now,
  });
  // biome-ignore lint/suspicious/noExplicitAny: events are asserted on field by field.
  const events = () => lines.map((line) => JSON.parse(line) as Record<string, any>);
  return { pipeline, lines, logs, events };
}

function callOf(headers: Record<string, string>, body: string): TransportCall {
  const bytes = Buffer.from(body);
  return {
    method: "POST",
    url: "/",
    headers: { ...headers, "content-length": String(bytes.length) },
    rawHeaders: Object.entries(headers).flat(),
    sourceIp: "192.0.2.7",
    readBody: () => Promise.resolve(bytes),
    discardBody: () => Promise.resolve(),
  };
}

const form = { "content-type": "application/x-www-form-urlencoded; charset=utf-8", host: "sts.local" };

async function signed(body: string, credentials = userKey, service = "sts") {
  const signer = new SignatureV4({
    service,
    region: "us-east-1",
    credentials,
    sha256: Hash.bind(null, "sha256"),
  });
  const request = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: "sts.local",
    path: "/",
    headers: form,
    body,
  });
  return callOf(request.headers, body);
}

const webIdentityBody = new URLSearchParams({
  Action: "AssumeRoleWithWebIdentity",
  Version: "2011-06-15",
  RoleArn: `arn:aws:iam::${accountId}:role/deploy`,
  RoleSessionName: "ci",
  WebIdentityToken: canaries.token,
  DurationSeconds: "900",
}).toString();

function assertNoCanary(texts: readonly string[], where: string) {
  for (const text of texts) {
    for (const [name, canary] of Object.entries(canaries)) {
      assert.ok(!text.includes(canary), `the ${name} reached ${where}: ${text}`);
    }
  }
}

describe("STS through the pipeline", () => {
  it("AssumeRoleWithWebIdentity: unsigned, the token to the domain only, the caller named in the trail", async () => {
    const { sts, asked } = fakeRoleSessions();
    const { pipeline, lines, logs, events } = harness(sts);
    const reply = await pipeline.handle(callOf(form, webIdentityBody));
    assert.equal(reply.status, 200, reply.body);
    assert.equal(reply.contentType, "text/xml");
    assert.equal(asked.webIdentity?.webIdentityToken, canaries.token);
    assert.equal(asked.webIdentity?.durationSeconds, 900);
    assert.equal(asked.webIdentity?.sourceIp, "192.0.2.7");
    // The caller is owed its credentials, and gets them.
    assert.match(reply.body, new RegExp(`<SecretAccessKey>${canaries.secret}</SecretAccessKey>`));
    assert.match(reply.body, /<SessionToken>CANARYSESSIONTOKEN\/with\+base64=<\/SessionToken>/);
    assert.match(reply.body, /<Expiration>2030-01-01T00:00:00.000Z<\/Expiration>/);
    assert.match(reply.body, /<SubjectFromWebIdentityToken>repo:org\/app:ref:refs\/heads\/main</);
    assert.match(reply.body, new RegExp(`<RequestId>${reply.requestId}</RequestId>`));

    const [intent, outcome] = events();
    assert.equal(lines.length, 2, "the intent, then the outcome");
    assert.equal(intent?.additionalEventData?.auditPhase, "intent");
    assert.equal(outcome?.eventSource, "sts.amazonaws.com");
    assert.equal(outcome?.eventName, "AssumeRoleWithWebIdentity");
    assert.equal(outcome?.awsRegion, "eu-west-1", "an unsigned call takes the server's region");
    assert.equal(outcome?.requestParameters?.webIdentityToken, "HIDDEN_DUE_TO_SECURITY_REASONS");
    assert.equal(outcome?.requestParameters?.roleSessionName, "ci");
    assert.equal(outcome?.userIdentity?.type, "WebIdentityUser");
    assert.equal(outcome?.userIdentity?.userName, who.subject);
    assertNoCanary(lines, "the audit journal");
    assertNoCanary(logs, "the log");
  });

  it("AssumeRoleWithWebIdentity refused after the token was verified: STS's AccessDenied, the caller still named", async () => {
    const { sts } = fakeRoleSessions({ refuseAfterVerifying: true });
    const { pipeline, lines, logs, events } = harness(sts);
    const reply = await pipeline.handle(callOf(form, webIdentityBody));
    assert.equal(reply.status, 403);
    assert.match(reply.body, /<Type>Sender<\/Type><Code>AccessDenied<\/Code>/);
    const outcome = events().at(-1);
    assert.equal(outcome?.errorCode, "AccessDenied");
    assert.equal(outcome?.userIdentity?.type, "WebIdentityUser");
    assertNoCanary([...lines, reply.body], "the audit journal or the error");
    assertNoCanary(logs, "the log");
  });

  it("AssumeRole: signed with sts, the caller's role session passed to the domain, the session's secret in the answer only", async () => {
    const { sts, asked } = fakeRoleSessions();
    const { pipeline, lines, logs, events } = harness(sts);
    const body =
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy" +
      "&RoleSessionName=chained&Tags.member.1.Key=env&Tags.member.1.Value=prod&TransitiveTagKeys.member.1=env";
    const reply = await pipeline.handle(await signed(body, sessionKey));
    assert.equal(reply.status, 200, reply.body);
    const [caller, request] = asked.assumeRole ?? [];
    assert.equal(caller?.principal, `arn:aws:sts::${accountId}:assumed-role/deploy/ci`);
    assert.equal(caller?.accessKeyId, sessionKey.accessKeyId);
    assert.deepEqual(caller?.session, session);
    assert.deepEqual(request?.tags, [{ Key: "env", Value: "prod" }]);
    assert.deepEqual(request?.transitiveTagKeys, ["env"]);
    assert.match(
      reply.body,
      /^<AssumeRoleResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><AssumeRoleResult>/,
    );
    assert.match(reply.body, /<PackedPolicySize>3<\/PackedPolicySize>/);
    const outcome = events().at(-1);
    assert.equal(outcome?.userIdentity?.type, "AssumedRole");
    assert.equal(outcome?.userIdentity?.accessKeyId, sessionKey.accessKeyId);
    assertNoCanary(lines, "the audit journal");
    assertNoCanary(logs, "the log");
  });

  it("AssumeRole with MFA members is refused rather than issued without the MFA check", async () => {
    const { sts, asked } = fakeRoleSessions();
    const { pipeline } = harness(sts);
    const body =
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy" +
      "&RoleSessionName=mfa&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&TokenCode=123456";
    const reply = await pipeline.handle(await signed(body));
    assert.equal(reply.status, 400);
    assert.match(reply.body, /<Code>InvalidParameterValue<\/Code>/);
    assert.equal(asked.assumeRole, undefined);
  });

  it("GetCallerIdentity asks the domain, and answers InvalidAction where role sessions are not wired", async () => {
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const wired = harness(fakeRoleSessions().sts);
    const fromDomain = await wired.pipeline.handle(await signed(body));
    assert.equal(fromDomain.status, 200, fromDomain.body);
    assert.match(fromDomain.body, /<UserId>AIDAFROMDOMAIN<\/UserId>/);
    const bare = harness(undefined);
    const unwired = await bare.pipeline.handle(await signed(body, sessionKey));
    assert.equal(unwired.status, 400, unwired.body);
    assert.match(unwired.body, /<Code>InvalidAction<\/Code><Message>Role sessions are not configured/);
  });

  it("a signed STS action checks the signature against sts, and answers SigV4's failures in STS's words", async () => {
    const { pipeline, events } = harness(fakeRoleSessions().sts);
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const wrongService = await pipeline.handle(await signed(body, userKey, "secretsmanager"));
    assert.equal(wrongService.status, 403);
    assert.match(
      wrongService.body,
      /<Code>SignatureDoesNotMatch<\/Code><Message>Credential should be scoped to correct service: 'sts'./,
    );
    const unsigned = await pipeline.handle(callOf(form, body));
    assert.equal(unsigned.status, 403);
    assert.match(unsigned.body, /<Code>MissingAuthenticationToken<\/Code>/);
    const unknownKey = await pipeline.handle(
      await signed(body, { accessKeyId: "AKIANOBODY0000000001", secretAccessKey: "x" }),
    );
    assert.match(unknownKey.body, /<Code>InvalidClientTokenId<\/Code>/);
    assert.deepEqual(
      events().map((event) => event.errorCode),
      ["SignatureDoesNotMatch", "MissingAuthenticationToken", "InvalidClientTokenId"],
    );
  });

  it("AssumeRoleWithWebIdentity where role sessions are not wired: a clear 400, nothing issued", async () => {
    const { pipeline, lines } = harness(undefined);
    const reply = await pipeline.handle(callOf(form, webIdentityBody));
    assert.equal(reply.status, 400);
    assert.match(
      reply.body,
      /<Code>InvalidAction<\/Code><Message>Role sessions are not configured on this Coffer server/,
    );
    assertNoCanary([...lines, reply.body], "the audit journal or the error");
  });
});
