/**
 * Serializes an operation's output object as the AWS Query protocol answers (STS):
 *
 *   <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
 *     <AssumeRoleResult>…members of the output shape…</AssumeRoleResult>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
 *   </AssumeRoleResponse>
 *
 * Members are written in the model's order and only the model's members are written, so nothing a
 * handler leaves on its result by accident reaches the wire. Lists are `<member>` elements, maps
 * `<entry><key/><value/></entry>`, timestamps ISO 8601 (a handler gives epoch seconds, as for AWS
 * JSON, or a Date), blobs base64, every text escaped. A value of the wrong type for its shape is
 * a bug in the handler: it throws, and the pipeline answers 500.
 */
import { type ServiceModel, shapeNamed } from "../model.js";
import { escapeXml } from "./xml-text.js";

export type XmlOutputSerializer = (operation: string, output: object, requestId: string) => string;

export function createXmlOutputSerializer(model: ServiceModel): XmlOutputSerializer {
  const namespace = escapeXml(model.metadata.xmlNamespace ?? "");

  const value = (shapeName: string, item: unknown, path: string): string => {
    const shape = shapeNamed(model, shapeName);
    switch (shape.type) {
      case "structure": {
        if (typeof item !== "object" || item === null) throw wrongType(path, "a structure");
        let xml = "";
        for (const [member, ref] of Object.entries(shape.members)) {
          const memberValue = (item as Record<string, unknown>)[member];
          if (memberValue === undefined || memberValue === null) continue;
          xml += `<${member}>${value(ref.shape, memberValue, `${path}.${member}`)}</${member}>`;
        }
        return xml;
      }
      case "list": {
        if (!Array.isArray(item)) throw wrongType(path, "a list");
        let xml = "";
        for (const element of item)
          xml += `<member>${value(shape.member.shape, element, `${path}[]`)}</member>`;
        return xml;
      }
      case "map": {
        if (typeof item !== "object" || item === null) throw wrongType(path, "a map");
        let xml = "";
        for (const [key, entry] of Object.entries(item)) {
          xml += `<entry><key>${escapeXml(key)}</key><value>${value(shape.value.shape, entry, `${path}{}`)}</value></entry>`;
        }
        return xml;
      }
      case "string":
        if (typeof item !== "string") throw wrongType(path, "a string");
        return escapeXml(item);
      case "integer":
      case "long":
        if (typeof item !== "number" || !Number.isInteger(item)) throw wrongType(path, "a whole number");
        return String(item);
      case "boolean":
        if (typeof item !== "boolean") throw wrongType(path, "a boolean");
        return String(item);
      case "timestamp":
        return isoTimestamp(item, path);
      case "blob":
        if (typeof item === "string") return escapeXml(item);
        if (item instanceof Uint8Array) return Buffer.from(item).toString("base64");
        throw wrongType(path, "base64 text or bytes");
      default:
        throw new Error(`Shape ${shapeName} has a type the XML serializer does not write`);
    }
  };

  return (operation, output, requestId) => {
    const definition = Object.hasOwn(model.operations, operation) ? model.operations[operation] : undefined;
    if (definition === undefined) throw new Error(`Operation ${operation} is not in the service model`);
    let xml = `<${operation}Response xmlns="${namespace}">`;
    if (definition.output !== undefined) {
      const wrapper = definition.output.resultWrapper ?? `${operation}Result`;
      xml += `<${wrapper}>${value(definition.output.shape, output, operation)}</${wrapper}>`;
    }
    return `${xml}<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${operation}Response>`;
  };
}

/** Epoch seconds (as AWS JSON answers) or a Date, as ISO 8601 in UTC with milliseconds, as STS writes it. */
function isoTimestamp(item: unknown, path: string): string {
  const date = typeof item === "number" ? new Date(item * 1000) : item instanceof Date ? item : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) throw wrongType(path, "epoch seconds or a Date");
  return date.toISOString();
}

function wrongType(path: string, expected: string): Error {
  return new Error(`Output member ${path} must be ${expected}`);
}
