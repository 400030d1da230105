import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** One line of the audit journal, with the exact event text the hash covers. */
export interface JournalLine {
  seq: number;
  prevHash: string;
  hash: string;
  json: string;
  /** Byte offset of the line in the file, and the offset just after its newline. */
  offset: number;
  end: number;
}

const eventKey = ',"event":';

/** `{"seq":N,"prevHash":"…","hash":"…","event":<canonical event JSON>}` — one event per line. */
export function formatJournalLine(seq: number, prevHash: string, hash: string, json: string): string {
  return `{"seq":${seq},"prevHash":"${prevHash}","hash":"${hash}","event":${json}}\n`;
}

/** Parses one line; undefined when it is not a journal line at all (the verifier calls that "modified"). */
export function parseJournalLine(text: string, offset: number, end: number): JournalLine | undefined {
  const at = text.indexOf(eventKey);
  if (at < 0 || !text.endsWith("}")) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(`${text.slice(0, at)}}`);
  } catch {
    return undefined;
  }
  const { seq, prevHash, hash } = header as { seq?: unknown; prevHash?: unknown; hash?: unknown };
  if (typeof seq !== "number" || typeof prevHash !== "string" || typeof hash !== "string") return undefined;
  return { seq, prevHash, hash, json: text.slice(at + eventKey.length, -1), offset, end };
}

const chunkSize = 1 << 20;

/**
 * Reads complete lines from `start` on, in file order. A last line without its newline (a write
 * cut short by a crash) is not returned: it was never acknowledged.
 */
export function* readJournalLines(
  path: string,
  start = 0,
): Generator<{ text: string; offset: number; end: number }> {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    let position = start;
    let carry = Buffer.alloc(0);
    let carryOffset = start;
    while (position < size) {
      const buffer = Buffer.allocUnsafe(Math.min(chunkSize, size - position));
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read <= 0) break;
      position += read;
      const data =
        carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, read)]) : buffer.subarray(0, read);
      let lineStart = 0;
      let newline = data.indexOf(10, lineStart);
      while (newline >= 0) {
        const offset = carryOffset + lineStart;
        yield { text: data.toString("utf8", lineStart, newline), offset, end: carryOffset + newline + 1 };
        lineStart = newline + 1;
        newline = data.indexOf(10, lineStart);
      }
      carryOffset += lineStart;
      carry = Buffer.from(data.subarray(lineStart));
    }
  } finally {
    closeSync(fd);
  }
}

/** The file's length up to and including its last newline: where the next append must go. */
export function completeLength(path: string): number {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const window = Buffer.allocUnsafe(Math.min(size, chunkSize));
    let end = size;
    while (end > 0) {
      const from = Math.max(0, end - window.length);
      const read = readSync(fd, window, 0, end - from, from);
      const newline = window.subarray(0, read).lastIndexOf(10);
      if (newline >= 0) return from + newline + 1;
      end = from;
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

/** The last complete line of the file, if any. */
export function lastJournalLine(path: string): JournalLine | undefined {
  const length = completeLength(path);
  if (length === 0) return undefined;
  const fd = openSync(path, "r");
  try {
    let from = length - 1;
    const window = Buffer.allocUnsafe(64 * 1024);
    while (from > 0) {
      const start = Math.max(0, from - window.length);
      const read = readSync(fd, window, 0, from - start, start);
      const newline = window.subarray(0, read).lastIndexOf(10);
      if (newline >= 0) {
        from = start + newline + 1;
        break;
      }
      from = start;
    }
    const line = Buffer.allocUnsafe(length - 1 - from);
    readSync(fd, line, 0, line.length, from);
    return parseJournalLine(line.toString("utf8"), from, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * The lines starting at each of `offsets` (one open for all of them); undefined where no complete
 * journal line starts there, as when the journal was cut or replaced after the offset was taken.
 */
export function readJournalLinesAt(path: string, offsets: readonly number[]): Array<JournalLine | undefined> {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    let buffer = Buffer.allocUnsafe(4096);
    return offsets.map((offset) => {
      for (;;) {
        const read =
          offset < size ? readSync(fd, buffer, 0, Math.min(buffer.length, size - offset), offset) : 0;
        const newline = buffer.subarray(0, read).indexOf(10);
        if (newline >= 0) {
          return parseJournalLine(buffer.toString("utf8", 0, newline), offset, offset + newline + 1);
        }
        // No newline: the line is longer than the buffer, or the file ends inside it.
        if (read < buffer.length) return undefined;
        buffer = Buffer.allocUnsafe(buffer.length * 2);
      }
    });
  } finally {
    closeSync(fd);
  }
}
