import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { requireTool } from "../testing/real-clients.js";
import { runPythonJson } from "../testing/run-python.js";
import { type ServerProcess, startServerProcess } from "../testing/server-process.js";

/**
 * ListSecrets filters through boto3 against a real Coffer server: the cases AWS's recorded answers
 * settle (LocalStack's AWS-validated test_list_secrets_filtering), the user guide's examples, and the
 * errors for a filter without Key or Values, an unknown key and too many values. One Python run
 * creates the secrets and prints every outcome; the tests assert on them.
 */

const { skip, python } = requireTool("boto3");

const script = `
import json, os
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

def client(parameter_validation=True):
    config = Config(retries={"total_max_attempts": 1}, parameter_validation=parameter_validation)
    return boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        region_name=os.environ["AWS_REGION"], config=config)

sm = client()
raw = client(parameter_validation=False)

def names(**kwargs):
    out, token = [], None
    while True:
        page = sm.list_secrets(**kwargs, **({"NextToken": token} if token else {}))
        out += [s["Name"] for s in page["SecretList"]]
        token = page.get("NextToken")
        if not token:
            return out

def error(fn, **kwargs):
    try:
        fn(**kwargs)
        return None
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message"),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}

for name, description, tags in [
    ("testing1/one", "a secret", [{"Key": "Production", "Value": "Team-Data"}]),
    ("/testing2/two", "an secret", [{"Key": "Prod1", "Value": "x"}]),
    ("testing3/three", "asecret", [{"Key": "prod", "Value": "y"}]),
    ("/testing4/four", "thesecret", [{"Key": "1 Prod", "Value": ""}]),
    ("DatabaseSecret", "My basic description", []),
    ("databaseSecret", "Description of my secret", []),
]:
    sm.create_secret(Name=name, SecretString="x", Description=description, Tags=tags)

F = lambda key, *values: {"Filters": [{"Key": key, "Values": list(values)}]}
print(json.dumps({
    "name/": names(**F("name", "/")),
    "name!/": names(**F("name", "!/")),
    "nameWords": names(**F("name", "testing1 one")),
    "nameData": names(**F("name", "Data")),
    "descA": names(**F("description", "a")),
    "desc!A": names(**F("description", "!a")),
    "descASecret": names(**F("description", "a secret")),
    "desc!C": names(**F("description", "!c")),
    "descMyDescription": names(**F("description", "My Description")),
    "descAnd": names(Filters=[{"Key": "description", "Values": ["a"]}, {"Key": "name", "Values": ["an"]}]),
    "tagKeyProd": names(**F("tag-key", "Prod")),
    "tagValueEmpty": names(**F("tag-value", "")),
    "allTeam": names(**F("all", "TEAM data")),
    "allOr": names(**F("all", "four", "three")),
    "allOneField": names(**F("all", "my secret")),
    "allTwoFields": names(**F("all", "one secret")),
    "orNegated": names(**F("description", "an", "!secret")),
    "owning": names(**F("owning-service", "rds")),
    "region": names(**F("primary-region", os.environ["AWS_REGION"][:3])),
    "asc": names(**F("name", "testing"), SortOrder="asc"),
    "default": names(**F("name", "testing")),
    "byName": names(**F("name", "testing"), SortBy="name", SortOrder="asc"),
    "noKey": error(raw.list_secrets, Filters=[{"Values": ["x"]}]),
    "noValues": error(raw.list_secrets, Filters=[{"Key": "description"}]),
    "emptyValues": error(raw.list_secrets, Filters=[{"Key": "name", "Values": []}]),
    "unknownKey": error(raw.list_secrets, Filters=[{"Key": "invalid", "Values": ["x"]}]),
    "tooManyValues": error(raw.list_secrets, Filters=[{"Key": "name", "Values": ["v"] * 11}]),
    "badValue": error(raw.list_secrets, Filters=[{"Key": "name", "Values": ["a;b"]}]),
}))
`;

// biome-ignore lint/suspicious/noExplicitAny: script output is asserted on field by field.
let out: any;
let server: ServerProcess;
let home: string;

describe("ListSecrets filters through boto3", { skip }, () => {
  before(async () => {
    server = await startServerProcess();
    home = mkdtempSync(join(tmpdir(), "coffer-filters-home-"));
    out = await runPythonJson(python, script, { ...server.clientEnv, HOME: home });
  });
  after(async () => {
    await server?.stop();
    server?.cleanup();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const sorted = (list: string[]) => [...list].sort();

  test("name: a case-sensitive prefix of the whole name, ! negates it, no word splitting", () => {
    assert.deepEqual(sorted(out["name/"]), ["/testing2/two", "/testing4/four"]);
    assert.deepEqual(sorted(out["name!/"]), [
      "DatabaseSecret",
      "databaseSecret",
      "testing1/one",
      "testing3/three",
    ]);
    assert.deepEqual(out.nameWords, []);
    assert.deepEqual(out.nameData, ["DatabaseSecret"]);
  });

  test("description: every word of the value starts a word of the description, any case", () => {
    assert.deepEqual(sorted(out.descA), ["/testing2/two", "testing1/one", "testing3/three"]);
    assert.deepEqual(sorted(out["desc!A"]), ["/testing4/four", "DatabaseSecret", "databaseSecret"]);
    assert.deepEqual(sorted(out.descASecret), ["/testing2/two", "testing1/one"]);
    assert.equal(out["desc!C"].length, 6);
    assert.deepEqual(sorted(out.descMyDescription), ["DatabaseSecret", "databaseSecret"]);
    assert.deepEqual(out.descAnd, []);
  });

  test("tags are case-sensitive prefixes; all searches words everywhere; values are alternatives", () => {
    assert.deepEqual(sorted(out.tagKeyProd), ["/testing2/two", "testing1/one"]);
    assert.deepEqual(sorted(out.tagValueEmpty), [
      "/testing2/two",
      "/testing4/four",
      "testing1/one",
      "testing3/three",
    ]);
    assert.deepEqual(out.allTeam, ["testing1/one"]);
    assert.deepEqual(sorted(out.allOr), ["/testing4/four", "testing3/three"]);
    // Every word within one attribute: "my" and "secret" are both in one description only.
    assert.deepEqual(out.allOneField, ["databaseSecret"]);
    assert.deepEqual(out.allTwoFields, []);
    // "an" holds for /testing2/two; "!secret" for every description without a word starting "secret".
    assert.deepEqual(sorted(out.orNegated), [
      "/testing2/two",
      "/testing4/four",
      "DatabaseSecret",
      "testing3/three",
    ]);
    assert.deepEqual(out.owning, []);
    assert.equal(out.region.length, 6);
  });

  test("newest first by default; SortOrder asc and SortBy name", () => {
    assert.deepEqual(out.asc, ["testing1/one", "testing3/three"]);
    assert.deepEqual(out.default, ["testing3/three", "testing1/one"]);
    assert.deepEqual(out.byName, ["testing1/one", "testing3/three"]);
  });

  test("AWS's errors for a filter without Key or Values, an unknown key, too many values, a bad value", () => {
    assert.deepEqual(out.noKey, {
      code: "InvalidParameterException",
      message: "Invalid filter key",
      status: 400,
    });
    assert.deepEqual(out.noValues, {
      code: "InvalidParameterException",
      message: "Invalid filter values for key: description",
      status: 400,
    });
    assert.equal(out.emptyValues.code, "ValidationException");
    assert.match(
      out.emptyValues.message,
      /at 'filters\.1\.member\.values' failed to satisfy constraint: Member must have length greater than or equal to 1/,
    );
    assert.equal(out.unknownKey.code, "ValidationException");
    assert.match(
      out.unknownKey.message,
      /^1 validation error detected: Value 'invalid' at 'filters\.1\.member\.key' failed to satisfy constraint: Member must satisfy enum value set: \[/,
    );
    assert.equal(out.tooManyValues.code, "ValidationException");
    assert.match(
      out.tooManyValues.message,
      /at 'filters\.1\.member\.values' failed to satisfy constraint: Member must have length less than or equal to 10/,
    );
    assert.equal(out.badValue.code, "ValidationException");
    assert.match(out.badValue.message, /Member must satisfy regular expression pattern/);
  });
});
