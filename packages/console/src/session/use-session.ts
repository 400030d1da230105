import { useSyncExternalStore } from "react";
import { getSessionState, type SessionState, signIn, signOut, subscribeSession } from "./session-store.js";

/** The session as React state, with its actions: `const { state, signIn, signOut } = useSession()`. */
export function useSession(): {
  state: SessionState;
  signIn: typeof signIn;
  signOut: typeof signOut;
} {
  const state = useSyncExternalStore(subscribeSession, getSessionState);
  return { state, signIn, signOut };
}
