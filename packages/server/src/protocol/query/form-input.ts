/**
 * Decodes an AWS Query form into the input object an operation takes, walking the operation's
 * input shape in the service model (Smithy's awsQuery protocol):
 *
 *   RoleArn=arn:…                      a top-level member: { RoleArn: "arn:…" }
 *   DurationSeconds=900                an integer: { DurationSeconds: 900 }
 *   Tags.member.1.Key=k                a list of structures: { Tags: [{ Key: "k", … }] }
 *   TransitiveTagKeys.member.2=t       a list of strings, numbered from 1 without gaps
 *   Tags=                              an empty list
 *   Attributes.entry.1.key / .value    a map
 *
 * The result is what AWS JSON would have carried, so the same validator (protocol/validate.ts)
 * then checks lengths, patterns, ranges and required members, and handlers see the same kind of
 * input whichever protocol carried it. Names the model does not define are ignored, as AWS does.
 * A value that cannot be read as its type (`DurationSeconds=ten`) is a SerializationException that
 * names the parameter and never echoes the value (it may be a token).
 */
import { SerializationException } from "../../errors/catalog.js";
import { type ServiceModel, type Shape, shapeNamed } from "../model.js";
import type { QueryForm } from "./form.js";
import { type FormNode, formTree } from "./form-tree.js";

export type FormDecoder = (operation: string, form: QueryForm) => Record<string, unknown>;

/** The parameters of the protocol itself, not members of any input. */
const protocolParameters: ReadonlySet<string> = new Set(["Action", "Version"]);
const index = /^[1-9]\d{0,8}$/;
const integerText = /^-?\d{1,16}$/;

export function createFormDecoder(model: ServiceModel): FormDecoder {
  const decodeValue = (shapeName: string, node: FormNode, path: string): unknown => {
    const shape = shapeNamed(model, shapeName);
    switch (shape.type) {
      case "structure":
        return decodeStructure(shape, node, path);
      case "list": {
        const items = listItems(node, "member", path);
        return items.map((item, at) => decodeValue(shape.member.shape, item, `${path}.member.${at + 1}`));
      }
      case "map": {
        const entries = listItems(node, "entry", path);
        // No prototype: a key is the caller's text, `__proto__` included.
        const map: Record<string, unknown> = Object.create(null);
        entries.forEach((entry, at) => {
          const where = `${path}.entry.${at + 1}`;
          const key = entry.children?.get("key");
          const value = entry.children?.get("value");
          if (key === undefined || value === undefined) {
            throw new SerializationException(`Each map entry needs a key and a value at '${where}'`);
          }
          map[scalarText(key, `${where}.key`)] = decodeValue(shape.value.shape, value, `${where}.value`);
        });
        return map;
      }
      default:
        return decodeScalar(shape, scalarText(node, path), path);
    }
  };

  const decodeStructure = (
    shape: Extract<Shape, { type: "structure" }>,
    node: FormNode,
    path: string,
  ): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    if (node.children === undefined) {
      // `Member=` with nothing under it: an empty structure, as a client with nothing to say sends it.
      if (node.value === undefined || node.value === "") return result;
      throw new SerializationException(`A structure is expected at '${path}', not a value`);
    }
    for (const [member, ref] of Object.entries(shape.members)) {
      const child = node.children.get(member);
      if (child === undefined) continue;
      result[member] = decodeValue(ref.shape, child, path === "" ? member : `${path}.${member}`);
    }
    return result;
  };

  return (operation, form) => {
    const definition = Object.hasOwn(model.operations, operation) ? model.operations[operation] : undefined;
    const root = formTree(form, protocolParameters);
    if (definition?.input === undefined || root.children === undefined) return {};
    const shape = shapeNamed(model, definition.input.shape);
    if (shape.type !== "structure") throw new Error(`Input of ${operation} is not a structure`);
    return decodeStructure(shape, root, "");
  };
}

/** The numbered items under `List.member.N` (or a map's `entry.N`), in order; `List=` is none. */
function listItems(node: FormNode, itemName: string, path: string): FormNode[] {
  if (node.children === undefined) {
    if (node.value === "" || node.value === undefined) return [];
    throw new SerializationException(
      `A list is expected at '${path}' (${path}.${itemName}.1=…), not a value`,
    );
  }
  const numbered = node.children.get(itemName)?.children;
  if (numbered === undefined || node.children.size !== 1) {
    throw new SerializationException(`List items are named '${path}.${itemName}.N', N from 1`);
  }
  const items: FormNode[] = new Array(numbered.size);
  for (const [position, item] of numbered) {
    const n = index.test(position) ? Number(position) : 0;
    if (n < 1 || n > numbered.size) {
      throw new SerializationException(
        `List items at '${path}' must be numbered 1 to ${numbered.size}, without gaps`,
      );
    }
    items[n - 1] = item;
  }
  return items;
}

function scalarText(node: FormNode, path: string): string {
  if (node.children !== undefined || node.value === undefined) {
    throw new SerializationException(`A single value is expected at '${path}', not members`);
  }
  return node.value;
}

function decodeScalar(shape: Shape, text: string, path: string): unknown {
  switch (shape.type) {
    case "integer":
    case "long": {
      const value = integerText.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(value)) {
        throw new SerializationException(
          `The value at '${path}' can not be converted to ${shape.type === "integer" ? "an Integer" : "a Long"}`,
        );
      }
      return value;
    }
    case "boolean":
      if (text === "true") return true;
      if (text === "false") return false;
      throw new SerializationException(`The value at '${path}' must be true or false`);
    default:
      // Strings, and timestamps and blobs as their text (ISO 8601, base64): the validator checks those.
      return text;
  }
}
