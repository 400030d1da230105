import { existsSync, mkdirSync, statSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { withFileLock } from "./fileLock.js";
import { decodeKey, generateKey, keyIdOf } from "./keyMaterial.js";
import {
  type KeyringFileContents,
  keyringFilePath,
  readKeyringFile,
  writeKeyringFile,
} from "./keyringFile.js";

export interface KeyEncryptionKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** True if this open generated the very first key, so the server can print first-start advice. */
  readonly createdNewKey: boolean;
  readonly source: "file" | "environment";
  /** The key new data keys are wrapped under. For a file keyring, notices another process's rotation. */
  active(): KeyEncryptionKey;
  get(id: string): Buffer | undefined;
  /** Every key id it holds, the active one first. */
  ids(): string[];
  /** Re-reads the keyring file (no-op for an environment keyring). Throws if it is missing or invalid. */
  reload(): void;
  /**
   * Calls `listener` after a reload that changed the keys (a rotation, a retirement), before any
   * caller sees the new keys; returns the way to stop. What was opened under the old keyring may be
   * held elsewhere (the read model): this is how it learns to drop it. Never called for an
   * environment keyring, whose keys cannot change while the process runs.
   */
  onChange(listener: () => void): () => void;
}

export interface KeyringOptions {
  /** The data folder; the keyring file is `<home>/master.keys`. */
  home: string;
  /** Base64 of the 32-byte active key (COFFER_MASTER_KEY). When given, no file is read or created. */
  masterKeyBase64?: string;
  /** Base64 of older keys still accepted for unwrapping (COFFER_MASTER_KEYS_PREVIOUS). */
  previousKeysBase64?: string[];
  /** Upper bound on how often `active()` stats the file to notice a rotation; default 2000 ms. */
  fileCheckIntervalMs?: number;
  /**
   * The master key ids the data folder's stored data is sealed under, where the caller knows them.
   * With any, a missing keyring file is an error (a new key could open none of it), and every id
   * must be in the keyring: a wrong key is refused at once rather than failing every read later.
   */
  sealedUnder?: { kekIds: readonly string[]; location: string };
}

const DEFAULT_FILE_CHECK_INTERVAL_MS = 2_000;

export function openKeyring(options: KeyringOptions): Keyring {
  const keyring = openConfiguredKeyring(options);
  if (options.sealedUnder !== undefined) checkKeyringOpensData(keyring, options.home, options.sealedUnder);
  return keyring;
}

function openConfiguredKeyring(options: KeyringOptions): Keyring {
  if (options.masterKeyBase64 !== undefined) {
    return environmentKeyring(options.masterKeyBase64, options.previousKeysBase64 ?? []);
  }
  if (options.previousKeysBase64?.some((k) => k.trim() !== "")) {
    throw new Error(
      "COFFER_MASTER_KEYS_PREVIOUS is set but COFFER_MASTER_KEY is not. Set COFFER_MASTER_KEY to the current key, " +
        "or unset both to use the keyring file in the data folder.",
    );
  }
  const path = keyringFilePath(options.home);
  const sealed = options.sealedUnder;
  if (sealed !== undefined && sealed.kekIds.length > 0 && !existsSync(path)) {
    throw new Error(
      `The master key file ${path} is missing, but ${sealed.location} holds data sealed under master key ${listIds(sealed.kekIds)}. ` +
        "Coffer will not make a new key: it could decrypt none of the existing secrets. " +
        `Restore ${path} from a backup (then chmod 600 it), or set COFFER_MASTER_KEY to the key this data was sealed with, and start again.`,
    );
  }
  checkOwnerOnly(path);
  return fileKeyring(options.home, options.fileCheckIntervalMs ?? DEFAULT_FILE_CHECK_INTERVAL_MS);
}

/** The key id is a labelled SHA-256 of the key: a key-check value, so a wrong key shows without decrypting. */
function checkKeyringOpensData(
  keyring: Keyring,
  home: string,
  sealed: { kekIds: readonly string[]; location: string },
): void {
  const unknown = sealed.kekIds.filter((id) => keyring.get(id) === undefined);
  if (unknown.length === 0) return;
  const source =
    keyring.source === "environment"
      ? "COFFER_MASTER_KEY (with COFFER_MASTER_KEYS_PREVIOUS)"
      : `the keyring file ${keyringFilePath(home)}`;
  throw new Error(
    `The master key does not open the data in ${sealed.location}: it is sealed under master key ${listIds(unknown)}, ` +
      `which ${source} does not hold (its active key is ${keyring.active().id}). ` +
      "Start with the key this data was sealed with: restore master.keys from a backup, or set COFFER_MASTER_KEY " +
      "(and COFFER_MASTER_KEYS_PREVIOUS) as the server had them.",
  );
}

/** Other users must not read the key that opens every secret: refuse rather than warn. */
function checkOwnerOnly(path: string): void {
  if (process.platform === "win32") return;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return;
  }
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `The master key file ${path} can be read or changed by other users (mode ${mode.toString(8).padStart(4, "0")}). ` +
        `Allow only its owner: chmod 600 ${path}, then start again.`,
    );
  }
}

function listIds(ids: readonly string[]): string {
  return ids.length === 1 ? `${ids[0]}` : `${ids.slice(0, 3).join(", ")}${ids.length > 3 ? ", …" : ""}`;
}

function environmentKeyring(masterKeyBase64: string, previousKeysBase64: string[]): Keyring {
  const activeKey = decodeKey(masterKeyBase64, "COFFER_MASTER_KEY");
  const active = { id: keyIdOf(activeKey), key: activeKey };
  const keys = new Map([[active.id, activeKey]]);
  previousKeysBase64
    .filter((text) => text.trim() !== "")
    .forEach((text, index) => {
      const key = decodeKey(text, `COFFER_MASTER_KEYS_PREVIOUS entry ${index + 1}`);
      keys.set(keyIdOf(key), key);
    });
  return {
    createdNewKey: false,
    source: "environment",
    active: () => active,
    get: (id) => keys.get(id),
    ids: () => [...keys.keys()],
    reload: () => {},
    onChange: () => () => {},
  };
}

function fileKeyring(home: string, fileCheckIntervalMs: number): Keyring {
  // The folder holds the key next to the data it protects, so keep other users out of both.
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const path = keyringFilePath(home);

  let createdNewKey = false;
  let stamp = fileStamp(path);
  let contents = readKeyringFile(path);
  if (contents === undefined) {
    const key = generateKey();
    const id = keyIdOf(key);
    const fresh: KeyringFileContents = {
      activeId: id,
      keys: [{ id, key, createdAt: new Date().toISOString() }],
    };
    createdNewKey = writeKeyringFile(path, fresh, { onlyIfAbsent: true });
    // If another process won the race to create the file, its key is the one to use.
    stamp = fileStamp(path);
    contents = createdNewKey ? fresh : readKeyringFile(path);
    if (contents === undefined) throw new Error(`Keyring file ${path} vanished while it was being created.`);
  }

  let state = toState(contents);
  let lastCheck = performance.now();
  const listeners = new Set<() => void>();

  const reload = (): void => {
    // Stat before reading: if the file changes in between, the stale stamp only causes one extra reload.
    const newStamp = fileStamp(path);
    const newContents = readKeyringFile(path);
    if (newContents === undefined) {
      throw new Error(`Keyring file ${path} has disappeared; restore it from a backup.`);
    }
    const before = state;
    state = toState(newContents);
    stamp = newStamp;
    if (sameKeys(before, state)) return;
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure must not make the keyring unusable; listeners handle their own errors.
      }
    }
  };

  return {
    createdNewKey,
    source: "file",
    active: () => {
      const now = performance.now();
      if (now - lastCheck >= fileCheckIntervalMs) {
        lastCheck = now;
        try {
          if (fileStamp(path) !== stamp) reload();
        } catch {
          // A keyring file that became unreadable must not stop writes: the keys in memory are still
          // valid. Explicit reload() calls (unknown key id on read) still surface the error.
        }
      }
      return state.active;
    },
    get: (id) => state.keys.get(id),
    ids: () => [state.active.id, ...[...state.keys.keys()].filter((id) => id !== state.active.id)],
    reload,
    onChange: (listener) => {
      const entry = () => listener();
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  };
}

function sameKeys(a: KeyringState, b: KeyringState): boolean {
  if (a.active.id !== b.active.id || a.keys.size !== b.keys.size) return false;
  for (const id of a.keys.keys()) if (!b.keys.has(id)) return false;
  return true;
}

interface KeyringState {
  active: KeyEncryptionKey;
  keys: Map<string, Buffer>;
}

function toState(contents: KeyringFileContents): KeyringState {
  const keys = new Map(contents.keys.map((k) => [k.id, k.key]));
  const activeKey = keys.get(contents.activeId);
  // readKeyringFile already guarantees this; the check keeps the types honest.
  if (activeKey === undefined)
    throw new Error(`Active key ${contents.activeId} is missing from the keyring.`);
  return { active: { id: contents.activeId, key: activeKey }, keys };
}

// Inode + nanosecond mtime + size: a rename-based rewrite always changes the inode, so even two
// rewrites within one mtime tick are told apart.
function fileStamp(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.mtimeNs}:${s.size}`;
  } catch {
    return "absent";
  }
}

/**
 * Adds a fresh key to the keyring file and makes it active. Old keys stay: values wrapped under
 * them remain readable until they are re-wrapped and the old keys retired with `retireKeys`.
 * Running servers switch to the new key within a couple of seconds.
 */
export function rotateKeyringFile(home: string): { previousId: string; newId: string } {
  const key = generateKey();
  const newId = keyIdOf(key);
  let previousId = "";
  updateKeyringFile(home, (contents) => {
    previousId = contents.activeId;
    return {
      activeId: newId,
      keys: [...contents.keys, { id: newId, key, createdAt: new Date().toISOString() }],
    };
  });
  return { previousId, newId };
}

/**
 * Removes every key except `keepIds` and the active key (which is always kept: it may not be
 * referenced yet but is about to be). The caller must first verify storage references no other key.
 */
export function retireKeys(home: string, keepIds: string[]): { removedIds: string[] } {
  let removedIds: string[] = [];
  updateKeyringFile(home, (contents) => {
    const keep = new Set([...keepIds, contents.activeId]);
    removedIds = contents.keys.filter((k) => !keep.has(k.id)).map((k) => k.id);
    if (removedIds.length === 0) return undefined;
    return { activeId: contents.activeId, keys: contents.keys.filter((k) => keep.has(k.id)) };
  });
  return { removedIds };
}

/** Read-modify-write under the lock; `change` returns undefined to leave the file untouched. */
function updateKeyringFile(
  home: string,
  change: (contents: KeyringFileContents) => KeyringFileContents | undefined,
): void {
  const path = keyringFilePath(home);
  const missing = () =>
    new Error(
      `No keyring file at ${path}. Start the server once to create it; ` +
        "a key supplied through COFFER_MASTER_KEY is rotated by changing that variable instead.",
    );
  // Checked before locking too, so a wrong data folder gets this message rather than a lock-file ENOENT.
  if (!existsSync(path)) throw missing();
  withFileLock(path, () => {
    const contents = readKeyringFile(path);
    if (contents === undefined) throw missing();
    const changed = change(contents);
    if (changed !== undefined) writeKeyringFile(path, changed);
  });
}
