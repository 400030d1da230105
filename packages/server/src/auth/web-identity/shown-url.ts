/**
 * A URL as messages show it: scheme, host and path, without query or fragment (a configured JWKS
 * URL could carry a credential there, and refusal messages reach the caller).
 */
export function shownUrl(url: string | URL): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(not a URL)";
  }
}
