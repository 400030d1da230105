/**
 * Validates operation input against the service model before any handler sees it, the way AWS's
 * front end does: wrong JSON types fail with SerializationException (first one wins), constraint
 * violations are collected and fail together with ValidationException. Members the model does not
 * define are ignored, as AWS ignores them. A JSON null is never accepted in place of a value (member,
 * list item or map value): it fails with "Member must not be null", so operations only ever see
 * members that are either absent or of their modelled type.
 *
 * Checks are compiled per operation when the validator is created; `validate` on a valid request
 * only reads the input (no allocation beyond V8's own), since it runs on every GetSecretValue.
 */
import { UnknownOperationException } from "../errors/catalog.js";
import { compileJavaPatterns } from "./java-pattern.js";
import { echoValue } from "./messages.js";
import { modelPatterns, operationNames, type ServiceModel } from "./model.js";
import { type Check, ShapeCheckCompiler } from "./shape-checks.js";
import { ValidationRun } from "./validation-run.js";

export interface InputValidator {
  /**
   * Throws SerializationException when `input` (the parsed request body) has a wrong JSON type
   * anywhere, ValidationException when it breaks model constraints, UnknownOperationException when
   * the operation is not in the model. Returns normally when the input is valid.
   */
  validate(operation: string, input: unknown): void;
  /** Operations this validator knows, i.e. every operation in the model. */
  readonly operations: readonly string[];
}

export function createInputValidator(model: ServiceModel): InputValidator {
  const patterns = compileJavaPatterns(modelPatterns(model));
  const compiler = new ShapeCheckCompiler(model, patterns.byPattern);
  const checks = new Map<string, Check>();
  for (const name of operationNames(model)) {
    const input = model.operations[name]?.input;
    checks.set(name, input === undefined ? acceptAnyObject : compiler.checkFor(input.shape));
  }
  // Validation is synchronous and never re-entered, so one run is reused (and reset) per call.
  const run = new ValidationRun();
  return {
    operations: [...checks.keys()],
    validate(operation, input) {
      const check = checks.get(operation);
      if (check === undefined) {
        throw new UnknownOperationException(
          `Operation ${echoValue(operation)} is not defined by the service model`,
        );
      }
      run.reset();
      check(input, run);
      run.throwIfInvalid();
    },
  };
}

/** Input of an operation without an input shape: any JSON object. */
const acceptAnyObject: Check = (value, run) => {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    run.typeMismatch(value, "structure");
};
