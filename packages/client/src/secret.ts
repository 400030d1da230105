const REDACTED = "[REDACTED]";
const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/**
 * Holds a value so that it cannot be printed by accident: console.log, util.inspect, JSON.stringify,
 * template strings and string concatenation all show `[REDACTED]`. `unwrap()` gives the value.
 * The value lives in a private field, which util.inspect (even with showHidden) does not show.
 */
export class Secret<T> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  /** The value itself: the only way to read it. */
  unwrap(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspectCustom](): string {
    return `Secret ${REDACTED}`;
  }
}
