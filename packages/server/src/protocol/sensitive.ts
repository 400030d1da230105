/**
 * Which parts of an operation's input are secret material (shapes marked `"sensitive": true`),
 * so validation messages and the audit log can leave them out.
 */
import { UnknownOperationException } from "../errors/catalog.js";
import { childShapeNames, type ServiceModel, shapeNamed } from "./model.js";

const containsCache = new WeakMap<ServiceModel, Map<string, boolean>>();

/** True when the shape is sensitive or any shape reachable from it is. */
export function containsSensitive(model: ServiceModel, shapeName: string): boolean {
  let cache = containsCache.get(model);
  if (cache === undefined) {
    cache = new Map();
    containsCache.set(model, cache);
  }
  return containsSensitiveCached(model, shapeName, cache, new Set());
}

function containsSensitiveCached(
  model: ServiceModel,
  shapeName: string,
  cache: Map<string, boolean>,
  visiting: Set<string>,
): boolean {
  const known = cache.get(shapeName);
  if (known !== undefined) return known;
  // A recursive edge adds nothing new: the shapes on the cycle are being examined already.
  if (visiting.has(shapeName)) return false;
  visiting.add(shapeName);
  const shape = shapeNamed(model, shapeName);
  const result =
    shape.sensitive === true ||
    childShapeNames(shape).some((child) => containsSensitiveCached(model, child, cache, visiting));
  visiting.delete(shapeName);
  cache.set(shapeName, result);
  return result;
}

/**
 * Paths of the sensitive values in an operation's input, in wire (PascalCase) member names so they
 * apply to the request JSON as received: "SecretString"; nested members join with ".", list
 * elements add "[]" and map values "{}" (e.g. "Items[].Password", "ByName{}"). A sensitive member
 * is listed once as a whole; nothing below it is listed separately.
 *
 * For Secrets Manager: CreateSecret → ["SecretBinary", "SecretString"].
 */
export function sensitiveMembers(model: ServiceModel, operation: string): string[] {
  const definition = model.operations[operation];
  if (definition === undefined) {
    throw new UnknownOperationException(`Operation ${operation} is not defined by the service model`);
  }
  const paths: string[] = [];
  if (definition.input !== undefined) collectSensitivePaths(model, definition.input.shape, "", paths);
  return paths;
}

function collectSensitivePaths(model: ServiceModel, shapeName: string, path: string, into: string[]): void {
  if (!containsSensitive(model, shapeName)) return;
  const shape = shapeNamed(model, shapeName);
  if (shape.sensitive === true) {
    into.push(path);
    return;
  }
  switch (shape.type) {
    case "structure":
      for (const [member, ref] of Object.entries(shape.members)) {
        collectSensitivePaths(model, ref.shape, path === "" ? member : `${path}.${member}`, into);
      }
      return;
    case "list":
      collectSensitivePaths(model, shape.member.shape, `${path}[]`, into);
      return;
    case "map":
      // A secret in a key cannot be redacted apart from its entry, so the whole map is listed.
      if (containsSensitive(model, shape.key.shape)) into.push(path);
      else collectSensitivePaths(model, shape.value.shape, `${path}{}`, into);
      return;
    default:
      return;
  }
}
