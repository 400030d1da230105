import { type ServiceModel, shapeNamed } from "./model.js";

/**
 * For each operation, its top-level input members the model marks `idempotencyToken` (such as
 * `ClientRequestToken`): the members every AWS SDK fills with a fresh UUID when the caller leaves
 * them out.
 */
export function idempotencyTokenMembers(model: ServiceModel): ReadonlyMap<string, readonly string[]> {
  const byOperation = new Map<string, readonly string[]>();
  for (const [name, operation] of Object.entries(model.operations)) {
    if (operation.input === undefined) continue;
    const shape = shapeNamed(model, operation.input.shape);
    if (shape.type !== "structure") continue;
    const members = Object.entries(shape.members)
      .filter(([, ref]) => ref.idempotencyToken === true)
      .map(([member]) => member);
    if (members.length > 0) byOperation.set(name, members);
  }
  return byOperation;
}
