import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  postgresAlternatingUsersRotatorArn,
  postgresSingleUserRotatorArn,
} from "../../domain/rotation/builtin-rotators.js";
import type { PostgresPort, PostgresTarget } from "../../domain/rotation/postgres-port.js";
import { alternateUsername, masterTagKey, namesSecret } from "../../domain/rotation/postgres-rotators.js";
import { rotationDomain, scope, text } from "../../storage/sqlite/rotation-fixture.test-helper.js";
import { type PostgresKit, postgresKit, requirePostgres } from "../../testing/postgres.js";
import { PgPostgresPort } from "./pg-port.js";

/**
 * The PostgreSQL built-ins through the rotation domain (the engine runs the four steps) against the
 * machine's real PostgreSQL: each test creates its own database and users with random names and
 * drops them at the end.
 */

const available = requirePostgres();

/** The real driver, recording each connection attempt; `sabotage` makes ALTER ROLE do nothing. */
class ObservedPort implements PostgresPort {
  readonly attempts: Array<{ user: string; tls: boolean }> = [];
  sabotage = false;
  private readonly inner = new PgPostgresPort();

  async connect(target: PostgresTarget) {
    this.attempts.push({ user: target.user, tls: target.tls });
    const session = await this.inner.connect(target);
    return {
      query: async (sql: string, params?: readonly unknown[]) =>
        this.sabotage && sql.startsWith("ALTER ROLE") ? [] : session.query(sql, params),
      close: () => session.close(),
    };
  }
}

test("alternateUsername and the master tag's names", () => {
  assert.equal(alternateUsername("app"), "app_clone");
  assert.equal(alternateUsername("app_clone"), "app");
  assert.throws(() => alternateUsername("a".repeat(58)), /longer than PostgreSQL's 63 bytes/);
  assert.equal(alternateUsername("a".repeat(57)), `${"a".repeat(57)}_clone`);
  assert.equal(namesSecret("prod/app other", "prod/app"), true);
  assert.equal(namesSecret("prod/ other", "prod/db/app"), true);
  assert.equal(namesSecret("prod/app", "prod/app2"), false);
  assert.equal(namesSecret("", "prod/app"), false);
});

test("RotateSecret checks the PostgreSQL built-ins' parameters when it stores them", async () => {
  const d = rotationDomain({ postgres: new ObservedPort() });
  await d.writer.create(scope, { name: "db", value: text("{}") });
  await assert.rejects(
    d.service.rotate(scope, {
      secretId: "db",
      rotationLambdaArn: postgresSingleUserRotatorArn,
      externalMetadata: [{ Key: "PasswordKey", Value: "pw" }],
    }),
    {
      name: "InvalidParameterException",
      message: /key PasswordKey isn't a parameter of .*postgresql-single-user/,
    },
  );
});

describe("PostgreSQL rotators against a real PostgreSQL", { skip: available.skip }, () => {
  let kit: PostgresKit;
  before(async () => {
    kit = await postgresKit();
  });
  after(async () => {
    await kit?.close();
  });

  /** A database and a login user with a known password; `cleanup` drops them (and the clone). */
  async function database() {
    const dbname = kit.name("coffer_db");
    const username = kit.name("app");
    const password = randomBytes(12).toString("hex");
    await kit.sql(`CREATE DATABASE ${dbname}`);
    await kit.sql(`CREATE ROLE ${username} WITH LOGIN PASSWORD '${password}'`);
    const login = (user: string, pw: string) => ({
      host: "127.0.0.1",
      port: kit.admin.port,
      user,
      password: pw,
      database: dbname,
    });
    const secret = {
      engine: "postgres",
      host: "127.0.0.1",
      port: kit.admin.port,
      username,
      password,
      dbname,
    };
    return {
      dbname,
      username,
      password,
      secret,
      login,
      async cleanup() {
        await kit.sql(`DROP DATABASE IF EXISTS ${dbname} WITH (FORCE)`);
        await kit.sql(`DROP ROLE IF EXISTS ${username}_clone`);
        await kit.sql(`DROP ROLE IF EXISTS ${username}`);
      },
    };
  }

  test("single user: the new password works, the old one stops working; again from the rotated one", async () => {
    const db = await database();
    try {
      const port = new ObservedPort();
      const d = rotationDomain({ postgres: port });
      const created = await d.writer.create(scope, {
        name: "pg/app",
        value: text(JSON.stringify(db.secret)),
      });
      const first = await d.service.rotate(scope, {
        secretId: "pg/app",
        rotationLambdaArn: postgresSingleUserRotatorArn,
        externalMetadata: [{ Key: "PasswordLength", Value: "40" }],
      });
      await d.service.settled();
      const { secret } = await d.reader.describe(scope, "pg/app");
      assert.equal(secret.rotation?.run?.outcome, "succeeded", secret.rotation?.run?.message);
      assert.deepEqual(await d.labels("pg/app"), {
        [first.versionId]: ["AWSCURRENT"],
        [created.versionId as string]: ["AWSPREVIOUS"],
      });
      const current = JSON.parse(await d.value("pg/app"));
      assert.deepEqual({ ...current, password: "" }, { ...db.secret, password: "" });
      assert.equal(current.password.length, 40);
      assert.doesNotMatch(current.password, /[/@"'\\]/, "AWS's template's default exclusions");
      assert.equal(await kit.canLogin(db.login(db.username, current.password)), true);
      assert.equal(await kit.canLogin(db.login(db.username, db.password)), false);
      // No `ssl` in the secret: TLS first, then (this server has none) the plain fall-back.
      assert.deepEqual(port.attempts.slice(0, 2), [
        { user: db.username, tls: true },
        { user: db.username, tls: false },
      ]);

      const second = await d.service.rotate(scope, { secretId: "pg/app" });
      await d.service.settled();
      const next = JSON.parse(await d.value("pg/app"));
      assert.equal((await d.reader.getValue(scope, { secretId: "pg/app" })).versionId, second.versionId);
      assert.notEqual(next.password, current.password);
      assert.equal(await kit.canLogin(db.login(db.username, next.password)), true);
      assert.equal(await kit.canLogin(db.login(db.username, current.password)), false);
    } finally {
      await db.cleanup();
    }
  });

  test("single user: a failing testSecret leaves the old password current and working", async () => {
    const db = await database();
    try {
      const port = new ObservedPort();
      port.sabotage = true; // setSecret "succeeds" without changing the password
      const d = rotationDomain({ postgres: port });
      const created = await d.writer.create(scope, {
        name: "pg/app",
        value: text(JSON.stringify(db.secret)),
      });
      const rotated = await d.service.rotate(scope, {
        secretId: "pg/app",
        rotationLambdaArn: postgresSingleUserRotatorArn,
      });
      await d.service.settled();
      const { secret } = await d.reader.describe(scope, "pg/app");
      assert.equal(secret.rotation?.run?.outcome, "failed");
      assert.equal(secret.rotation?.run?.step, "testSecret");
      assert.match(
        secret.rotation?.run?.message ?? "",
        /^Unable to log into the database with the pending secret: /,
      );
      const pending = JSON.parse(await d.value("pg/app", { versionStage: "AWSPENDING" }));
      assert.ok(
        !(secret.rotation?.run?.message ?? "").includes(pending.password),
        "no password in the message",
      );
      assert.deepEqual(await d.labels("pg/app"), {
        [created.versionId as string]: ["AWSCURRENT"],
        [rotated.versionId]: ["AWSPENDING"],
      });
      assert.equal(JSON.parse(await d.value("pg/app")).password, db.password);
      assert.equal(await kit.canLogin(db.login(db.username, db.password)), true);
      assert.equal(await kit.canLogin(db.login(db.username, pending.password)), false);
    } finally {
      await db.cleanup();
    }
  });

  test("single user: ssl=true against a server without TLS fails setSecret, names no password, changes nothing", async () => {
    const db = await database();
    try {
      const d = rotationDomain({ postgres: new ObservedPort() });
      const created = await d.writer.create(scope, {
        name: "pg/app",
        value: text(JSON.stringify({ ...db.secret, ssl: true })),
      });
      await d.service.rotate(scope, { secretId: "pg/app", rotationLambdaArn: postgresSingleUserRotatorArn });
      await d.service.settled();
      const { secret } = await d.reader.describe(scope, "pg/app");
      assert.equal(secret.rotation?.run?.outcome, "failed");
      assert.equal(secret.rotation?.run?.step, "setSecret");
      const message = secret.rotation?.run?.message ?? "";
      assert.match(message, /over TLS: The server does not support SSL connections/);
      assert.ok(!message.includes(db.password));
      assert.equal((await d.reader.getValue(scope, { secretId: "pg/app" })).versionId, created.versionId);
      assert.equal(await kit.canLogin(db.login(db.username, db.password)), true);
    } finally {
      await db.cleanup();
    }
  });

  /** The superuser's secret, lending its credentials to `pg/app` through its tag. */
  async function masterSecret(d: ReturnType<typeof rotationDomain>, tag: string | undefined) {
    const value = {
      engine: "postgres",
      host: "127.0.0.1",
      port: kit.admin.port,
      username: kit.admin.user,
      password: kit.admin.password,
    };
    return d.writer.create(scope, {
      name: "pg/master",
      value: text(JSON.stringify(value)),
      ...(tag !== undefined ? { tags: [{ Key: masterTagKey, Value: tag }] } : {}),
    });
  }

  test("alternating users: user and user_clone take turns, each keeps working for the previous generation", async () => {
    const db = await database();
    try {
      await kit.sql(`CREATE TABLE notes (id int)`, [], db.dbname);
      await kit.sql(`GRANT SELECT ON notes TO ${db.username}`, [], db.dbname);
      const d = rotationDomain({ postgres: new ObservedPort() });
      const master = await masterSecret(d, "pg/app");
      await d.writer.create(scope, {
        name: "pg/app",
        value: text(JSON.stringify({ ...db.secret, masterarn: master.arn })),
      });
      await d.service.rotate(scope, {
        secretId: "pg/app",
        rotationLambdaArn: postgresAlternatingUsersRotatorArn,
      });
      await d.service.settled();
      const run1 = (await d.reader.describe(scope, "pg/app")).secret.rotation?.run;
      assert.equal(run1?.outcome, "succeeded", run1?.message);
      const gen1 = JSON.parse(await d.value("pg/app"));
      assert.equal(gen1.username, `${db.username}_clone`);
      assert.equal(gen1.masterarn, master.arn);
      assert.equal(await kit.canLogin(db.login(gen1.username, gen1.password)), true);
      assert.equal(
        await kit.canLogin(db.login(db.username, db.password)),
        true,
        "the previous user still works",
      );
      // The clone is a member of the original role, as AWS's template grants it (and so reads its tables).
      const members = await kit.sql(
        "SELECT r.rolname AS role FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1",
        [gen1.username],
      );
      assert.deepEqual(members, [{ role: db.username }]);

      await d.service.rotate(scope, { secretId: "pg/app" });
      await d.service.settled();
      const gen2 = JSON.parse(await d.value("pg/app"));
      assert.equal(gen2.username, db.username);
      assert.notEqual(gen2.password, db.password);
      assert.equal(await kit.canLogin(db.login(db.username, gen2.password)), true);
      assert.equal(await kit.canLogin(db.login(db.username, db.password)), false, "two generations back");
      assert.equal(
        await kit.canLogin(db.login(gen1.username, gen1.password)),
        true,
        "the previous user still works",
      );

      await d.service.rotate(scope, { secretId: "pg/app" });
      await d.service.settled();
      const gen3 = JSON.parse(await d.value("pg/app"));
      assert.equal(gen3.username, gen1.username);
      assert.equal(await kit.canLogin(db.login(gen3.username, gen3.password)), true);
      assert.equal(await kit.canLogin(db.login(gen1.username, gen1.password)), false);
      assert.equal(await kit.canLogin(db.login(db.username, gen2.password)), true);
      // The master secret was only read.
      assert.equal(JSON.parse(await d.value("pg/master")).password, kit.admin.password);
    } finally {
      await db.cleanup();
    }
  });

  test("alternating users: a master secret that doesn't name this secret is refused; nothing changes", async () => {
    const db = await database();
    try {
      const d = rotationDomain({ postgres: new ObservedPort() });
      const master = await masterSecret(d, "pg/other pg/app2");
      const created = await d.writer.create(scope, {
        name: "pg/app",
        value: text(JSON.stringify({ ...db.secret, masterarn: master.arn })),
      });
      await d.service.rotate(scope, {
        secretId: "pg/app",
        rotationLambdaArn: postgresAlternatingUsersRotatorArn,
      });
      await d.service.settled();
      const run = (await d.reader.describe(scope, "pg/app")).secret.rotation?.run;
      assert.equal(run?.outcome, "failed");
      assert.equal(run?.step, "setSecret");
      assert.match(
        run?.message ?? "",
        /doesn't lend its credentials to pg\/app: tag it coffer:rotation-master-for=pg\/app/,
      );
      assert.ok(!(run?.message ?? "").includes(kit.admin.password));
      assert.equal((await d.reader.getValue(scope, { secretId: "pg/app" })).versionId, created.versionId);
      assert.deepEqual(
        await kit.sql("SELECT 1 FROM pg_roles WHERE rolname = $1", [`${db.username}_clone`]),
        [],
      );
      assert.equal(await kit.canLogin(db.login(db.username, db.password)), true);
    } finally {
      await db.cleanup();
    }
  });

  test("alternating users: a failing testSecret (the clone may not log in) leaves the current user current and working", async () => {
    const db = await database();
    try {
      await kit.sql(`CREATE ROLE ${db.username}_clone WITH NOLOGIN`);
      const d = rotationDomain({ postgres: new ObservedPort() });
      const master = await masterSecret(d, "pg/");
      const created = await d.writer.create(scope, {
        name: "pg/app",
        value: text(JSON.stringify({ ...db.secret, masterarn: master.arn })),
      });
      const rotated = await d.service.rotate(scope, {
        secretId: "pg/app",
        rotationLambdaArn: postgresAlternatingUsersRotatorArn,
      });
      await d.service.settled();
      const run = (await d.reader.describe(scope, "pg/app")).secret.rotation?.run;
      assert.equal(run?.outcome, "failed");
      assert.equal(run?.step, "testSecret");
      assert.match(run?.message ?? "", /is not permitted to log in/);
      assert.deepEqual(await d.labels("pg/app"), {
        [created.versionId as string]: ["AWSCURRENT"],
        [rotated.versionId]: ["AWSPENDING"],
      });
      assert.equal(JSON.parse(await d.value("pg/app")).username, db.username);
      assert.equal(await kit.canLogin(db.login(db.username, db.password)), true);
    } finally {
      await db.cleanup();
    }
  });
});
