/**
 * A JWS in compact serialization, strictly: three base64url segments (RFC 7515, section 7.1), the
 * signature not empty. Base64url decoders skip whitespace and stray characters; this does not, so
 * `token` and `token\n` are not both "the same token".
 */
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function isCompactJws(token: string): boolean {
  return compactJws.test(token);
}
