/**
 * GetRandomPassword with AWS Secrets Manager's semantics: 32 characters by default, drawn from
 * lowercase, uppercase, digits and punctuation (plus space on request), with at least one character
 * of every included type unless RequireEachIncludedType is false.
 *
 * Randomness comes from `crypto.randomInt`, which is unbiased (rejection sampling), and the
 * guaranteed characters are shuffled in with Fisher–Yates so their positions are uniform too.
 */
import { randomInt } from "node:crypto";
import { InvalidParameterException } from "../errors/catalog.js";

/** The GetRandomPassword request. JSON null in any field means "use the default", as in AWS. */
export interface RandomPasswordParameters {
  PasswordLength?: number | null;
  ExcludeCharacters?: string | null;
  ExcludeNumbers?: boolean | null;
  ExcludePunctuation?: boolean | null;
  ExcludeUppercase?: boolean | null;
  ExcludeLowercase?: boolean | null;
  IncludeSpace?: boolean | null;
  RequireEachIncludedType?: boolean | null;
}

export const DEFAULT_PASSWORD_LENGTH = 32;
export const MAX_PASSWORD_LENGTH = 4096;

export const LOWERCASE_LETTERS = "abcdefghijklmnopqrstuvwxyz";
export const UPPERCASE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const DIGITS = "0123456789";
/** AWS's punctuation set: every printable ASCII character that is not a letter, digit or space. */
export const PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
export const SPACE = " ";

interface CharacterType {
  /** Plural noun for messages, e.g. "digits". */
  readonly name: string;
  /** The request flag that removes this type, for actionable messages. */
  readonly flag: string;
  /** Characters of this type that ExcludeCharacters leaves available. */
  readonly available: readonly string[];
}

export function generateRandomPassword(params: RandomPasswordParameters): string {
  const length = params.PasswordLength ?? DEFAULT_PASSWORD_LENGTH;
  // The model validator enforces this already; the guard keeps direct callers honest.
  if (!Number.isInteger(length) || length < 1 || length > MAX_PASSWORD_LENGTH) {
    throw new InvalidParameterException(
      `PasswordLength must be a whole number from 1 to ${MAX_PASSWORD_LENGTH}; got ${String(length)}.`,
    );
  }
  const types = includedCharacterTypes(params);
  const pool = types.flatMap((type) => type.available);
  if (pool.length === 0) throw noCharactersLeft(types);

  const password: string[] = [];
  if (params.RequireEachIncludedType !== false) {
    requireEachTypePossible(types, length);
    for (const type of types) password.push(pick(type.available));
  }
  while (password.length < length) password.push(pick(pool));
  shuffle(password);
  return password.join("");
}

function includedCharacterTypes(params: RandomPasswordParameters): CharacterType[] {
  // Iterating a string yields code points, so an excluded emoji is one entry, not two halves.
  const excluded = new Set(params.ExcludeCharacters ?? "");
  const candidates = [
    {
      name: "lowercase letters",
      flag: "ExcludeLowercase",
      characters: LOWERCASE_LETTERS,
      include: params.ExcludeLowercase !== true,
    },
    {
      name: "uppercase letters",
      flag: "ExcludeUppercase",
      characters: UPPERCASE_LETTERS,
      include: params.ExcludeUppercase !== true,
    },
    { name: "digits", flag: "ExcludeNumbers", characters: DIGITS, include: params.ExcludeNumbers !== true },
    {
      name: "punctuation characters",
      flag: "ExcludePunctuation",
      characters: PUNCTUATION,
      include: params.ExcludePunctuation !== true,
    },
    { name: "spaces", flag: "IncludeSpace", characters: SPACE, include: params.IncludeSpace === true },
  ];
  return candidates
    .filter((candidate) => candidate.include)
    .map(({ name, flag, characters }) => ({
      name,
      flag,
      available: [...characters].filter((character) => !excluded.has(character)),
    }));
}

function requireEachTypePossible(types: readonly CharacterType[], length: number): void {
  if (length < types.length) {
    // AWS's words (IncludeSpace counts as a type too: 4 or fewer characters with a space asked for).
    throw new InvalidParameterException("Password length is too short based on the required types.");
  }
  const emptied = types.find((type) => type.available.length === 0);
  if (emptied !== undefined) {
    const removeType =
      emptied.flag === "IncludeSpace" ? "set IncludeSpace to false" : `set ${emptied.flag} to true`;
    throw new InvalidParameterException(
      `ExcludeCharacters excludes all ${emptied.name}, but RequireEachIncludedType requires at least one. ` +
        `Remove some of them from ExcludeCharacters, ${removeType}, or set RequireEachIncludedType to false.`,
    );
  }
}

function noCharactersLeft(types: readonly CharacterType[]): InvalidParameterException {
  if (types.length === 0) {
    return new InvalidParameterException(
      "No characters are left to build a password from: ExcludeLowercase, ExcludeUppercase, ExcludeNumbers and " +
        "ExcludePunctuation are all true and IncludeSpace is not. Include at least one character type.",
    );
  }
  return new InvalidParameterException(
    `No characters are left to build a password from: ExcludeCharacters excludes every character of the ` +
      `included types (${types.map((type) => type.name).join(", ")}). Exclude fewer characters or include more ` +
      "character types.",
  );
}

function pick(characters: readonly string[]): string {
  return characters[randomInt(characters.length)] as string;
}

/** Fisher–Yates: every permutation equally likely, so required characters land anywhere. */
function shuffle(characters: string[]): void {
  for (let i = characters.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    const held = characters[i] as string;
    characters[i] = characters[j] as string;
    characters[j] = held;
  }
}
