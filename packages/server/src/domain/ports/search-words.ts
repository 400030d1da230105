/**
 * The words ListSecrets' `description` and `all` filters compare, as AWS's user guide describes its
 * search ("Find secrets in Secrets Manager"): letters and digits only (spaces, `/`, `_`, `=`, `#` and
 * every other character separate words), and a new word wherever a lowercase letter is followed by
 * an uppercase one or a letter meets a digit: `credsDatabase#892` is `creds`, `database`, `892`.
 * Words come lowercased (JavaScript's `toLowerCase`), since these filters ignore case. The domain's
 * filter check and the store's index (`secret_terms`) both split text with this one function.
 */
export function searchWords(text: string): string[] {
  const words: string[] = [];
  for (const run of text.match(runs) ?? []) {
    for (const word of run.split(boundary)) if (word.length > 0) words.push(word.toLowerCase());
  }
  return words;
}

const runs = /[\p{L}\p{N}]+/gu;
// Zero-width splits: between a lowercase and an uppercase letter, and between a letter and a digit.
const boundary = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;
