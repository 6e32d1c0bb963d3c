// AWS Signature Version 4 for the direct write path (wire.ts): DynamoDB's JSON protocol only (POST,
// a path without query, every header signed but user-agent, as the SDK's signer signs them). By
// measurement (docs/performance.md) @smithy/signature-v4 cost a tenth of the sink's CPU per record:
// it hashes through Hash objects and turns the signing key into a key object for every HMAC; here the
// hashes are one-shot (crypto.hash) and the day's signing key is one KeyObject. A unit test checks
// the result against @smithy/signature-v4's, byte for byte.

import { createHmac, createSecretKey, hash, type KeyObject } from "node:crypto";

export type SigningIdentity = {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
};

/** Headers the SDK's signer leaves out (its ALWAYS_UNSIGNABLE_HEADERS that a request here can hold). */
const UNSIGNED = new Set(["authorization", "user-agent", "x-amzn-trace-id", "connection", "expect"]);

const hmac = (key: KeyObject | Buffer | string, text: string): Buffer =>
  createHmac("sha256", key).update(text).digest();

/** `YYYYMMDDTHHMMSSZ` */
function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]|\.\d{3}/g, "");
}

export class SigV4Signer {
  readonly #service: string;
  #cached: { secret: string; scope: string; key: KeyObject } | undefined;

  constructor(service: string) {
    this.#service = service;
  }

  /**
   * Adds x-amz-date, x-amz-security-token (when the identity has one), x-amz-content-sha256 and
   * authorization to `headers` (lower-case names) for a POST of `body` to `path`.
   */
  sign(
    headers: Record<string, string>,
    path: string,
    body: string,
    region: string,
    identity: SigningIdentity,
    now: Date,
  ): void {
    const date = amzDate(now);
    const day = date.slice(0, 8);
    const payloadHash = hash("sha256", body, "hex");
    headers["x-amz-date"] = date;
    headers["x-amz-content-sha256"] = payloadHash;
    if (identity.sessionToken !== undefined) headers["x-amz-security-token"] = identity.sessionToken;
    const names = Object.keys(headers)
      .filter((n) => !UNSIGNED.has(n))
      .sort();
    let canonicalHeaders = "";
    for (const n of names) canonicalHeaders += `${n}:${headers[n]!.trim().replace(/\s+/g, " ")}\n`;
    const signed = names.join(";");
    const canonical = `POST\n${path}\n\n${canonicalHeaders}\n${signed}\n${payloadHash}`;
    const scope = `${day}/${region}/${this.#service}/aws4_request`;
    const key = this.#key(identity.secretAccessKey, day, region, scope);
    const signature = createHmac("sha256", key)
      .update(`AWS4-HMAC-SHA256\n${date}\n${scope}\n${hash("sha256", canonical, "hex")}`)
      .digest("hex");
    headers["authorization"] =
      `AWS4-HMAC-SHA256 Credential=${identity.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signed}, Signature=${signature}`;
  }

  /** The signing key of a day, region and secret (rotated credentials derive a new one). */
  #key(secret: string, day: string, region: string, scope: string): KeyObject {
    const c = this.#cached;
    if (c !== undefined && c.secret === secret && c.scope === scope) return c.key;
    const raw = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), this.#service), "aws4_request");
    const key = createSecretKey(raw);
    this.#cached = { secret, scope, key };
    return key;
  }
}
