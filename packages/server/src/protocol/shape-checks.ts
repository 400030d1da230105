/**
 * Compiles model shapes into check functions, once, when the validator is created. A check reads
 * the value, reports constraint violations to the run, and throws SerializationException on a wrong
 * JSON type. Everything a check needs (bounds, RegExp, enum Set, constraint texts, member table) is
 * prepared here, so checking a valid value allocates nothing.
 */
import { strictBase64DecodedLength } from "./base64.js";
import { constraint } from "./messages.js";
import type {
  BlobShape,
  ListShape,
  MapShape,
  NumberShape,
  ServiceModel,
  Shape,
  StringShape,
  StructureShape,
} from "./model.js";
import { shapeNamed } from "./model.js";
import { containsSensitive } from "./sensitive.js";
import { codePointLength } from "./unicode-length.js";
import type { ValidationRun } from "./validation-run.js";

export type Check = (value: unknown, run: ValidationRun) => void;

export class ShapeCheckCompiler {
  private readonly compiled = new Map<string, Check>();
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly model: ServiceModel,
    private readonly patterns: ReadonlyMap<string, RegExp>,
  ) {}

  /**
   * The check for a shape. `insideSensitive` marks shapes reached through a sensitive container,
   * whose values must not be echoed even though their own shape is not marked sensitive.
   */
  checkFor(shapeName: string, insideSensitive = false): Check {
    const key = `${shapeName}|${insideSensitive}`;
    const done = this.compiled.get(key);
    if (done !== undefined) return done;
    if (this.inProgress.has(key)) {
      // Recursive shape: resolve on first use, when compilation has finished. Only cyclic edges
      // pay for the indirection.
      let resolved: Check | undefined;
      return (value, run) => {
        resolved ??= this.checkFor(shapeName, insideSensitive);
        resolved(value, run);
      };
    }
    this.inProgress.add(key);
    const shape = shapeNamed(this.model, shapeName);
    const check = this.compile(shapeName, shape, insideSensitive || shape.sensitive === true);
    this.inProgress.delete(key);
    this.compiled.set(key, check);
    return check;
  }

  private compile(shapeName: string, shape: Shape, hidden: boolean): Check {
    // Containers are echoed in messages only when nothing inside them is secret.
    const echo = !hidden && !containsSensitive(this.model, shapeName);
    switch (shape.type) {
      case "string":
        return stringCheck(shape, echo, this.patternFor(shapeName, shape));
      case "blob":
        return blobCheck(shape);
      case "integer":
      case "long":
        return numberCheck(shape, echo);
      case "boolean":
        return booleanCheck;
      case "timestamp":
        return timestampCheck;
      case "list":
        return listCheck(shape, echo, this.checkFor(shape.member.shape, hidden));
      case "map":
        return mapCheck(
          shape,
          echo,
          this.checkFor(shape.key.shape, hidden),
          this.checkFor(shape.value.shape, hidden),
        );
      case "structure":
        return this.structureCheck(shape, hidden);
      default: {
        const unknownType: string = (shape as { type: string }).type;
        throw new Error(`Shape ${shapeName} has type ${unknownType}, which the validator does not support`);
      }
    }
  }

  private patternFor(shapeName: string, shape: StringShape): RegExp | undefined {
    if (shape.pattern === undefined) return undefined;
    const regex = this.patterns.get(shape.pattern);
    if (regex === undefined) throw new Error(`Pattern of shape ${shapeName} was not compiled`);
    return regex;
  }

  private structureCheck(shape: StructureShape, hidden: boolean): Check {
    const required = new Set(shape.required ?? []);
    const members: MemberCheck[] = Object.entries(shape.members).map(([name, ref]) => {
      // Members are read with plain property access; a name inherited from Object.prototype would
      // read the prototype's value when absent.
      if (name in Object.prototype) throw new Error(`Member name ${name} collides with Object.prototype`);
      return {
        name,
        segment: lowerCamelCase(name),
        required: required.has(name),
        check: this.checkFor(ref.shape, hidden),
      };
    });
    return (value, run) => {
      if (!isJsonObject(value)) return run.typeMismatch(value, "structure");
      const path = run.path;
      // Members not in the model are ignored, as AWS does.
      for (const member of members) {
        const item = value[member.name];
        if (item === undefined) {
          if (!member.required) continue;
          path.push(member.segment);
          run.report(null, true, constraint.notNull);
        } else if (item === null) {
          // An explicit JSON null is refused, required or not: AWS SDKs never send one, and an
          // operation must be able to trust that a present member has its modelled type.
          path.push(member.segment);
          run.report(null, true, constraint.notNull);
        } else {
          path.push(member.segment);
          member.check(item, run);
        }
        path.pop();
      }
    };
  }
}

interface MemberCheck {
  /** Wire name, e.g. "SecretId". */
  readonly name: string;
  /** Name in messages, e.g. "secretId". */
  readonly segment: string;
  readonly required: boolean;
  readonly check: Check;
}

/** AWS names members in messages with a lowercased first letter: RotationLambdaARN → rotationLambdaARN. */
export function lowerCamelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringCheck(shape: StringShape, echo: boolean, regex: RegExp | undefined): Check {
  const min = shape.min ?? 0;
  const max = shape.max ?? Number.POSITIVE_INFINITY;
  const tooShort = constraint.lengthAtLeast(min);
  const tooLong = constraint.lengthAtMost(max);
  const mismatch = shape.pattern === undefined ? "" : constraint.pattern(shape.pattern);
  const allowed = shape.enum === undefined ? undefined : new Set(shape.enum);
  const notAllowed = shape.enum === undefined ? "" : constraint.enumValues(shape.enum);
  return (value, run) => {
    if (typeof value !== "string") return run.typeMismatch(value, "String");
    // A code point is 1 or 2 UTF-16 units, so `.length` settles the bounds except near them.
    const units = value.length;
    const length = units > max || (units >= min && units < 2 * min) ? codePointLength(value) : units;
    if (length < min) run.report(value, echo, tooShort);
    if (length > max) run.report(value, echo, tooLong);
    // Skipped for oversize values: the length error suffices and regex work stays bounded.
    else if (regex !== undefined && !regex.test(value)) run.report(value, echo, mismatch);
    if (allowed !== undefined && !allowed.has(value)) run.report(value, echo, notAllowed);
  };
}

function blobCheck(shape: BlobShape): Check {
  const min = shape.min ?? 0;
  const max = shape.max ?? Number.POSITIVE_INFINITY;
  const tooShort = constraint.lengthAtLeast(min);
  const tooLong = constraint.lengthAtMost(max);
  return (value, run) => {
    if (typeof value !== "string") return run.typeMismatch(value, "Blob");
    const bytes = strictBase64DecodedLength(value);
    if (bytes < 0) {
      return run.unreadable("Invalid Base64 value", "expected padded standard Base64 (RFC 4648 section 4)");
    }
    // Bounds apply to the decoded bytes. Blobs are never echoed: they are opaque and usually secret.
    if (bytes < min) run.report(value, false, tooShort);
    if (bytes > max) run.report(value, false, tooLong);
  };
}

const INTEGER_RANGE = { typeName: "Integer", lowest: -(2 ** 31), highest: 2 ** 31 - 1 } as const;
// Larger longs already lost precision in JSON.parse, so they are refused rather than misread.
const LONG_RANGE = {
  typeName: "Long",
  lowest: Number.MIN_SAFE_INTEGER,
  highest: Number.MAX_SAFE_INTEGER,
} as const;

function numberCheck(shape: NumberShape, echo: boolean): Check {
  const { typeName, lowest, highest } = shape.type === "integer" ? INTEGER_RANGE : LONG_RANGE;
  const problem = `NUMBER_VALUE can not be converted to ${typeName === "Integer" ? "an" : "a"} ${typeName}`;
  const outOfRange = `outside ${lowest}..${highest}`;
  const min = shape.min ?? Number.NEGATIVE_INFINITY;
  const max = shape.max ?? Number.POSITIVE_INFINITY;
  const tooSmall = constraint.valueAtLeast(min);
  const tooLarge = constraint.valueAtMost(max);
  return (value, run) => {
    if (typeof value !== "number") return run.typeMismatch(value, typeName);
    if (!Number.isInteger(value)) return run.unreadable(problem, "not a whole number");
    if (value < lowest || value > highest) return run.unreadable(problem, outOfRange);
    if (value < min) run.report(value, echo, tooSmall);
    if (value > max) run.report(value, echo, tooLarge);
  };
}

const booleanCheck: Check = (value, run) => {
  if (typeof value !== "boolean") run.typeMismatch(value, "Boolean");
};

// RFC 3339 date-time, the ISO 8601 profile AWS SDKs send when not sending epoch seconds.
const ISO_8601_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

const timestampCheck: Check = (value, run) => {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) run.unreadable("Invalid timestamp", "not a finite number of epoch seconds");
    return;
  }
  if (typeof value !== "string") return run.typeMismatch(value, "Timestamp");
  if (!ISO_8601_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    run.unreadable("Invalid timestamp", "expected epoch seconds or an ISO 8601 date-time");
  }
};

function listCheck(shape: ListShape, echo: boolean, memberCheck: Check): Check {
  const min = shape.min ?? 0;
  const max = shape.max ?? Number.POSITIVE_INFINITY;
  const tooShort = constraint.lengthAtLeast(min);
  const tooLong = constraint.lengthAtMost(max);
  return (value, run) => {
    if (!Array.isArray(value)) return run.typeMismatch(value, "list");
    if (value.length < min) run.report(value, echo, tooShort);
    if (value.length > max) run.report(value, echo, tooLong);
    const path = run.path;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      path.push(index, "member");
      if (item === undefined || item === null) run.report(null, true, constraint.notNull);
      else memberCheck(item, run);
      path.length -= 2;
    }
  };
}

function mapCheck(shape: MapShape, echo: boolean, keyCheck: Check, valueCheck: Check): Check {
  const min = shape.min ?? 0;
  const max = shape.max ?? Number.POSITIVE_INFINITY;
  const tooShort = constraint.lengthAtLeast(min);
  const tooLong = constraint.lengthAtMost(max);
  return (value, run) => {
    if (!isJsonObject(value)) return run.typeMismatch(value, "map");
    const keys = Object.keys(value);
    if (keys.length < min) run.report(value, echo, tooShort);
    if (keys.length > max) run.report(value, echo, tooLong);
    const path = run.path;
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as string;
      path.push(index, "key");
      keyCheck(key, run);
      path[path.length - 1] = "value";
      const item = value[key];
      if (item === undefined || item === null) run.report(null, true, constraint.notNull);
      else valueCheck(item, run);
      path.length -= 2;
    }
  };
}
