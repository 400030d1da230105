/**
 * Rules for an admin key pair declared through COFFER_ADMIN_ACCESS_KEY_ID / _SECRET_ACCESS_KEY.
 * AWS SDKs sign with any key id and secret, and local-emulator setups use short fixed pairs
 * (`test`/`test`): those are accepted. Refused is only what SigV4 cannot carry: the key id travels
 * in `Credential=<id>/<date>/…`, so it cannot hold `/`, `,`, whitespace or control characters.
 */

/** Printable ASCII except `,` and `/`, 1 to 128 characters (the admin model's AccessKeyIdType). */
const keyIdPattern = /^[!-+\-.0-~]{1,128}$/;
/** Printable ASCII without spaces, 1 to 1024 characters. */
const secretPattern = /^[!-~]{1,1024}$/;

/** Pairs published in documentation and emulator setups: anyone can sign with them. */
const wellKnownPairs: ReadonlyArray<readonly [string, string]> = [
  ["test", "test"],
  ["testing", "testing"],
  ["FOOBARKEY", "FOOBARSECRET"],
  ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
  ["dummy", "dummy"],
  ["fake", "fake"],
];

/** Shorter than this, a declared secret can be guessed. */
const minimumStrongSecretLength = 16;

/** Why a declared key id cannot work, or undefined when it can. */
export function declaredKeyIdProblem(id: string): string | undefined {
  if (keyIdPattern.test(id)) return undefined;
  return "COFFER_ADMIN_ACCESS_KEY_ID must be 1 to 128 printable ASCII characters without spaces, ',' or '/' (SigV4 carries it in Credential=<id>/…).";
}

/** Why a declared secret cannot work, or undefined when it can. */
export function declaredSecretProblem(secret: string): string | undefined {
  if (secretPattern.test(secret)) return undefined;
  return "COFFER_ADMIN_SECRET_ACCESS_KEY must be 1 to 1024 printable ASCII characters without spaces.";
}

/** A pair fine for a laptop or a test harness, not for a server others can reach. */
export function isWeakDeclaredKey(id: string, secret: string): boolean {
  if (secret.length < minimumStrongSecretLength) return true;
  return wellKnownPairs.some(([knownId, knownSecret]) => knownId === id || knownSecret === secret);
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === "localhost" || bare === "::1" || bare === "0:0:0:0:0:0:0:1") return true;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(bare);
  if (v4 === null) return false;
  return v4[1] === "127" && v4.slice(1).every((part) => Number(part) <= 255);
}
