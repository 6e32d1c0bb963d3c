// The direct path's SigV4 (adapters/dynamodb/sigv4.ts) against the SDK's signer, @smithy/signature-v4,
// configured as the DynamoDB client configures it: the same Authorization header, byte for byte, for
// the same request, with and without a session token, across a day boundary and a key rotation.

import assert from "node:assert/strict";
import { test } from "node:test";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { HttpRequest } from "@smithy/core/transport";
import { SignatureV4 } from "@smithy/signature-v4";
import {
  DynamoSigner,
  canonicalPath,
  type SignedRequest,
  type SigningIdentity,
} from "../../../../src/adapters/dynamodb/sigv4.ts";

const sha256 = new DynamoDBClient({ region: "eu-west-1" }).config.sha256;

/** The headers the SDK's signer is given: ours, less what signing adds. */
function unsigned(signed: Record<string, string>): Record<string, string> {
  const h = { ...signed };
  for (const n of ["authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"])
    delete h[n];
  return h;
}

async function sdkSigned(body: string, r: SignedRequest, path: string, ours: Record<string, string>) {
  const signer = new SignatureV4({
    credentials: r.identity,
    region: r.region,
    service: "dynamodb",
    sha256,
    uriEscapePath: true,
    applyChecksum: true,
  });
  const request = new HttpRequest({
    protocol: "https:",
    hostname: r.host,
    method: "POST",
    path,
    headers: unsigned(ours),
    body,
  });
  const signed = await signer.sign(request, { signingDate: new Date(r.nowMs) });
  return signed.headers as Record<string, string>;
}

test("the direct path's signature is the SDK signer's, byte for byte", async () => {
  const ours = new DynamoSigner("dynamodb");
  const body = JSON.stringify({ TableName: "t", Item: { pk: { S: "a  b\u00e9" } } });
  const key = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
  const sts = {
    accessKeyId: "ASIAEXAMPLE",
    secretAccessKey: "other",
    sessionToken: "FwoGZXIvYXdzEJr//token=",
  };
  const cases: [SigningIdentity, string, string, string, string][] = [
    [key, "2026-12-02T13:40:01.123Z", "eu-west-1", "DynamoDB_20120810.PutItem", "/"],
    // the same second again (the timestamp is formatted once per second), another operation
    [key, "2026-12-02T13:40:01.999Z", "eu-west-1", "DynamoDB_20120810.TransactWriteItems", "/"],
    [key, "2026-12-02T23:59:59.999Z", "eu-west-1", "DynamoDB_20120810.PutItem", "/"],
    // a new day: a new signing key
    [key, "2026-12-03T00:00:00.000Z", "eu-west-1", "DynamoDB_20120810.PutItem", "/"],
    // rotated (IRSA / STS) credentials with a session token
    [sts, "2026-12-03T00:00:01.000Z", "eu-west-1", "DynamoDB_20120810.PutItem", "/"],
    [sts, "2026-12-03T00:00:01.000Z", "us-gov-west-1", "DynamoDB_20120810.PutItem", "/"],
    [
      { ...sts, sessionToken: "rotated" },
      "2026-12-03T00:00:02.000Z",
      "eu-west-1",
      "DynamoDB_20120810.PutItem",
      "/",
    ],
    // back to no token: the template without one again
    [key, "2026-12-03T00:00:03.000Z", "eu-west-1", "DynamoDB_20120810.PutItem", "/"],
    // an endpoint behind a path (a proxy's prefix), escaped as the SDK escapes it
    [key, "2026-12-03T00:00:04.000Z", "eu-west-1", "DynamoDB_20120810.PutItem", "/db/a b*"],
  ];
  for (const [identity, at, region, target, path] of cases) {
    const r: SignedRequest = {
      target,
      host: "dynamodb.eu-west-1.amazonaws.com",
      path: canonicalPath(path),
      // whitespace runs inside a value are signed as one space
      userAgent: "cdc-dynamodb-sink/direct  aws-sdk-js/3 ",
      invocationId: "0f2c7a52-0000-4000-8000-000000000000",
      region,
      identity,
      nowMs: Date.parse(at),
    };
    const h = ours.headers(r, body);
    const sdk = await sdkSigned(body, r, path, h);
    const what = `${identity.accessKeyId} ${at} ${region} ${target} ${path}`;
    assert.equal(h["authorization"], sdk["authorization"], what);
    assert.equal(h["x-amz-date"], sdk["x-amz-date"], what);
    assert.equal(h["x-amz-content-sha256"], sdk["x-amz-content-sha256"], what);
    assert.equal(h["x-amz-security-token"], sdk["x-amz-security-token"], what);
    // what is sent besides: the request's own headers, unchanged
    assert.equal(h["x-amz-target"], target);
    assert.equal(h["content-length"], String(Buffer.byteLength(body)));
    assert.equal(h["amz-sdk-invocation-id"], r.invocationId);
  }
});
