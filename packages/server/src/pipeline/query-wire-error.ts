import { escapeXml } from "../protocol/query/xml-text.js";
import { queryCodeOf } from "./query-error-codes.js";
import { knownError, type WireError, XML_CONTENT_TYPE } from "./wire-error.js";

/**
 * The AWS Query protocol's error envelope, as STS writes it:
 *
 *   <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
 *     <Error><Type>Sender</Type><Code>ValidationError</Code><Message>…</Message></Error>
 *     <RequestId>…</RequestId>
 *   </ErrorResponse>
 *
 * `Sender` when the client is at fault, `Receiver` when the server is; codes as STS names them.
 */
export function toQueryWireError(error: unknown, requestId: string, xmlNamespace: string): WireError {
  const known = knownError(error, requestId);
  const { code, status } = queryCodeOf(known);
  const type = known.fault === "server" ? "Receiver" : "Sender";
  return {
    status,
    awsName: code,
    message: known.message,
    contentType: XML_CONTENT_TYPE,
    body:
      `<ErrorResponse xmlns="${escapeXml(xmlNamespace)}"><Error><Type>${type}</Type>` +
      `<Code>${escapeXml(code)}</Code><Message>${escapeXml(known.message)}</Message></Error>` +
      `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`,
  };
}
