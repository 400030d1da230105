import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isErrnoException, writeFileAtomically } from "./atomicFile.js";
import { decodeKey, keyIdOf } from "./keyMaterial.js";

export const KEYRING_FILE_NAME = "master.keys";
const FORMAT_VERSION = 1;

export interface StoredKey {
  id: string;
  key: Buffer;
  createdAt: string;
}

export interface KeyringFileContents {
  activeId: string;
  keys: StoredKey[];
}

export function keyringFilePath(home: string): string {
  return join(home, KEYRING_FILE_NAME);
}

/** Returns undefined when the file does not exist; throws on anything unreadable or inconsistent. */
export function readKeyringFile(path: string): KeyringFileContents | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (isErrnoException(error) && error.code === "ENOENT") return undefined;
    throw error;
  }
  return parseKeyringFile(text, path);
}

export function writeKeyringFile(
  path: string,
  contents: KeyringFileContents,
  options?: { onlyIfAbsent?: boolean },
): boolean {
  return writeFileAtomically(path, serializeKeyringFile(contents), options);
}

function serializeKeyringFile(contents: KeyringFileContents): string {
  const document = {
    version: FORMAT_VERSION,
    active: contents.activeId,
    keys: contents.keys.map((k) => ({ id: k.id, key: k.key.toString("base64"), createdAt: k.createdAt })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function parseKeyringFile(text: string, path: string): KeyringFileContents {
  const invalid = (reason: string): Error =>
    new Error(
      `Keyring file ${path} is invalid: ${reason}. Restore it from a backup; do not edit it by hand.`,
    );

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw invalid("it is not valid JSON");
  }
  if (!isRecord(document)) throw invalid("expected a JSON object");
  if (document.version !== FORMAT_VERSION) {
    throw invalid(`unsupported version ${JSON.stringify(document.version)} (this server reads version 1)`);
  }
  if (typeof document.active !== "string") throw invalid('"active" must be a key id');
  if (!Array.isArray(document.keys) || document.keys.length === 0)
    throw invalid('"keys" must be a non-empty array');

  const keys: StoredKey[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of document.keys.entries()) {
    if (!isRecord(entry) || typeof entry.id !== "string" || typeof entry.key !== "string") {
      throw invalid(`keys[${index}] needs string "id" and "key"`);
    }
    const key = decodeKey(entry.key, `Keyring file ${path}, keys[${index}]`);
    // The id is derived from the key, so a mismatch means the entry was corrupted or hand-edited.
    if (keyIdOf(key) !== entry.id) throw invalid(`keys[${index}] does not match its id ${entry.id}`);
    if (seen.has(entry.id)) throw invalid(`key ${entry.id} is listed twice`);
    seen.add(entry.id);
    keys.push({ id: entry.id, key, createdAt: typeof entry.createdAt === "string" ? entry.createdAt : "" });
  }
  if (!seen.has(document.active)) throw invalid(`the active key ${document.active} is not among "keys"`);
  return { activeId: document.active, keys };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
