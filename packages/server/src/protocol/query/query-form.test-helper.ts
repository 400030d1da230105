/**
 * Test support: an input object written as an AWS Query form, as botocore's and the AWS SDK's
 * query serializers write it (lists as `Name.member.N`, maps as `Name.entry.N.key/value`, numbers
 * and booleans as text, an empty list as `Name=`), so decoding can be checked against it.
 */
import { type ServiceModel, shapeNamed } from "../model.js";

export function queryFormOf(
  model: ServiceModel,
  operation: string,
  input: Record<string, unknown>,
): Array<[string, string]> {
  const pairs: Array<[string, string]> = [
    ["Action", operation],
    ["Version", model.metadata.apiVersion],
  ];
  const write = (shapeName: string, value: unknown, name: string) => {
    const shape = shapeNamed(model, shapeName);
    switch (shape.type) {
      case "structure": {
        const before = pairs.length;
        for (const [member, ref] of Object.entries(shape.members)) {
          const item = (value as Record<string, unknown>)[member];
          if (item !== undefined) write(ref.shape, item, name === "" ? member : `${name}.${member}`);
        }
        // A structure with nothing in it still has to say it is there (a list item, say).
        if (pairs.length === before && name !== "") pairs.push([name, ""]);
        return;
      }
      case "list": {
        const items = value as unknown[];
        if (items.length === 0) pairs.push([name, ""]);
        items.forEach((item, at) => {
          write(shape.member.shape, item, `${name}.member.${at + 1}`);
        });
        return;
      }
      case "map": {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 0) pairs.push([name, ""]);
        entries.forEach(([key, item], at) => {
          pairs.push([`${name}.entry.${at + 1}.key`, key]);
          write(shape.value.shape, item, `${name}.entry.${at + 1}.value`);
        });
        return;
      }
      default:
        pairs.push([name, String(value)]);
    }
  };
  const definition = model.operations[operation];
  if (definition?.input !== undefined) write(definition.input.shape, input, "");
  return pairs;
}

/** `application/x-www-form-urlencoded` bytes of name/value pairs, spaces as `+` as browsers send them. */
export function formBody(pairs: ReadonlyArray<readonly [string, string]>, spaceAsPlus = true): Buffer {
  const encode = (text: string) => {
    const encoded = encodeURIComponent(text);
    return spaceAsPlus ? encoded.replaceAll("%20", "+") : encoded;
  };
  return Buffer.from(pairs.map(([name, value]) => `${encode(name)}=${encode(value)}`).join("&"));
}
