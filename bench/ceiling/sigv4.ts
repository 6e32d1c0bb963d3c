// A minimal AWS Signature Version 4 for DynamoDB's JSON protocol (POST /, four signed headers), by
// hand with node:crypto: the floor arm's signer, so the floor is what a Node client must do at
// least, with no SDK machinery. The signing key is derived once per day.

import { createHash, createHmac } from "node:crypto";

export type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined };

const hmac = (key: Buffer | string, text: string): Buffer => createHmac("sha256", key).update(text).digest();
const sha256 = (text: string | Buffer): string => createHash("sha256").update(text).digest("hex");

export function sigv4Signer(region: string, service: string, credentials: Credentials) {
  let day = "";
  let key: Buffer = Buffer.alloc(0);
  return (host: string, target: string, body: string, now = new Date()): Record<string, string> => {
    const amzDate = now.toISOString().replace(/[-:]|\.\d{3}/g, "");
    const date = amzDate.slice(0, 8);
    if (date !== day) {
      day = date;
      key = hmac(
        hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), service),
        "aws4_request",
      );
    }
    const token = credentials.sessionToken;
    const headers: Record<string, string> = {
      "content-type": "application/x-amz-json-1.0",
      host,
      "x-amz-date": amzDate,
      ...(token === undefined ? {} : { "x-amz-security-token": token }),
      "x-amz-target": target,
    };
    const names = Object.keys(headers); // already in canonical (sorted) order
    const signed = names.join(";");
    const canonical = `POST\n/\n\n${names.map((n) => `${n}:${headers[n]}\n`).join("")}\n${signed}\n${sha256(body)}`;
    const scope = `${date}/${region}/${service}/aws4_request`;
    const signature = createHmac("sha256", key)
      .update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(canonical)}`)
      .digest("hex");
    headers["authorization"] =
      `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`;
    return headers;
  };
}
