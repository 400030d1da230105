/** What a masked value is replaced with. */
export const MASK = "***";

/**
 * Replaces secret values in a byte stream that arrives in arbitrary chunks. Matching is leftmost,
 * then longest: at each position the longest value that matches there is replaced and scanning
 * resumes after it. A position is only decided once enough bytes have arrived to decide it, so the
 * bytes held back are always a proper prefix of some value: at most (longest value − 1) bytes.
 * Hence, for any way of cutting the input into chunks, the concatenated output equals
 * {@link maskAll} of the concatenated input.
 */
export class StreamingMasker {
  private pending: Buffer = Buffer.alloc(0);
  /** Values by first byte, longest first. */
  private readonly byFirstByte = new Map<number, Buffer[]>();
  private readonly mask: Buffer;

  constructor(values: Iterable<string>, mask: string = MASK) {
    this.mask = Buffer.from(mask, "utf8");
    const unique = new Set([...values].filter((value) => value !== ""));
    for (const value of unique) {
      const bytes = Buffer.from(value, "utf8");
      const first = bytes[0] as number;
      const list = this.byFirstByte.get(first) ?? [];
      list.push(bytes);
      this.byFirstByte.set(first, list);
    }
    for (const list of this.byFirstByte.values()) list.sort((a, b) => b.length - a.length);
  }

  /** How many bytes are held back, waiting to see whether they start a value. */
  get heldBack(): number {
    return this.pending.length;
  }

  /** Takes the next chunk; returns what can be written out already (possibly nothing). */
  write(chunk: Uint8Array): Buffer {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    return this.scan(false);
  }

  /** The input has ended: returns the bytes held back, masked. */
  end(): Buffer {
    return this.scan(true);
  }

  private scan(final: boolean): Buffer {
    const input = this.pending;
    const output: Buffer[] = [];
    let copiedUpTo = 0;
    let position = 0;
    while (position < input.length) {
      const decision = this.decideAt(input, position, final);
      if (decision === "wait") break;
      if (decision === 0) {
        position += 1;
        continue;
      }
      output.push(input.subarray(copiedUpTo, position), this.mask);
      position += decision;
      copiedUpTo = position;
    }
    output.push(input.subarray(copiedUpTo, position));
    this.pending = Buffer.from(input.subarray(position));
    return Buffer.concat(output);
  }

  /** The length of the longest value matching at `position`, 0 for none, "wait" when more bytes could change that. */
  private decideAt(input: Buffer, position: number, final: boolean): number | "wait" {
    const candidates = this.byFirstByte.get(input[position] as number);
    if (candidates === undefined) return 0;
    const available = input.length - position;
    for (const value of candidates) {
      if (value.length <= available) {
        if (input.compare(value, 0, value.length, position, position + value.length) === 0)
          return value.length;
      } else if (!final && input.compare(value, 0, available, position, input.length) === 0) {
        // A longer value could still match here: every longer one was checked before this one.
        return "wait";
      }
    }
    return 0;
  }
}

/** Masks a whole input at once: the reference the streaming masker must agree with. */
export function maskAll(values: Iterable<string>, input: Uint8Array, mask: string = MASK): Buffer {
  const masker = new StreamingMasker(values, mask);
  return Buffer.concat([masker.write(input), masker.end()]);
}
