// HTTP/1.1 on the wire for the direct write path (wire-http.ts): the request's bytes, and a parser of
// the answers that arrive on one keep-alive connection, fed as the socket delivers them. Pure: no
// sockets here. Framing follows RFC 9112 §6.3: a response to a POST is delimited by chunked
// transfer coding when Transfer-Encoding names it, else by Content-Length, else by the connection's
// close; 1xx interim responses are skipped (§15.2).

import type { IncomingHttpHeaders } from "node:http";

export type Http1Response = {
  readonly status: number;
  /** Header lines as received, name and value alternating (node:http's rawHeaders). */
  readonly rawHeaders: readonly string[];
  readonly text: string;
  /** The server keeps the connection open for another request (HTTP/1.1 without `close`). */
  readonly keepAlive: boolean;
};

/** Past this, a response head is refused (node:http's default --max-http-header-size is 16 KiB). */
export const MAX_HEAD_BYTES = 16 * 1024;

/** Header values are sent as they are: a CR or LF would end the header early (request splitting). */
const SAFE_VALUE = /^[\t\x20-\x7e]*$/;

/** One POST's bytes: request line, headers (one per entry, names as given), then the body. */
export function requestText(path: string, headers: Record<string, string>, body: string): string {
  let head = `POST ${path} HTTP/1.1\r\n`;
  for (const name in headers) {
    const value = headers[name]!;
    if (!SAFE_VALUE.test(value)) throw new TypeError(`invalid character in the ${name} header's value`);
    head += `${name}: ${value}\r\n`;
  }
  return `${head}connection: keep-alive\r\n\r\n${body}`;
}

/** node:http's `headers` object from raw lines: lower-case names, repeated ones joined with ", ". */
export function headersOf(raw: readonly string[]): IncomingHttpHeaders {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const prev = out[name];
    out[name] = prev === undefined ? raw[i + 1]! : `${prev}, ${raw[i + 1]!}`;
  }
  return out;
}

export class Http1ProtocolError extends Error {
  override readonly name = "Http1ProtocolError";
  readonly code = "HPE_INVALID";
}

type Body =
  | { kind: "length"; remaining: number }
  | { kind: "chunked"; remaining: number; state: "size" | "data" | "data-crlf" | "trailer" }
  | { kind: "close" };

/** Parses the responses of one connection, in order. */
export class Http1Parser {
  #buf: Buffer | undefined;
  #status = 0;
  #raw: string[] = [];
  #keepAlive = true;
  #body: Body | undefined;
  #parts: Buffer[] = [];

  /** Feeds received bytes; returns a response once it is complete. Bytes past it throw (no pipelining). */
  feed(chunk: Buffer): Http1Response | undefined {
    this.#buf = this.#buf === undefined || this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    while (this.#body === undefined) {
      if (!this.#head()) return undefined;
    }
    const done = this.#readBody();
    if (done && this.#buf !== undefined && this.#buf.length > 0)
      throw new Http1ProtocolError("bytes after the response: the server answered more than was asked");
    return done ? this.#finish() : undefined;
  }

  /** The connection ended: completes a close-delimited body; anything else half-read is an error. */
  end(): Http1Response | undefined {
    if (this.#body?.kind === "close") {
      if (this.#buf !== undefined && this.#buf.length > 0) this.#parts.push(this.#buf);
      this.#buf = undefined;
      return { ...this.#finish(), keepAlive: false };
    }
    return undefined;
  }

  /** True while nothing of a response has arrived (a close then is the server dropping an idle socket). */
  get idle(): boolean {
    return this.#body === undefined && (this.#buf === undefined || this.#buf.length === 0);
  }

  #head(): boolean {
    const b = this.#buf!;
    const end = b.indexOf("\r\n\r\n");
    if (end < 0) {
      if (b.length > MAX_HEAD_BYTES) throw new Http1ProtocolError("the response head is too large");
      return false;
    }
    if (end > MAX_HEAD_BYTES) throw new Http1ProtocolError("the response head is too large");
    const lines = b.toString("latin1", 0, end).split("\r\n");
    this.#buf = b.subarray(end + 4);
    const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0]!);
    if (m === null) throw new Http1ProtocolError(`not an HTTP/1.x status line: ${JSON.stringify(lines[0])}`);
    const status = Number(m[2]);
    const raw: string[] = [];
    let length: number | undefined;
    let chunked = false;
    let close = m[1] === "0";
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      if (colon <= 0) throw new Http1ProtocolError(`malformed header line: ${JSON.stringify(line)}`);
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      raw.push(name, value);
      switch (name.toLowerCase()) {
        case "content-length":
          if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value)))
            throw new Http1ProtocolError(`bad content-length: ${JSON.stringify(value)}`);
          length = Number(value);
          break;
        case "transfer-encoding":
          chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
          break;
        case "connection":
          if (/(?:^|,)\s*close\s*(?:,|$)/i.test(value)) close = true;
          else if (m[1] === "0" && /keep-alive/i.test(value)) close = false;
          break;
      }
    }
    // An interim answer (100 Continue, 103 Early Hints): the final one follows on the same connection.
    if (status >= 100 && status < 200) return true;
    this.#status = status;
    this.#raw = raw;
    this.#keepAlive = !close;
    this.#parts = [];
    this.#body =
      status === 204 || status === 304
        ? { kind: "length", remaining: 0 }
        : chunked
          ? { kind: "chunked", remaining: 0, state: "size" }
          : length !== undefined
            ? { kind: "length", remaining: length }
            : { kind: "close" };
    if (this.#body.kind === "close") this.#keepAlive = false;
    return true;
  }

  /** Consumes body bytes from the buffer; true when the body is complete. */
  #readBody(): boolean {
    const body = this.#body!;
    if (body.kind === "close") {
      if (this.#buf !== undefined && this.#buf.length > 0) this.#parts.push(this.#buf);
      this.#buf = undefined;
      return false;
    }
    if (body.kind === "length") return this.#take(body);
    return this.#chunks(body);
  }

  #take(body: { remaining: number }): boolean {
    const b = this.#buf ?? Buffer.alloc(0);
    const n = Math.min(body.remaining, b.length);
    if (n > 0) this.#parts.push(b.subarray(0, n));
    this.#buf = b.subarray(n);
    body.remaining -= n;
    return body.remaining === 0;
  }

  #chunks(body: Extract<Body, { kind: "chunked" }>): boolean {
    for (;;) {
      const b = this.#buf ?? Buffer.alloc(0);
      if (body.state === "data") {
        if (!this.#take(body)) return false;
        body.state = "data-crlf";
        continue;
      }
      const eol = b.indexOf("\r\n");
      if (eol < 0) {
        if (b.length > MAX_HEAD_BYTES) throw new Http1ProtocolError("a chunk line is too long");
        return false;
      }
      const line = b.toString("latin1", 0, eol);
      this.#buf = b.subarray(eol + 2);
      if (body.state === "data-crlf") {
        if (line !== "") throw new Http1ProtocolError("a chunk is not followed by CRLF");
        body.state = "size";
      } else if (body.state === "size") {
        const m = /^([0-9a-fA-F]{1,8})(?:;.*)?$/.exec(line.trim());
        if (m === null) throw new Http1ProtocolError(`bad chunk size: ${JSON.stringify(line)}`);
        body.remaining = parseInt(m[1]!, 16);
        body.state = body.remaining === 0 ? "trailer" : "data";
      } else if (line === "") {
        return true; // the empty line that ends the trailer section
      }
    }
  }

  #finish(): Http1Response {
    const parts = this.#parts;
    const text =
      parts.length === 0
        ? ""
        : parts.length === 1
          ? parts[0]!.toString("utf8")
          : Buffer.concat(parts).toString("utf8");
    const res = { status: this.#status, rawHeaders: this.#raw, text, keepAlive: this.#keepAlive };
    this.#body = undefined;
    this.#parts = [];
    this.#raw = [];
    return res;
  }
}
