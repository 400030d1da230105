import { uriEncodePath } from "./uriEncode.js";

/**
 * Canonical URI for every service but S3: the path with empty, "." and ".." segments removed
 * (RFC 3986 section 5.2.4, plus the collapsing of "//" AWS requires), then URI-encoded once more.
 *
 * `rawPath` is the path as it arrived on the wire, i.e. already encoded once by the client, so
 * encoding it here is the spec's "encode each segment twice": "/a%20b" becomes "/a%2520b". That is
 * exactly what the AWS SDKs (smithy's `escapeUri(request.path)`) and botocore (`quote(path)`) sign.
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === "/" || rawPath === "") return "/";
  return uriEncodePath(removeDotSegments(rawPath));
}

/** Removes empty, "." and ".." segments, keeping a leading and (if any segment is left) trailing "/". */
export function removeDotSegments(path: string): string {
  // Fast path: a path without "//" and without any segment starting with "." needs no rewriting.
  if (path.charCodeAt(0) === 0x2f && !path.includes("//") && !path.includes("/.")) return path;
  const kept: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") kept.pop();
    else kept.push(segment);
  }
  const leading = path.startsWith("/") ? "/" : "";
  const trailing = kept.length > 0 && path.endsWith("/") ? "/" : "";
  return `${leading}${kept.join("/")}${trailing}`;
}
