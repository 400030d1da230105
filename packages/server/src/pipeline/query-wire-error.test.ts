import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AccessDeniedException,
  ExpiredTokenException,
  ExpiredWebIdentityTokenException,
  InvalidIdentityTokenException,
  InvalidParameterException,
  InvalidSignatureException,
  MalformedQueryStringException,
  MissingAuthenticationTokenException,
  SerializationException,
  ServiceUnavailableException,
  StsAccessDeniedException,
  UnknownOperationException,
  UnrecognizedClientException,
  ValidationException,
} from "../errors/catalog.js";
import { toQueryWireError } from "./query-wire-error.js";

const namespace = "https://sts.amazonaws.com/doc/2011-06-15/";
const requestId = "c6104cbe-af31-11e0-8154-cbc7ccf896c7";

describe("toQueryWireError", () => {
  it("writes STS's ErrorResponse as text/xml, Sender for the client's fault", () => {
    const wire = toQueryWireError(
      new ValidationException("1 validation error detected: <x> & y"),
      requestId,
      namespace,
    );
    assert.equal(wire.status, 400);
    assert.equal(wire.awsName, "ValidationError");
    assert.equal(wire.contentType, "text/xml");
    assert.equal(wire.message, "1 validation error detected: <x> & y");
    assert.equal(
      wire.body,
      `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>ValidationError</Code>` +
        "<Message>1 validation error detected: &lt;x&gt; &amp; y</Message></Error>" +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  });

  it("names AWS JSON's errors as STS does, and keeps STS's own", () => {
    const cases: Array<[Error, string, number]> = [
      [new SerializationException("m"), "InvalidParameterValue", 400],
      [new InvalidParameterException("m"), "InvalidParameterValue", 400],
      [new UnknownOperationException("m"), "InvalidAction", 400],
      [new AccessDeniedException("m"), "AccessDenied", 403],
      [new MissingAuthenticationTokenException("m"), "MissingAuthenticationToken", 403],
      [new InvalidSignatureException("m"), "SignatureDoesNotMatch", 403],
      [new UnrecognizedClientException("m"), "InvalidClientTokenId", 403],
      [new ExpiredTokenException("m"), "ExpiredToken", 403],
      [new MalformedQueryStringException("m"), "MalformedQueryString", 400],
      [new InvalidIdentityTokenException("m"), "InvalidIdentityToken", 400],
      [new ExpiredWebIdentityTokenException("m"), "ExpiredTokenException", 400],
      [new StsAccessDeniedException("m"), "AccessDenied", 403],
    ];
    for (const [error, code, status] of cases) {
      const wire = toQueryWireError(error, requestId, namespace);
      assert.equal(wire.awsName, code, error.name);
      assert.equal(wire.status, status, error.name);
      assert.match(wire.body, new RegExp(`<Code>${code}</Code>`), error.name);
    }
  });

  it("answers the server's fault as Receiver, and an unexpected error without its message", () => {
    const unavailable = toQueryWireError(new ServiceUnavailableException("later"), requestId, namespace);
    assert.equal(unavailable.status, 503);
    assert.match(unavailable.body, /<Type>Receiver<\/Type><Code>ServiceUnavailable<\/Code>/);
    const unexpected = toQueryWireError(new Error("CANARY secret detail"), requestId, namespace);
    assert.equal(unexpected.status, 500);
    assert.equal(unexpected.awsName, "InternalFailure");
    assert.doesNotMatch(unexpected.body, /CANARY/);
    assert.match(unexpected.body, new RegExp(`the request id is ${requestId}`));
  });
});
