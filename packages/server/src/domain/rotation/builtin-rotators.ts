import { InvalidParameterException, ResourceNotFoundException } from "../../errors/catalog.js";
import { generateRandomPassword, type RandomPasswordParameters } from "../password.js";
import type { SecretReader } from "../secrets/secret-reader.js";
import type { SecretWriter } from "../secrets/secret-writer.js";
import { CURRENT } from "../secrets/stages.js";
import { builtinScopeOf, moveCurrentTo, parseObject } from "./builtin-steps.js";
import type { PostgresPort } from "./postgres-port.js";
import { postgresRotator } from "./postgres-rotators.js";
import { RotationStepError, type RotationStepEvent, type Rotator, type RotatorResolver } from "./rotator.js";

/**
 * Built-in rotators run in the server's process, through the domain (no network, no credentials).
 * `RotationLambdaARN` names one with an ARN in a partition AWS never uses, which Coffer reserves:
 *
 *     arn:coffer:rotation:::builtin/<name>        e.g. arn:coffer:rotation:::builtin/random-password
 *
 * Its parameters travel in `ExternalSecretRotationMetadata` (Key/Value pairs), validated when
 * RotateSecret stores them.
 */
export const builtinArnPrefix = "arn:coffer:rotation:::builtin/";
export const randomPasswordRotatorArn = `${builtinArnPrefix}random-password`;
export const postgresSingleUserRotatorArn = `${builtinArnPrefix}postgresql-single-user`;
export const postgresAlternatingUsersRotatorArn = `${builtinArnPrefix}postgresql-alternating-users`;
const builtinArns = [
  randomPasswordRotatorArn,
  postgresSingleUserRotatorArn,
  postgresAlternatingUsersRotatorArn,
];

const PENDING = "AWSPENDING";

/** GetRandomPassword's parameters, plus `PasswordKey`: the JSON field a JSON secret keeps its password in. */
const booleanKeys = [
  "ExcludeNumbers",
  "ExcludePunctuation",
  "ExcludeUppercase",
  "ExcludeLowercase",
  "IncludeSpace",
  "RequireEachIncludedType",
] as const;
const knownKeys = new Set<string>(["PasswordLength", "ExcludeCharacters", "PasswordKey", ...booleanKeys]);

export interface RandomPasswordConfig {
  password: RandomPasswordParameters;
  /** The JSON member replaced when the current value is a JSON object; default `password`. */
  passwordKey: string;
}

export function isBuiltinRotatorArn(arn: string): boolean {
  return arn.startsWith(builtinArnPrefix);
}

/**
 * Reads the random-password rotator's parameters from ExternalSecretRotationMetadata; throws
 * InvalidParameterException for an unknown key or a value that is not of its type (and, by
 * generating one password, for a combination GetRandomPassword refuses).
 */
export function randomPasswordConfig(
  metadata: ReadonlyArray<{ Key: string; Value: string }>,
): RandomPasswordConfig {
  return passwordConfig(metadata, randomPasswordRotatorArn, knownKeys);
}

/**
 * The PostgreSQL built-ins take GetRandomPassword's parameters (no PasswordKey: the RDS secret
 * structure keeps the password in `password`). Without ExcludeCharacters they exclude what AWS's
 * RDS rotation templates exclude by default: / @ " ' \ (characters a connection string or a
 * shell would need to escape).
 */
export const postgresDefaultExcludeCharacters = "/@\"'\\";
const postgresKeys = new Set<string>(["PasswordLength", "ExcludeCharacters", ...booleanKeys]);

export function postgresPasswordParameters(
  arn: string,
  metadata: ReadonlyArray<{ Key: string; Value: string }>,
): RandomPasswordParameters {
  const withDefault = metadata.some((m) => m.Key === "ExcludeCharacters")
    ? metadata
    : [...metadata, { Key: "ExcludeCharacters", Value: postgresDefaultExcludeCharacters }];
  return passwordConfig(withDefault, arn, postgresKeys).password;
}

function passwordConfig(
  metadata: ReadonlyArray<{ Key: string; Value: string }>,
  arn: string,
  keys: ReadonlySet<string>,
): RandomPasswordConfig {
  const password: RandomPasswordParameters = {};
  let passwordKey = "password";
  for (const { Key, Value } of metadata) {
    if (!keys.has(Key)) {
      throw new InvalidParameterException(
        `ExternalSecretRotationMetadata key ${Key} isn't a parameter of ${arn}. Use ${[...keys].join(", ")}.`,
      );
    }
    if (Key === "PasswordLength") {
      if (!/^[0-9]{1,4}$/.test(Value)) {
        throw new InvalidParameterException(
          "ExternalSecretRotationMetadata PasswordLength must be a number from 1 to 4096.",
        );
      }
      password.PasswordLength = Number(Value);
    } else if (Key === "ExcludeCharacters") {
      password.ExcludeCharacters = Value;
    } else if (Key === "PasswordKey") {
      passwordKey = Value;
    } else {
      if (Value !== "true" && Value !== "false") {
        throw new InvalidParameterException(`ExternalSecretRotationMetadata ${Key} must be true or false.`);
      }
      password[Key as (typeof booleanKeys)[number]] = Value === "true";
    }
  }
  generateRandomPassword(password); // refuses impossible combinations now, not at rotation time
  return { password, passwordKey };
}

/** Throws unless `arn` names a built-in and `metadata` are valid parameters for it. */
export function assertBuiltinConfig(
  arn: string,
  metadata: ReadonlyArray<{ Key: string; Value: string }>,
): void {
  if (arn === randomPasswordRotatorArn) {
    randomPasswordConfig(metadata);
    return;
  }
  if (arn === postgresSingleUserRotatorArn || arn === postgresAlternatingUsersRotatorArn) {
    postgresPasswordParameters(arn, metadata);
    return;
  }
  throw new ResourceNotFoundException(
    `Coffer has no built-in rotator ${arn}. The built-in rotators are: ${builtinArns.join(", ")}.`,
  );
}

/** How the built-ins reach secrets: the domain itself, as the server's own work (no caller). */
export interface BuiltinRotatorDeps {
  reader: SecretReader;
  writer: SecretWriter;
  /** The secret's stored ExternalSecretRotationMetadata (sealed with the row). */
  metadataOf(secretArn: string): Promise<ReadonlyArray<{ Key: string; Value: string }>>;
  /** The database driver of the PostgreSQL built-ins; without it they are not offered. */
  postgres?: PostgresPort | undefined;
}

export class BuiltinRotators implements RotatorResolver {
  private readonly rotators = new Map<string, Rotator>();

  constructor(deps: BuiltinRotatorDeps) {
    this.rotators.set(randomPasswordRotatorArn, randomPasswordRotator(deps));
    if (deps.postgres) {
      const pg = { ...deps, postgres: deps.postgres };
      const passwordFor = (arn: string) => async (secretArn: string) =>
        postgresPasswordParameters(arn, await deps.metadataOf(secretArn));
      this.rotators.set(
        postgresSingleUserRotatorArn,
        postgresRotator(
          pg,
          "single-user",
          postgresSingleUserRotatorArn,
          passwordFor(postgresSingleUserRotatorArn),
        ),
      );
      this.rotators.set(
        postgresAlternatingUsersRotatorArn,
        postgresRotator(
          pg,
          "alternating-users",
          postgresAlternatingUsersRotatorArn,
          passwordFor(postgresAlternatingUsersRotatorArn),
        ),
      );
    }
  }

  resolve(rotationLambdaArn: string): Rotator | undefined {
    return this.rotators.get(rotationLambdaArn);
  }
}

/**
 * The four steps as AWS's single-user rotation template performs them, with a random password as
 * the new credential: createSecret fills the AWSPENDING version (a JSON object keeps its other
 * members), setSecret has no external system to change, testSecret reads the pending value back,
 * finishSecret moves AWSCURRENT to it (AWSPREVIOUS follows).
 */
function randomPasswordRotator(deps: BuiltinRotatorDeps): Rotator {
  const scopeOf = builtinScopeOf;
  const steps = {
    async createSecret(event: RotationStepEvent) {
      const scope = scopeOf(event);
      const state = await deps.reader.describe(scope, event.SecretId);
      const version = state.versions.find((v) => v.versionId === event.ClientRequestToken);
      if (!version)
        throw new RotationStepError(
          "createSecret",
          `Version ${event.ClientRequestToken} has no stage for rotation.`,
        );
      try {
        await deps.reader.getValue(scope, { secretId: event.SecretId, versionId: event.ClientRequestToken });
        return; // filled by an earlier attempt: createSecret is idempotent
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
      const config = randomPasswordConfig(await deps.metadataOf(event.SecretId));
      const password = generateRandomPassword(config.password);
      let text = password;
      if (state.versions.some((v) => v.stages.includes(CURRENT))) {
        const current = await deps.reader.getValue(scope, {
          secretId: event.SecretId,
          versionStage: CURRENT,
        });
        const parsed =
          current.value.kind === "string" ? parseObject(current.value.bytes.toString("utf8")) : undefined;
        if (parsed) text = JSON.stringify({ ...parsed, [config.passwordKey]: password });
      }
      await deps.writer.putValue(scope, {
        secretId: event.SecretId,
        clientRequestToken: event.ClientRequestToken,
        value: { kind: "string", bytes: Buffer.from(text, "utf8") },
        stages: [PENDING],
      });
    },
    async setSecret() {
      // A random password changes nothing outside Coffer.
    },
    async testSecret(event: RotationStepEvent) {
      const read = await deps.reader.getValue(scopeOf(event), {
        secretId: event.SecretId,
        versionId: event.ClientRequestToken,
        versionStage: PENDING,
      });
      if (read.value.bytes.length === 0) {
        throw new RotationStepError(
          "testSecret",
          `The AWSPENDING version ${event.ClientRequestToken} is empty.`,
        );
      }
    },
    async finishSecret(event: RotationStepEvent) {
      await moveCurrentTo(deps, event);
    },
  };
  return {
    description: `builtin:random-password (${randomPasswordRotatorArn})`,
    async invoke(event) {
      try {
        await steps[event.Step](event);
      } catch (error) {
        if (error instanceof RotationStepError) throw error;
        throw new RotationStepError(event.Step, error instanceof Error ? error.message : String(error));
      }
    },
  };
}
