import { type MouseEvent, type ReactNode, useSyncExternalStore } from "react";
import { hrefOf, navigate } from "../../router.js";

/**
 * The Access page's sub-routes live in the query string (`/access?user=alice`, `?role=ci`,
 * `?tab=lint`): the app routes `/access` as one page, so a sub-route must not change the path.
 * Only principal names and tab names go into a URL, never a key or a value.
 */
const searchEvent = "coffer:access-search";

function subscribe(listener: () => void): () => void {
  window.addEventListener("popstate", listener);
  window.addEventListener(searchEvent, listener);
  return () => {
    window.removeEventListener("popstate", listener);
    window.removeEventListener(searchEvent, listener);
  };
}

const currentSearch = () => window.location.search;

/** The Access page's current query parameters; re-renders when they change. */
export function useAccessSearch(): URLSearchParams {
  const search = useSyncExternalStore(subscribe, currentSearch);
  return new URLSearchParams(search);
}

export type AccessTab = "users" | "roles" | "lint";

export interface AccessTarget {
  tab?: AccessTab;
  user?: string;
  role?: string;
}

/** `/access?…` for a tab, a user or a role. */
export function accessPath(target: AccessTarget = {}): string {
  const params = new URLSearchParams();
  if (target.user !== undefined) params.set("user", target.user);
  else if (target.role !== undefined) params.set("role", target.role);
  else if (target.tab !== undefined && target.tab !== "users") params.set("tab", target.tab);
  const query = params.toString();
  return query === "" ? "/access" : `/access?${query}`;
}

export function goToAccess(target: AccessTarget = {}): void {
  navigate(accessPath(target));
  window.dispatchEvent(new Event(searchEvent));
}

/** A link into the Access page (a real link: opens in a new tab, keyboard-usable). */
export function AccessLink(props: { to: AccessTarget; children: ReactNode; current?: boolean }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    goToAccess(props.to);
  };
  return (
    <a
      href={hrefOf(accessPath(props.to))}
      onClick={onClick}
      aria-current={props.current ? "page" : undefined}
    >
      {props.children}
    </a>
  );
}

/** `arn:aws:iam::1:user/a/b` → `{ kind: "user", name: "b" }`; roles alike; anything else as is. */
export function principalOfArn(arn: string): { kind: "user" | "role" | "other"; name: string } {
  const match = /^arn:[^:]+:(?:iam|sts)::[^:]*:(user|role)\/(.+)$/.exec(arn);
  if (!match) return { kind: "other", name: arn };
  const path = match[2] ?? "";
  return { kind: match[1] as "user" | "role", name: path.slice(path.lastIndexOf("/") + 1) };
}

/** A principal ARN as a link to its page in Access (a user or a role), or as code. */
export function PrincipalLink(props: { arn: string }) {
  const principal = principalOfArn(props.arn);
  if (principal.kind === "user") {
    return <AccessLink to={{ user: principal.name }}>{principal.name}</AccessLink>;
  }
  if (principal.kind === "role") {
    return <AccessLink to={{ role: principal.name }}>{principal.name}</AccessLink>;
  }
  return <code>{props.arn}</code>;
}
