// The direct path's SigV4 (adapters/dynamodb/sigv4.ts) against the SDK's signer, @smithy/signature-v4,
// configured as the DynamoDB client configures it: the same Authorization header, byte for byte, for
// the same request, with and without a session token, across a day boundary and a key rotation.

import assert from "node:assert/strict";
import { test } from "node:test";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { HttpRequest } from "@smithy/core/transport";
import { SignatureV4 } from "@smithy/signature-v4";
import { SigV4Signer, type SigningIdentity } from "../../../../src/adapters/dynamodb/sigv4.ts";

const sha256 = new DynamoDBClient({ region: "eu-west-1" }).config.sha256;

function headers(body: string): Record<string, string> {
  return {
    "content-type": "application/x-amz-json-1.0",
    "x-amz-target": "DynamoDB_20120810.PutItem",
    "content-length": String(Buffer.byteLength(body)),
    host: "dynamodb.eu-west-1.amazonaws.com",
    "user-agent": "cdc-dynamodb-sink/direct aws-sdk-js/3",
    "x-amz-user-agent": "cdc-dynamodb-sink/direct aws-sdk-js/3",
    "amz-sdk-invocation-id": "0f2c7a52-0000-4000-8000-000000000000",
    "amz-sdk-request": "attempt=1; max=1",
  };
}

async function sdkAuthorization(body: string, identity: SigningIdentity, at: Date, region: string) {
  const signer = new SignatureV4({
    credentials: identity,
    region,
    service: "dynamodb",
    sha256,
    uriEscapePath: true,
    applyChecksum: true,
  });
  const request = new HttpRequest({
    protocol: "https:",
    hostname: "dynamodb.eu-west-1.amazonaws.com",
    method: "POST",
    path: "/",
    headers: headers(body),
    body,
  });
  const signed = await signer.sign(request, { signingDate: at });
  return signed.headers as Record<string, string>;
}

test("the direct path's signature is the SDK signer's, byte for byte", async () => {
  const ours = new SigV4Signer("dynamodb");
  const body = JSON.stringify({ TableName: "t", Item: { pk: { S: "a  b\u00e9" } } });
  const cases: [SigningIdentity, Date, string][] = [
    [
      { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
      new Date("2026-12-02T13:40:01.123Z"),
      "eu-west-1",
    ],
    [
      { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
      new Date("2026-12-02T23:59:59.999Z"),
      "eu-west-1",
    ],
    // a new day: a new signing key
    [
      { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
      new Date("2026-12-03T00:00:00.000Z"),
      "eu-west-1",
    ],
    // rotated (IRSA / STS) credentials with a session token
    [
      { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "other", sessionToken: "FwoGZXIvYXdzEJr//token=" },
      new Date("2026-12-03T00:00:01.000Z"),
      "eu-west-1",
    ],
    [
      { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "other", sessionToken: "FwoGZXIvYXdzEJr//token=" },
      new Date("2026-12-03T00:00:01.000Z"),
      "us-gov-west-1",
    ],
  ];
  for (const [identity, at, region] of cases) {
    const h = headers(body);
    ours.sign(h, "/", body, region, identity, at);
    const sdk = await sdkAuthorization(body, identity, at, region);
    assert.equal(
      h["authorization"],
      sdk["authorization"],
      `${identity.accessKeyId} ${at.toISOString()} ${region}`,
    );
    assert.equal(h["x-amz-date"], sdk["x-amz-date"]);
    assert.equal(h["x-amz-content-sha256"], sdk["x-amz-content-sha256"]);
    assert.equal(h["x-amz-security-token"], sdk["x-amz-security-token"]);
  }
});
