/**
 * Test support: given an input valid for a shape, lists single-point mutations that each break
 * exactly one thing at one place, with the AWS path and exception the validator should report.
 */
import { type ServiceModel, type Shape, shapeNamed } from "./model.js";
import { lowerCamelCase } from "./shape-checks.js";

export type ExpectedError = "ValidationException" | "SerializationException";

export interface Mutation {
  /** AWS message path of the broken value ("" for the request body itself). */
  readonly path: string;
  readonly what: string;
  readonly expected: ExpectedError;
  /** The broken value's shape is sensitive: the message must not echo it. */
  readonly sensitive: boolean;
  /** Returns a mutated deep copy of the input. */
  apply(input: unknown): unknown;
}

type WirePath = readonly (string | number)[];
const REMOVE = Symbol("remove");
type Replacement = unknown | typeof REMOVE;

export function mutationsOf(model: ServiceModel, shapeName: string, input: unknown): Mutation[] {
  const mutations: Mutation[] = [];
  collect(model, shapeNamed(model, shapeName), input, [], "", mutations);
  return mutations;
}

function collect(
  model: ServiceModel,
  shape: Shape,
  value: unknown,
  at: WirePath,
  path: string,
  into: Mutation[],
): void {
  const sensitive = shape.sensitive === true;
  const add = (what: string, expected: ExpectedError, replacement: Replacement, where = at, named = path) =>
    into.push({
      path: named,
      what,
      expected,
      sensitive,
      apply: (input) => replaceAt(input, where, replacement),
    });
  const tooLongBytes = (max: number) => Buffer.alloc(max + 1, 1).toString("base64");

  switch (shape.type) {
    case "string": {
      add("number instead of string", "SerializationException", 42);
      const { min = 0, max } = shape;
      if (max !== undefined && max < 100_000)
        add("one character too long", "ValidationException", "a".repeat(max + 1));
      if (min >= 1) add("empty", "ValidationException", "");
      // 2 UTF-16 units per character: only code-point counting sees this as too short.
      if (min >= 2) add("too short in astral characters", "ValidationException", "😀".repeat(min - 1));
      if (shape.pattern !== undefined)
        add("breaks pattern", "ValidationException", "\u0001".repeat(Math.max(min, 1)));
      if (shape.enum !== undefined) add("not in enum", "ValidationException", "not-an-enum-value");
      return;
    }
    case "blob":
      add("number instead of base64", "SerializationException", 42);
      add("base64 of wrong length", "SerializationException", "abc");
      add("outside the base64 alphabet", "SerializationException", "@@@@");
      add("unpadded base64", "SerializationException", "QQ");
      if ((shape.min ?? 0) >= 1) add("zero bytes", "ValidationException", "");
      if (shape.max !== undefined) add("one byte too long", "ValidationException", tooLongBytes(shape.max));
      return;
    case "integer":
    case "long":
      add("numeric string", "SerializationException", "1");
      add("fraction", "SerializationException", 1.5);
      if (shape.min !== undefined) add("below minimum", "ValidationException", shape.min - 1);
      if (shape.max !== undefined) add("above maximum", "ValidationException", shape.max + 1);
      if (shape.type === "integer" && shape.max === undefined)
        add("beyond int32", "SerializationException", 2 ** 31);
      if (shape.type === "long" && shape.max === undefined)
        add("beyond 2^53", "SerializationException", 2 ** 54);
      return;
    case "boolean":
      add("string instead of boolean", "SerializationException", "true");
      add("number instead of boolean", "SerializationException", 1);
      return;
    case "timestamp":
      add("unparseable date", "SerializationException", "yesterday");
      add("boolean instead of timestamp", "SerializationException", true);
      return;
    case "list": {
      add("string instead of list", "SerializationException", "x");
      add("object instead of list", "SerializationException", {});
      if (!Array.isArray(value)) return;
      if ((shape.min ?? 0) >= 1) add("empty list", "ValidationException", []);
      if (shape.max !== undefined && value.length > 0) {
        add(
          "one item too many",
          "ValidationException",
          Array.from({ length: shape.max + 1 }, () => value[0]),
        );
      }
      const member = shapeNamed(model, shape.member.shape);
      value.forEach((item: unknown, index) => {
        const itemPath = `${path}.${index + 1}.member`;
        add("null item", "ValidationException", null, [...at, index], itemPath);
        collect(model, member, item, [...at, index], itemPath, into);
      });
      return;
    }
    case "map": {
      add("list instead of map", "SerializationException", []);
      if (!isObject(value)) return;
      const valueShape = shapeNamed(model, shape.value.shape);
      Object.entries(value).forEach(([key, item], index) => {
        collect(model, valueShape, item, [...at, key], `${path}.${index + 1}.value`, into);
      });
      return;
    }
    case "structure": {
      add("list instead of structure", "SerializationException", []);
      add("string instead of structure", "SerializationException", "x");
      if (!isObject(value)) return;
      const childPath = (name: string) =>
        path === "" ? lowerCamelCase(name) : `${path}.${lowerCamelCase(name)}`;
      for (const name of shape.required ?? []) {
        add("required member missing", "ValidationException", REMOVE, [...at, name], childPath(name));
        add("required member null", "ValidationException", null, [...at, name], childPath(name));
      }
      for (const [name, ref] of Object.entries(shape.members)) {
        if (value[name] === undefined) continue;
        collect(model, shapeNamed(model, ref.shape), value[name], [...at, name], childPath(name), into);
      }
      return;
    }
  }
}

function replaceAt(input: unknown, at: WirePath, replacement: Replacement): unknown {
  if (at.length === 0) return replacement;
  const copy: unknown = structuredClone(input);
  let parent: unknown = copy;
  for (const step of at.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[step];
  const last = at[at.length - 1] as string | number;
  const container = parent as Record<string | number, unknown>;
  if (replacement === REMOVE) delete container[last];
  else container[last] = replacement;
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
