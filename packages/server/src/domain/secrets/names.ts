import { InvalidParameterException, ValidationException } from "../../errors/catalog.js";

const allowedName = /^[A-Za-z0-9/_+=.@-]+$/;

/** AWS's words, recorded from AWS for CreateSecret and for a SecretId of that shape alike. */
const invalidNameMessage =
  "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!";

/**
 * AWS's rule for secret names: ASCII letters, digits and `/_+=.@-`. A name outside it is a
 * ValidationException (AWS's recorded answer), not the modelled InvalidParameterException.
 */
export function assertValidSecretName(name: string): void {
  if (!allowedName.test(name)) throw new ValidationException(invalidNameMessage);
  if (name.startsWith("arn:")) {
    throw new InvalidParameterException("Invalid name. A secret name can't start with 'arn:'.");
  }
}

/**
 * A SecretId given as a name (not an ARN) with characters no name can have is refused as AWS
 * refuses it, before any lookup: the same ValidationException as CreateSecret's.
 */
export function assertValidSecretIdName(name: string): void {
  if (!name.startsWith("arn:") && !allowedName.test(name)) throw new ValidationException(invalidNameMessage);
}
