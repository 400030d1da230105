import { deflateRawSync } from "node:zlib";
import {
  InvalidIdentityTokenException,
  PackedPolicyTooLargeException,
  StsValidationError,
} from "../../../errors/catalog.js";
import type { RoleSessionRecord } from "../../ports/identity-store.js";
import type { Tag } from "../../secrets/records.js";

/** A session's tags after STS's rules: the ones asked for, the transitive ones inherited, and their packed size. */
export interface SessionTags {
  tags: Tag[];
  transitiveTagKeys: string[];
  /** STS's PackedPolicySize: a percentage of the packed limit; absent-equivalent 0 when there are no tags. */
  packedPolicySize: number;
}

const maxTags = 50;
const tagKeyPattern = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const tagValuePattern = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
/**
 * STS packs session tags (and session policies) into the session token and fails a request whose
 * packed form is over its limit. Coffer's tokens are random and carry nothing, but the same bound
 * keeps sessions portable to AWS: the tags compressed, against 2,048 bytes.
 */
const packedLimitBytes = 2_048;

/**
 * AssumeRole's tags: at most 50, keys unique regardless of case, transitive keys among them, plus the
 * calling session's transitive tags (which the caller may not override), as STS.
 */
export function sessionTagsOf(
  requested: readonly Tag[],
  transitiveTagKeys: readonly string[],
  inherited: RoleSessionRecord | undefined,
): SessionTags {
  const passedOn = inherited
    ? inherited.tags.filter((tag) => inherited.transitiveTagKeys.some((key) => sameKey(key, tag.Key)))
    : [];
  for (const tag of requested) {
    if (passedOn.some((old) => sameKey(old.Key, tag.Key))) {
      throw new StsValidationError(
        `Tag key ${tag.Key} is a transitive tag of the calling session and cannot be set again.`,
      );
    }
  }
  for (const key of transitiveTagKeys) {
    if (!requested.some((tag) => sameKey(tag.Key, key))) {
      throw new StsValidationError(`TransitiveTagKeys names ${key}, which is not one of the session tags.`);
    }
  }
  const tags = [...passedOn, ...requested];
  const transitive = [
    ...(inherited?.transitiveTagKeys.filter((key) => passedOn.some((tag) => sameKey(tag.Key, key))) ?? []),
    ...transitiveTagKeys,
  ];
  return checked(tags, transitive, (message) => new StsValidationError(message));
}

/**
 * A web identity token's session tags, from its `https://aws.amazon.com/tags` claim:
 * `{"principal_tags": {"team": ["payments"]}, "transitive_tag_keys": ["team"]}` (STS's format).
 */
export function sessionTagsFromToken(claims: Readonly<Record<string, unknown>>): SessionTags {
  const claim = claims["https://aws.amazon.com/tags"];
  if (claim === undefined) return { tags: [], transitiveTagKeys: [], packedPolicySize: 0 };
  const invalid = (message: string) =>
    new InvalidIdentityTokenException(`The token's https://aws.amazon.com/tags claim is invalid: ${message}`);
  if (typeof claim !== "object" || claim === null || Array.isArray(claim)) throw invalid("not an object");
  const { principal_tags: principalTags, transitive_tag_keys: transitiveKeys } = claim as Record<
    string,
    unknown
  >;
  const tags: Tag[] = [];
  if (principalTags !== undefined) {
    if (typeof principalTags !== "object" || principalTags === null || Array.isArray(principalTags)) {
      throw invalid("principal_tags must be an object of tag keys to [value]");
    }
    for (const [key, value] of Object.entries(principalTags)) {
      const single = Array.isArray(value) && value.length === 1 ? value[0] : value;
      if (typeof single !== "string") throw invalid(`tag ${key} must have one string value`);
      tags.push({ Key: key, Value: single });
    }
  }
  let transitive: string[] = [];
  if (transitiveKeys !== undefined) {
    if (!Array.isArray(transitiveKeys) || !transitiveKeys.every((key) => typeof key === "string")) {
      throw invalid("transitive_tag_keys must be a list of tag keys");
    }
    transitive = transitiveKeys as string[];
    for (const key of transitive) {
      if (!tags.some((tag) => sameKey(tag.Key, key))) throw invalid(`transitive key ${key} is not a tag`);
    }
  }
  return checked(tags, transitive, invalid);
}

function checked(tags: Tag[], transitiveTagKeys: string[], fail: (message: string) => Error): SessionTags {
  if (tags.length > maxTags) throw fail(`a session may have at most ${maxTags} tags, not ${tags.length}`);
  const seen = new Set<string>();
  for (const tag of tags) {
    if (!tagKeyPattern.test(tag.Key)) throw fail(`tag key ${JSON.stringify(tag.Key)} is not a valid tag key`);
    if (!tagValuePattern.test(tag.Value)) throw fail(`the value of tag ${tag.Key} is not a valid tag value`);
    const lower = tag.Key.toLowerCase();
    if (seen.has(lower)) throw fail(`tag key ${tag.Key} appears more than once (keys are case-insensitive)`);
    seen.add(lower);
  }
  if (tags.length === 0) return { tags, transitiveTagKeys, packedPolicySize: 0 };
  const packed = deflateRawSync(JSON.stringify([tags, transitiveTagKeys])).length;
  const packedPolicySize = Math.ceil((100 * packed) / packedLimitBytes);
  if (packedPolicySize > 100) {
    throw new PackedPolicyTooLargeException(
      `Packed size of the session tags is ${packedPolicySize}% of the limit; use fewer or shorter tags.`,
    );
  }
  return { tags, transitiveTagKeys, packedPolicySize };
}

function sameKey(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
