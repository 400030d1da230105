import { InvalidParameterException } from "../../errors/catalog.js";

const allowedName = /^[A-Za-z0-9/_+=.@-]+$/;

/** AWS's rule for secret names: ASCII letters, digits and `/_+=.@-`. */
export function assertValidSecretName(name: string): void {
  if (!allowedName.test(name)) {
    throw new InvalidParameterException(
      "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
    );
  }
  if (name.startsWith("arn:")) {
    throw new InvalidParameterException("Invalid name. A secret name can't start with 'arn:'.");
  }
}
