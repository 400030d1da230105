import { Transform, Writable } from "node:stream";
import type { Output } from "../context.js";
import { StreamingMasker } from "./streaming-masker.js";

/** A stream that masks `values` in whatever passes through it. */
export function maskingStream(values: Iterable<string>): Transform {
  const masker = new StreamingMasker(values);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const masked = masker.write(chunk);
      done(null, masked.length > 0 ? masked : undefined);
    },
    flush(done) {
      const masked = masker.end();
      done(null, masked.length > 0 ? masked : undefined);
    },
  });
}

/**
 * A writable end for a pipeline that writes into `output` without ever ending it (our stdout stays
 * open after the child's closes), waiting for "drain" when `output` is a stream that asks for it.
 */
export function writeInto(output: Output): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const accepted = output.write(chunk);
      if (accepted === false && hasOnce(output)) output.once("drain", () => done());
      else done();
    },
  });
}

function hasOnce(output: Output): output is Output & { once(event: "drain", listener: () => void): unknown } {
  return "once" in output && typeof output.once === "function";
}
