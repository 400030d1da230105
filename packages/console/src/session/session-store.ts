import { ApiError } from "../api/api-error.js";
import { callCoffer, callSts, setCallContext } from "../api/client.js";
import type { Credentials } from "../api/sign.js";

/**
 * The console's session, in memory only: no cookie, no localStorage/sessionStorage, nothing in the
 * URL (docs/adr/0012-console-sessions.md). Signing in exchanges the access key for temporary
 * credentials (coffer GetSessionToken) when the key may; otherwise the key itself is kept, in this
 * module's closure. The session ends on sign-out, after {@link idleTimeoutMs} without keyboard or
 * pointer input, when its credentials expire, or when the server rejects them; a reload forgets it.
 */
export const idleTimeoutMs = 15 * 60 * 1000;
/** How long the temporary credentials of a session live (GetSessionToken's DurationSeconds). */
export const sessionDurationSeconds = 3600;

export interface Identity {
  /** The principal's ARN, from STS GetCallerIdentity. */
  arn: string;
  account: string;
  /** The access key id the console signs with (a temporary `ASIA…` one for an exchanged session). */
  accessKeyId: string;
  /** `session`: temporary credentials from GetSessionToken; `access-key`: the key as given. */
  kind: "session" | "access-key";
  /** When the credentials expire (ms since the epoch), if they do. */
  expiresAt?: number | undefined;
}

export type SessionState =
  | { status: "loading" }
  | { status: "signed-out"; region: string; version: string; reason?: string | undefined }
  | { status: "signed-in"; region: string; version: string; identity: Identity };

let credentials: Credentials | undefined;
let state: SessionState = { status: "loading" };
let lastActivity = Date.now();
let region = "us-east-1";
let version = "";
const listeners = new Set<() => void>();
let watchTimer: ReturnType<typeof setInterval> | undefined;

function set(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function getSessionState(): SessionState {
  return state;
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

setCallContext({
  credentials: () => credentials,
  region: () => region,
  onCredentialsRejected: (error) => signOut(`${error.name}: ${error.message}`),
});

/** Loads `/console/config.json` (region, version); the console shows sign-in once it is known. */
export async function loadConfig(): Promise<void> {
  try {
    const response = await fetch("/console/config.json", { cache: "no-store", credentials: "omit" });
    const config = (await response.json()) as { region?: string; version?: string };
    region = config.region ?? region;
    version = config.version ?? "";
  } catch {
    // Defaults stay; a wrong region shows as a signature error at sign-in.
  }
  set({ status: "signed-out", region, version });
}

/** Notes keyboard or pointer input: the idle timeout counts from the last one. */
export function noteActivity(): void {
  lastActivity = Date.now();
}

export async function signIn(input: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}): Promise<void> {
  const given: Credentials = {
    accessKeyId: input.accessKeyId.trim(),
    secretAccessKey: input.secretAccessKey.trim(),
    sessionToken: input.sessionToken?.trim() || undefined,
  };
  let use = given;
  let kind: Identity["kind"] = "access-key";
  let expiresAt: number | undefined;
  if (!given.sessionToken) {
    try {
      const reply = await callCoffer<{
        Credentials: {
          AccessKeyId: string;
          SecretAccessKey: string;
          SessionToken: string;
          Expiration: number;
        };
      }>("GetSessionToken", { DurationSeconds: sessionDurationSeconds }, { credentials: given });
      use = {
        accessKeyId: reply.Credentials.AccessKeyId,
        secretAccessKey: reply.Credentials.SecretAccessKey,
        sessionToken: reply.Credentials.SessionToken,
      };
      kind = "session";
      expiresAt = reply.Credentials.Expiration * 1000;
    } catch (error) {
      // A key that may not make sessions is used as is (held in memory only, like a session).
      if (!(error instanceof ApiError) || error.name !== "AccessDeniedException") throw error;
    }
  }
  const who = await callSts("GetCallerIdentity", {}, { credentials: use });
  credentials = use;
  lastActivity = Date.now();
  set({
    status: "signed-in",
    region,
    version,
    identity: {
      arn: who.Arn ?? "",
      account: who.Account ?? "",
      accessKeyId: use.accessKeyId,
      kind,
      expiresAt,
    },
  });
  startWatch();
}

/** Ends the session: the credentials are dropped, and the app unmounts every page that held data. */
export function signOut(reason?: string): void {
  credentials = undefined;
  if (watchTimer !== undefined) clearInterval(watchTimer);
  watchTimer = undefined;
  set({ status: "signed-out", region, version, reason });
}

/** Checks idle time and expiry; also run on focus, so a laptop waking from sleep signs out at once. */
export function checkSession(): void {
  if (state.status !== "signed-in") return;
  const now = Date.now();
  if (now - lastActivity >= idleTimeoutMs) {
    signOut("You were signed out after 15 minutes without activity.");
  } else if (state.identity.expiresAt !== undefined && now >= state.identity.expiresAt) {
    signOut("Your session's credentials expired. Sign in again.");
  }
}

function startWatch(): void {
  if (watchTimer !== undefined) clearInterval(watchTimer);
  watchTimer = setInterval(checkSession, 5_000);
}
