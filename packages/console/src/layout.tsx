import type { ReactNode } from "react";
import { Link, useRoute } from "./router.js";
import type { Identity } from "./session/session-store.js";
import { signOut } from "./session/session-store.js";

const sections = [
  { path: "/secrets", label: "Secrets" },
  { path: "/access", label: "Access" },
  { path: "/activity", label: "Activity" },
];

/** The frame of every signed-in page: skip link, header with who is signed in, nav, main. */
export function Layout(props: { identity: Identity; version: string; children: ReactNode }) {
  const route = useRoute();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="top">
        <p className="brand">
          <Link to="/secrets">Coffer</Link>
        </p>
        <nav aria-label="Main">
          <ul>
            {sections.map((section) => {
              const current = route === section.path || route.startsWith(`${section.path}/`);
              return (
                <li key={section.path}>
                  <Link to={section.path} aria-current={current ? "page" : undefined}>
                    {section.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="who">
          <span className="principal" title={props.identity.arn}>
            {principalName(props.identity.arn)}
          </span>
          <button type="button" onClick={() => signOut("You signed out.")}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
      <footer className="bottom">
        <p>
          Signed in as <code>{props.identity.arn}</code>
          {props.identity.expiresAt
            ? ` until ${new Date(props.identity.expiresAt).toLocaleTimeString()}`
            : ""}
          .{props.version ? ` Coffer ${props.version}.` : ""}
        </p>
      </footer>
    </>
  );
}

function principalName(arn: string): string {
  const slash = arn.lastIndexOf("/");
  return slash >= 0 ? arn.slice(slash + 1) : arn;
}
