import { generateRandomPassword } from "../domain/password.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const getRandomPassword = typedOperation<WireInput<"GetRandomPassword">>(async (input) => ({
  RandomPassword: generateRandomPassword(input),
}));
