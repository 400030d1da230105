import { generateRandomPassword } from "../domain/password.js";
import type { Operation } from "./operation.js";

export const getRandomPassword: Operation = async (raw) => ({
  RandomPassword: generateRandomPassword(raw as Parameters<typeof generateRandomPassword>[0]),
});
