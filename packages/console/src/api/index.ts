/**
 * The console's API module: every call the console makes is a SigV4-signed `fetch` to this
 * origin's `POST /`, authorized and audited by the server like any SDK call (the console holds no
 * privileges of its own).
 *
 * - `callSecretsManager<T>(op, input?, options?)`: Secrets Manager (`X-Amz-Target:
 *   secretsmanager.<op>`, signed for `secretsmanager`); resolves with the parsed JSON reply.
 * - `callCoffer<T>(op, input?, options?)`: Coffer's admin API (`coffer.<op>`; signed for `secretsmanager`, the
 *   signing name the admin API's model gives, as the CLI signs it),
 *   e.g. `callCoffer("QueryAuditEvents", {...})`, `callCoffer("GetActivity", {...})`.
 * - `callSts(action, params?, options?)`: STS (Query protocol), e.g. `callSts("GetCallerIdentity")`
 *   → `{ Arn, Account, UserId }`.
 * - Failures reject with `ApiError` (`name`: the AWS error code such as `AccessDeniedException`,
 *   `message`: the server's text, `status`); `describeError(e)` → `{ name, message }` for anything.
 *   `<ErrorAlert error={e} />` (components/error-alert.tsx) shows one in an aria-live region.
 * - `options.signal` aborts; calls use the session's credentials (`NotSignedIn` without one).
 * - `useSession()` (session/use-session.ts) → `{ state, signIn, signOut }`; `state.status` is
 *   `"loading" | "signed-out" | "signed-in"`, and when signed in `state.identity` is
 *   `{ arn, account, accessKeyId, kind, expiresAt? }` and `state.region`.
 */

export { useSession } from "../session/use-session.js";
export { ApiError, describeError } from "./api-error.js";
export { type CallOptions, callCoffer, callSecretsManager, callSts } from "./client.js";
export type { Credentials } from "./sign.js";
