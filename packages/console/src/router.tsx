import { type MouseEvent, type ReactNode, useSyncExternalStore } from "react";

/**
 * A small history router under `/console/`: `useRoute()` gives the path after it (`/secrets/x`),
 * `navigate(path)` moves, `<Link to>` is a real link (opens in a new tab, keyboard-usable). Only
 * secret names and page names ever go into a URL, never a value.
 */
export const basePath = "/console";

const listeners = new Set<() => void>();

function currentPath(): string {
  const path = window.location.pathname;
  const inside = path.startsWith(basePath) ? path.slice(basePath.length) : path;
  return inside === "" ? "/" : inside;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

export function useRoute(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

export function hrefOf(path: string): string {
  return `${basePath}${path}`;
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, "", hrefOf(path));
  else window.history.pushState(null, "", hrefOf(path));
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

/** The path of a secret's detail page (the name is one encoded segment; names may hold `/`). */
export function secretPath(name: string): string {
  return `/secrets/${encodeURIComponent(name)}`;
}

export function Link(props: {
  to: string;
  children: ReactNode;
  className?: string;
  "aria-current"?: "page";
}) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a
      href={hrefOf(props.to)}
      onClick={onClick}
      className={props.className}
      aria-current={props["aria-current"]}
    >
      {props.children}
    </a>
  );
}
