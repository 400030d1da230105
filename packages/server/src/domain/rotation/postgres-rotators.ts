import { createHash, createHmac, pbkdf2, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { ResourceNotFoundException } from "../../errors/catalog.js";
import { generateRandomPassword, type RandomPasswordParameters } from "../password.js";
import { parseSecretId } from "../secrets/arn.js";
import type { SecretReader } from "../secrets/secret-reader.js";
import type { SecretWriter } from "../secrets/secret-writer.js";
import { CURRENT } from "../secrets/stages.js";
import { builtinScopeOf, moveCurrentTo, parseObject } from "./builtin-steps.js";
import type { PostgresPort, PostgresSession, PostgresTarget } from "./postgres-port.js";
import { type RotationStep, RotationStepError, type RotationStepEvent, type Rotator } from "./rotator.js";

/**
 * The PostgreSQL built-ins, with the behaviour and the secret structure of AWS's RDS rotation
 * templates (SecretsManagerRDSPostgreSQLRotationSingleUser / …MultiUser):
 *
 *     {"engine": "postgres", "host": "…", "port": 5432, "username": "…", "password": "…",
 *      "dbname": "…", "ssl": true|false (optional), "masterarn": "…" (alternating users)}
 *
 * - single-user: the user changes its own password (connected with the pending password if it is
 *   already set, else the current one, else the previous one);
 * - alternating-users: a superuser (the secret `masterarn` names) sets the password of the other
 *   of two users, `<username>` and `<username>_clone`, creating the clone on first use with the
 *   original user's role as its one membership (as AWS's template does: `GRANT <user> TO <clone>`).
 *   The current user is never touched, so clients holding the previous generation keep working.
 *
 * The master secret is read through the domain as the server's own work, so it must opt in
 * ({@link masterTagKey}); see docs/rotation.md "PostgreSQL".
 */

export type PostgresStrategy = "single-user" | "alternating-users";

/**
 * A master secret lends its credentials only to the secrets it names in this tag: a space-separated
 * list of secret names; an entry ending in `/` names every secret under that path.
 */
export const masterTagKey = "coffer:rotation-master-for";

const PENDING = "AWSPENDING";
const PREVIOUS = "AWSPREVIOUS";
const supportedEngines = new Set(["postgres", "aurora-postgresql"]);
const cloneSuffix = "_clone";
/** PostgreSQL's NAMEDATALEN - 1. */
const maxIdentifierBytes = 63;

interface PostgresSecret {
  engine: string;
  host: string;
  port: number;
  username: string;
  password: string;
  dbname: string;
  /** As the templates' get_ssl_config: no `ssl` (or an unknown value) tries TLS then falls back. */
  tls: boolean;
  fallBack: boolean;
  masterarn?: string | undefined;
  fields: Record<string, unknown>;
}

export interface PostgresRotatorDeps {
  reader: SecretReader;
  writer: SecretWriter;
  postgres: PostgresPort;
}

export function postgresRotator(
  deps: PostgresRotatorDeps,
  strategy: PostgresStrategy,
  arn: string,
  passwordParameters: (secretArn: string) => Promise<RandomPasswordParameters>,
): Rotator {
  const read = async (
    step: RotationStep,
    event: RotationStepEvent,
    selector: { versionStage: string; versionId?: string | undefined },
    secretId = event.SecretId,
  ): Promise<PostgresSecret | undefined> => {
    try {
      const value = await deps.reader.getValue(builtinScopeOf(event), { secretId, ...selector });
      return parseSecret(
        step,
        value.value.kind === "string" ? value.value.bytes.toString("utf8") : "",
        selector,
      );
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  };
  const readRequired = async (
    step: RotationStep,
    event: RotationStepEvent,
    selector: { versionStage: string; versionId?: string | undefined },
  ): Promise<PostgresSecret> => {
    const secret = await read(step, event, selector);
    if (!secret) {
      throw new RotationStepError(step, `The secret has no ${selector.versionStage} version to rotate from.`);
    }
    return secret;
  };
  const pendingOf = (event: RotationStepEvent) => ({
    versionStage: PENDING,
    versionId: event.ClientRequestToken,
  });

  const steps = {
    async createSecret(event: RotationStepEvent) {
      const current = await readRequired("createSecret", event, { versionStage: CURRENT });
      if (await hasVersion(deps, event)) return; // filled by an earlier attempt: idempotent
      const username =
        strategy === "alternating-users" ? alternateUsername(current.username) : current.username;
      const password = generateRandomPassword(await passwordParameters(event.SecretId));
      await deps.writer.putValue(builtinScopeOf(event), {
        secretId: event.SecretId,
        clientRequestToken: event.ClientRequestToken,
        value: {
          kind: "string",
          bytes: Buffer.from(JSON.stringify({ ...current.fields, username, password }), "utf8"),
        },
        stages: [PENDING],
      });
    },

    async setSecret(event: RotationStepEvent) {
      const current = await readRequired("setSecret", event, { versionStage: CURRENT });
      const pending = await readRequired("setSecret", event, pendingOf(event));
      const already = await tryConnect(deps.postgres, pending);
      if (already.session) {
        await already.session.close();
        return; // the pending password is already set
      }
      const expected =
        strategy === "alternating-users" ? alternateUsername(current.username) : current.username;
      if (pending.username !== expected) {
        throw new RotationStepError(
          "setSecret",
          `Attempting to modify user ${pending.username} other than ${strategy === "alternating-users" ? "the clone of " : ""}current user ${current.username}.`,
        );
      }
      if (pending.host !== current.host) {
        throw new RotationStepError(
          "setSecret",
          `Attempting to modify user for host ${pending.host} other than current host ${current.host}.`,
        );
      }
      if (strategy === "single-user") {
        await setOwnPassword(event, current, pending);
      } else {
        await setWithMaster(event, current, pending);
      }
    },

    async testSecret(event: RotationStepEvent) {
      const pending = await readRequired("testSecret", event, pendingOf(event));
      const attempt = await tryConnect(deps.postgres, pending);
      if (!attempt.session) {
        throw new RotationStepError(
          "testSecret",
          `Unable to log into the database with the pending secret: ${attempt.reason}`,
        );
      }
      try {
        await attempt.session.query("SELECT NOW()");
      } finally {
        await attempt.session.close();
      }
    },

    async finishSecret(event: RotationStepEvent) {
      await moveCurrentTo(deps, event);
    },
  };

  /** Single user: log in as the user (current password, else previous) and change its own password. */
  async function setOwnPassword(event: RotationStepEvent, current: PostgresSecret, pending: PostgresSecret) {
    let attempt = await tryConnect(deps.postgres, current);
    if (!attempt.session) {
      const previous = await read("setSecret", event, { versionStage: PREVIOUS });
      if (previous && previous.username === pending.username && previous.host === pending.host) {
        const second = await tryConnect(deps.postgres, previous);
        if (second.session) attempt = second;
      }
    }
    if (!attempt.session) {
      throw new RotationStepError(
        "setSecret",
        `Unable to log into the database with the current or previous secret: ${attempt.reason}`,
      );
    }
    try {
      await setPassword(attempt.session, pending.username, pending.password);
    } finally {
      await attempt.session.close();
    }
  }

  /** Alternating users: the current user must log in (no confused deputy), then the master acts. */
  async function setWithMaster(event: RotationStepEvent, current: PostgresSecret, pending: PostgresSecret) {
    const check = await tryConnect(deps.postgres, current);
    if (!check.session) {
      throw new RotationStepError(
        "setSecret",
        `Unable to log into the database with the current secret: ${check.reason}`,
      );
    }
    await check.session.close();
    if (!current.masterarn) {
      throw new RotationStepError(
        "setSecret",
        "The current secret has no masterarn (the superuser's secret).",
      );
    }
    const master = await readMaster(event, current.masterarn);
    if (master.host !== current.host) {
      throw new RotationStepError(
        "setSecret",
        `Current database host ${current.host} is not the same host as master ${master.host}.`,
      );
    }
    if (master.username === current.username || master.username === pending.username) {
      throw new RotationStepError(
        "setSecret",
        `The master secret's user ${master.username} can't be one of the two users this secret alternates.`,
      );
    }
    const attempt = await tryConnect(deps.postgres, { ...master, dbname: current.dbname });
    if (!attempt.session) {
      throw new RotationStepError(
        "setSecret",
        `Unable to log into the database with the master secret ${current.masterarn}: ${attempt.reason}`,
      );
    }
    const session = attempt.session;
    try {
      const exists = await session.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [pending.username]);
      if (exists.length === 0) {
        const [names] = await session.query("SELECT quote_ident($1) AS pending, quote_ident($2) AS current", [
          pending.username,
          current.username,
        ]);
        const verifier = await session.query("SELECT quote_literal($1) AS v", [
          await scramVerifier(pending.password),
        ]);
        await session.query("BEGIN");
        try {
          await session.query(`CREATE ROLE ${names?.pending} WITH LOGIN PASSWORD ${verifier[0]?.v}`);
          await session.query(`GRANT ${names?.current} TO ${names?.pending}`);
          await session.query("COMMIT");
        } catch (error) {
          await session.query("ROLLBACK").catch(() => {});
          throw error;
        }
      } else {
        await setPassword(session, pending.username, pending.password);
      }
    } finally {
      await session.close();
    }
  }

  /**
   * The master secret, read as the server's own work: same region as the rotated secret, and it
   * must name the rotated secret in its {@link masterTagKey} tag (a user who may write this secret's
   * value could otherwise borrow any superuser's credentials).
   */
  async function readMaster(event: RotationStepEvent, masterArn: string): Promise<PostgresSecret> {
    const scope = builtinScopeOf(event);
    const masterId = parseSecretId(masterArn);
    if (masterId.kind === "arn" && masterId.region !== scope.region) {
      throw new RotationStepError("setSecret", `The master secret ${masterArn} is in another region.`);
    }
    const [self, master] = await Promise.all([
      deps.reader.describe(scope, event.SecretId),
      deps.reader.describe(scope, masterArn).catch((error: unknown) => {
        if (error instanceof ResourceNotFoundException) {
          throw new RotationStepError("setSecret", `The master secret ${masterArn} doesn't exist.`);
        }
        throw error;
      }),
    ]);
    if (master.secret.arn === self.secret.arn) {
      throw new RotationStepError("setSecret", "The master secret can't be the secret being rotated.");
    }
    const allowed = master.secret.tags.find((t) => t.Key === masterTagKey)?.Value ?? "";
    if (!namesSecret(allowed, self.secret.name)) {
      throw new RotationStepError(
        "setSecret",
        `The master secret ${master.secret.arn} doesn't lend its credentials to ${self.secret.name}: tag it ${masterTagKey}=${self.secret.name}.`,
      );
    }
    const secret = await read("setSecret", event, { versionStage: CURRENT }, master.secret.arn);
    if (!secret)
      throw new RotationStepError("setSecret", `The master secret ${masterArn} has no AWSCURRENT value.`);
    return secret;
  }

  return {
    description: `builtin:postgresql-${strategy} (${arn})`,
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

/** `ALTER ROLE … WITH PASSWORD …`, the name and the verifier quoted by the server itself. */
async function setPassword(session: PostgresSession, username: string, password: string): Promise<void> {
  const [quoted] = await session.query("SELECT quote_ident($1) AS name, quote_literal($2) AS verifier", [
    username,
    await scramVerifier(password),
  ]);
  await session.query(`ALTER ROLE ${quoted?.name} WITH PASSWORD ${quoted?.verifier}`);
}

const pbkdf2Async = promisify(pbkdf2);

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677, PostgreSQL's
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`): the password itself never travels
 * in a statement, so a server's statement log (log_statement, log_min_error_statement) can't show
 * it. GetRandomPassword's passwords are printable ASCII, which SASLprep leaves unchanged.
 */
export async function scramVerifier(password: string): Promise<string> {
  const iterations = 4096;
  const salt = randomBytes(16);
  const salted = await pbkdf2Async(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** `user` ⇄ `user_clone`, as the multi-user template's get_alt_username. */
export function alternateUsername(username: string): string {
  if (username.endsWith(cloneSuffix)) return username.slice(0, -cloneSuffix.length);
  const clone = `${username}${cloneSuffix}`;
  if (Buffer.byteLength(clone, "utf8") > maxIdentifierBytes) {
    throw new RotationStepError(
      "createSecret",
      `Unable to clone user ${username}: ${clone} is longer than PostgreSQL's ${maxIdentifierBytes} bytes.`,
    );
  }
  return clone;
}

export function namesSecret(tagValue: string, secretName: string): boolean {
  return tagValue
    .split(" ")
    .filter((entry) => entry !== "")
    .some((entry) => (entry.endsWith("/") ? secretName.startsWith(entry) : secretName === entry));
}

async function hasVersion(deps: PostgresRotatorDeps, event: RotationStepEvent): Promise<boolean> {
  try {
    await deps.reader.getValue(builtinScopeOf(event), {
      secretId: event.SecretId,
      versionId: event.ClientRequestToken,
    });
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

type Attempt = { session: PostgresSession; reason?: undefined } | { session?: undefined; reason: string };

/** Connects as the secret says (TLS first, plain if the secret allows the fall-back); never throws. */
async function tryConnect(port: PostgresPort, secret: PostgresSecret): Promise<Attempt> {
  const target = (tls: boolean): PostgresTarget => ({
    host: secret.host,
    port: secret.port,
    database: secret.dbname,
    user: secret.username,
    password: secret.password,
    tls,
  });
  try {
    return { session: await port.connect(target(secret.tls)) };
  } catch (error) {
    if (secret.tls && secret.fallBack) {
      try {
        return { session: await port.connect(target(false)) };
      } catch (second) {
        return { reason: messageOf(second) };
      }
    }
    return { reason: messageOf(error) };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The RDS secret structure; every error names the field, never its value (the password). */
function parseSecret(step: RotationStep, text: string, selector: { versionStage: string }): PostgresSecret {
  const fields = parseObject(text);
  const where = `The ${selector.versionStage} secret`;
  if (!fields) throw new RotationStepError(step, `${where} is not a JSON object.`);
  for (const key of ["engine", "host", "username", "password"]) {
    if (typeof fields[key] !== "string" || fields[key] === "") {
      throw new RotationStepError(step, `${where} has no ${key} (a non-empty string).`);
    }
  }
  const engine = fields.engine as string;
  if (!supportedEngines.has(engine)) {
    throw new RotationStepError(
      step,
      `${where}'s engine must be postgres (or aurora-postgresql) to use this rotation function.`,
    );
  }
  const rawPort = fields.port ?? 5432;
  const port = typeof rawPort === "string" && /^[0-9]{1,5}$/.test(rawPort) ? Number(rawPort) : rawPort;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RotationStepError(step, `${where}'s port must be a number from 1 to 65535.`);
  }
  const dbname = fields.dbname === undefined || fields.dbname === null ? "postgres" : fields.dbname;
  if (typeof dbname !== "string") throw new RotationStepError(step, `${where}'s dbname must be a string.`);
  const masterarn = fields.masterarn;
  if (masterarn !== undefined && typeof masterarn !== "string") {
    throw new RotationStepError(step, `${where}'s masterarn must be a string.`);
  }
  return {
    engine,
    host: fields.host as string,
    port,
    username: fields.username as string,
    password: fields.password as string,
    dbname,
    ...sslConfig(fields.ssl),
    masterarn,
    fields,
  };
}

/** The templates' get_ssl_config: absent or unknown → TLS with fall-back; a boolean or "true"/"false" → exactly that. */
function sslConfig(ssl: unknown): { tls: boolean; fallBack: boolean } {
  if (typeof ssl === "boolean") return { tls: ssl, fallBack: false };
  if (typeof ssl === "string") {
    if (ssl.toLowerCase() === "true") return { tls: true, fallBack: false };
    if (ssl.toLowerCase() === "false") return { tls: false, fallBack: false };
  }
  return { tls: true, fallBack: true };
}
