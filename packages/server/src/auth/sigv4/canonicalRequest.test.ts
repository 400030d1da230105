import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IncompleteSignatureException } from "../../errors/catalog.js";
import { canonicalHeaders, canonicalHeaderValue } from "./canonicalHeaders.js";
import { canonicalQuery } from "./canonicalQuery.js";
import { canonicalRequest } from "./canonicalRequest.js";
import { canonicalUri, removeDotSegments } from "./canonicalUri.js";

describe("canonicalUri", () => {
  it("is '/' for the root and for an empty path", () => {
    assert.equal(canonicalUri("/"), "/");
    assert.equal(canonicalUri(""), "/");
  });

  it("removes empty, '.' and '..' segments like the AWS SDKs and botocore", () => {
    assert.equal(removeDotSegments("/a/./b/../c//d/"), "/a/c/d/");
    assert.equal(removeDotSegments("/../.."), "/");
    assert.equal(removeDotSegments("//"), "/");
    assert.equal(removeDotSegments("/a/.hidden"), "/a/.hidden");
    assert.equal(removeDotSegments("/a/b"), "/a/b");
  });

  it("encodes the wire path once more, so each segment ends up encoded twice", () => {
    assert.equal(canonicalUri("/documents%20and%20settings/"), "/documents%2520and%2520settings/");
    assert.equal(canonicalUri("/a:b@c"), "/a%3Ab%40c");
    assert.equal(canonicalUri("/~user/x_y-z.json"), "/~user/x_y-z.json");
  });
});

describe("canonicalQuery", () => {
  it("is empty without a query", () => {
    assert.equal(canonicalQuery(""), "");
  });

  it("sorts by encoded name, then value, and gives a bare name an empty value", () => {
    assert.equal(canonicalQuery("b=2&a=2&a=1&flag"), "a=1&a=2&b=2&flag=");
    assert.equal(
      canonicalQuery("Version=2010-05-08&Action=ListUsers"),
      "Action=ListUsers&Version=2010-05-08",
    );
  });

  it("sorts by the encoded form (byte order: upper case before lower case, '%' before letters)", () => {
    assert.equal(canonicalQuery("a=1&B=1&%C3%A9=1&_=1"), "%C3%A9=1&B=1&_=1&a=1");
  });

  it("re-encodes names and values and drops empty pieces", () => {
    assert.equal(canonicalQuery("k%7e=a+b&&x=%2f"), "k~=a%2Bb&x=%2F");
  });
});

describe("canonicalHeaders", () => {
  it("collapses runs of spaces and tabs and trims", () => {
    assert.equal(canonicalHeaderValue("a   b\t\tc"), "a b c");
    assert.equal(canonicalHeaderValue("  a b  "), "a b");
    assert.equal(canonicalHeaderValue("plain"), "plain");
    assert.equal(canonicalHeaderValue(""), "");
  });

  it("writes one line per signed header, in the listed order, arrays joined with ','", () => {
    const block = canonicalHeaders({ host: "h", "x-a": ["1", " 2 "], "x-b": "q  r", other: "ignored" }, [
      "host",
      "x-a",
      "x-b",
    ]);
    assert.equal(block, "host:h\nx-a:1,2\nx-b:q r\n");
  });

  it("throws IncompleteSignatureException for a signed header the request lacks", () => {
    assert.throws(() => canonicalHeaders({ host: "h" }, ["host", "x-gone"]), IncompleteSignatureException);
  });
});

describe("canonicalRequest", () => {
  it("assembles the IAM ListUsers example of the AWS documentation", () => {
    const text = canonicalRequest({
      method: "GET",
      rawUrl: "/?Action=ListUsers&Version=2010-05-08",
      canonicalHeaders:
        "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n" +
        "x-amz-date:20150830T123600Z\n",
      signedHeaders: "content-type;host;x-amz-date",
      payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    });
    assert.equal(
      text,
      [
        "GET",
        "/",
        "Action=ListUsers&Version=2010-05-08",
        "content-type:application/x-www-form-urlencoded; charset=utf-8",
        "host:iam.amazonaws.com",
        "x-amz-date:20150830T123600Z",
        "",
        "content-type;host;x-amz-date",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      ].join("\n"),
    );
  });
});
