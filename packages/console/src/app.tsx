import { useEffect, useRef } from "react";
import { Layout } from "./layout.js";
import { AccessPage } from "./pages/access/access-page.js";
import { ActivityPage } from "./pages/activity/activity-page.js";
import { NotFoundPage } from "./pages/not-found-page.js";
import { CreateSecretPage } from "./pages/secrets/create-secret-page.js";
import { SecretDetailPage } from "./pages/secrets/secret-detail-page.js";
import { SecretsListPage } from "./pages/secrets/secrets-list-page.js";
import { SignInPage } from "./pages/sign-in-page.js";
import { navigate, useRoute } from "./router.js";
import { checkSession, noteActivity } from "./session/session-store.js";
import { useSession } from "./session/use-session.js";

export function App() {
  const { state } = useSession();
  useEffect(() => {
    const onInput = () => noteActivity();
    window.addEventListener("pointerdown", onInput, { passive: true });
    window.addEventListener("keydown", onInput, { passive: true });
    window.addEventListener("focus", checkSession);
    document.addEventListener("visibilitychange", checkSession);
    return () => {
      window.removeEventListener("pointerdown", onInput);
      window.removeEventListener("keydown", onInput);
      window.removeEventListener("focus", checkSession);
      document.removeEventListener("visibilitychange", checkSession);
    };
  }, []);
  if (state.status === "loading") return <p className="loading">Loading…</p>;
  if (state.status === "signed-out") {
    return <SignInPage reason={state.reason} region={state.region} version={state.version} />;
  }
  // Keyed by the access key: a new session never sees the previous one's page state.
  return (
    <Layout identity={state.identity} version={state.version} key={state.identity.accessKeyId}>
      <Routes />
    </Layout>
  );
}

function Routes() {
  const route = useRoute();
  useEffect(() => {
    if (route === "/" || route === "/index.html") navigate("/secrets", { replace: true });
  }, [route]);
  // A fresh page (just signed in, or loaded) starts at the top like any page load, so the skip link
  // is the first Tab stop; after that, a route change moves focus to the new page's main.
  const previousRoute = useRef<string | null>(null);
  useEffect(() => {
    const from = previousRoute.current;
    previousRoute.current = route;
    if (from === null || from === "/" || from === "/index.html") return;
    document.getElementById("main")?.focus({ preventScroll: true });
  }, [route]);
  if (route === "/" || route === "/index.html" || route === "/secrets") return <SecretsListPage />;
  if (route === "/secrets/new") return <CreateSecretPage />;
  if (route.startsWith("/secrets/")) {
    const name = safeDecode(route.slice("/secrets/".length));
    if (name !== undefined) return <SecretDetailPage key={name} name={name} />;
  }
  if (route === "/access") return <AccessPage />;
  if (route === "/activity") return <ActivityPage />;
  return <NotFoundPage />;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
