export { missingAuthorization } from "./missingAuthorization.js";
export type {
  CredentialLookup,
  IncomingSignedRequest,
  ParsedSignedRequest,
  SigV4Verifier,
  SigV4VerifierOptions,
  VerifiedRequest,
} from "./types.js";
export { createSigV4Verifier } from "./verify.js";
