// AWS Signature Version 4 for the direct write path (wire.ts): DynamoDB's JSON protocol only (a POST
// without query) with the one header set the direct path sends, every header signed but
// user-agent, as the SDK's signer signs them. By measurement (docs/performance.md) @smithy/signature-v4
// cost a tenth of the sink's CPU per record; here the work per request is what cannot be avoided —
// the body's hash, the canonical request's hash and one HMAC — and the rest is done once: the day's
// signing key (one KeyObject: an HMAC keyed by a raw Buffer costs several times more), the
// timestamp per second, and the canonical lines of the headers that do not change per request. A
// unit test checks the result against @smithy/signature-v4's, byte for byte.

import { createHmac, createSecretKey, hash, type KeyObject } from "node:crypto";

export type SigningIdentity = {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
};

/** What a write request varies by, besides its body. */
export type SignedRequest = {
  readonly target: string;
  readonly host: string;
  /** The URL's path as SigV4 signs it (canonicalPath): "/" for DynamoDB. */
  readonly path: string;
  readonly userAgent: string;
  readonly invocationId: string;
  readonly region: string;
  readonly identity: SigningIdentity;
  readonly nowMs: number;
};

const CONTENT_TYPE = "application/x-amz-json-1.0";
const SDK_REQUEST = "attempt=1; max=1";

const hmac = (key: KeyObject | Buffer | string, text: string): Buffer =>
  createHmac("sha256", key).update(text).digest();

/** A header value as SigV4 canonicalizes it: trimmed, inner runs of whitespace as one space. */
const canonicalValue = (v: string): string => v.trim().replace(/\s+/g, " ");

/** The request's constant parts for one target, host, user agent and session token. */
type Template = {
  readonly target: string;
  readonly host: string;
  readonly userAgent: string;
  readonly token: string | undefined;
  /** Canonical lines of host…, split around the per-request x-amz-content-sha256 and x-amz-date. */
  readonly before: string;
  readonly after: string;
  readonly signed: string;
};

function template(target: string, host: string, userAgent: string, token: string | undefined): Template {
  // The signed names in SigV4's order (sorted): amz-sdk-invocation-id, amz-sdk-request,
  // content-length, content-type, host, x-amz-content-sha256, x-amz-date, x-amz-security-token,
  // x-amz-target, x-amz-user-agent.
  const signed =
    "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;" +
    `x-amz-date;${token === undefined ? "" : "x-amz-security-token;"}x-amz-target;x-amz-user-agent`;
  return {
    target,
    host,
    userAgent,
    token,
    before: `content-type:${CONTENT_TYPE}\nhost:${canonicalValue(host)}\n`,
    after:
      (token === undefined ? "" : `x-amz-security-token:${canonicalValue(token)}\n`) +
      `x-amz-target:${canonicalValue(target)}\nx-amz-user-agent:${canonicalValue(userAgent)}\n`,
    signed,
  };
}

/** The path as SigV4 signs it (the SDK's escaping for services other than S3): "/" for DynamoDB. */
export function canonicalPath(path: string): string {
  if (path === "/" || path === "") return "/";
  const escape = (t: string) =>
    encodeURIComponent(t).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return escape(path).replace(/%2F/g, "/");
}

export class DynamoSigner {
  readonly #service: string;
  #key: { secret: string; scope: string; key: KeyObject } | undefined;
  #second = NaN;
  #date = "";
  readonly #templates: Template[] = [];

  constructor(service = "dynamodb") {
    this.#service = service;
  }

  /** The request's headers (lower-case names), signed: what is sent for a POST of `body`. */
  headers(r: SignedRequest, body: string): Record<string, string> {
    const date = this.#amzDate(r.nowMs);
    const day = date.slice(0, 8);
    const length = String(Buffer.byteLength(body));
    const payloadHash = hash("sha256", body, "hex");
    const t = this.#template(r.target, r.host, r.userAgent, r.identity.sessionToken);
    const canonical =
      `POST\n${r.path}\n\namz-sdk-invocation-id:${r.invocationId}\namz-sdk-request:${SDK_REQUEST}\n` +
      `content-length:${length}\n${t.before}x-amz-content-sha256:${payloadHash}\nx-amz-date:${date}\n` +
      `${t.after}\n${t.signed}\n${payloadHash}`;
    const scope = `${day}/${r.region}/${this.#service}/aws4_request`;
    const signature = createHmac("sha256", this.#signingKey(r.identity.secretAccessKey, day, r.region, scope))
      .update(`AWS4-HMAC-SHA256\n${date}\n${scope}\n${hash("sha256", canonical, "hex")}`)
      .digest("hex");
    const headers: Record<string, string> = {
      "content-type": CONTENT_TYPE,
      "x-amz-target": r.target,
      "content-length": length,
      host: r.host,
      "user-agent": r.userAgent,
      "x-amz-user-agent": r.userAgent,
      "amz-sdk-invocation-id": r.invocationId,
      "amz-sdk-request": SDK_REQUEST,
      "x-amz-date": date,
      "x-amz-content-sha256": payloadHash,
    };
    if (t.token !== undefined) headers["x-amz-security-token"] = t.token;
    headers["authorization"] =
      `AWS4-HMAC-SHA256 Credential=${r.identity.accessKeyId}/${scope}, ` +
      `SignedHeaders=${t.signed}, Signature=${signature}`;
    return headers;
  }

  /** `YYYYMMDDTHHMMSSZ`, formatted once per second. */
  #amzDate(nowMs: number): string {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#date = new Date(second * 1000).toISOString().replace(/[-:]|\.\d{3}/g, "");
    }
    return this.#date;
  }

  /** A few templates at most (two targets; a host and token change rarely): a short list. */
  #template(target: string, host: string, userAgent: string, token: string | undefined): Template {
    for (const t of this.#templates)
      if (t.target === target && t.host === host && t.userAgent === userAgent && t.token === token) return t;
    const t = template(target, host, userAgent, token);
    // Rotated session tokens would grow the list: keep the newest few.
    if (this.#templates.length >= 8) this.#templates.shift();
    this.#templates.push(t);
    return t;
  }

  /** The signing key of a day, region and secret (rotated credentials derive a new one). */
  #signingKey(secret: string, day: string, region: string, scope: string): KeyObject {
    const c = this.#key;
    if (c !== undefined && c.secret === secret && c.scope === scope) return c.key;
    const raw = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), this.#service), "aws4_request");
    const key = createSecretKey(raw);
    this.#key = { secret, scope, key };
    return key;
  }
}
