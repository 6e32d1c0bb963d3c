// HTTP/1.1 framing of the direct write path (adapters/dynamodb/http1.ts): a response is complete
// exactly when its framing says so, whatever pieces the socket delivers it in.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  Http1Parser,
  MAX_HEAD_BYTES,
  headersOf,
  requestText,
  type Http1Response,
} from "../../../../src/adapters/dynamodb/http1.ts";

const enc = (s: string) => Buffer.from(s, "utf8");

/** Feeds `wire` cut at `cuts`; returns the responses completed, in order, and where each completed. */
function feedIn(p: Http1Parser, wire: Buffer, cuts: number[]): { res: Http1Response[]; at: number[] } {
  const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
  const res: Http1Response[] = [];
  const at: number[] = [];
  let from = 0;
  for (const to of [...points, wire.length]) {
    if (to <= from) continue;
    const r = p.feed(wire.subarray(from, to));
    if (r !== undefined) {
      res.push(r);
      at.push(to);
    }
    from = to;
  }
  return { res, at };
}

const LENGTH = 'HTTP/1.1 200 OK\r\nx-amzn-RequestId: abc\r\nContent-Length: 8\r\n\r\n{"é":1}';
const CHUNKED =
  "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\nX-Amzn-ErrorType: ValidationException\r\n\r\n" +
  '5;ext=1\r\n{"a":\r\n3\r\n"b"\r\n1\r\n}\r\n0\r\nx-trailer: 1\r\n\r\n';

test("a Content-Length body completes at its last byte, however the bytes are cut", () => {
  const wire = enc(LENGTH);
  fc.assert(
    fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
      const { res, at } = feedIn(new Http1Parser(), wire, cuts);
      assert.equal(res.length, 1);
      assert.equal(at[0], wire.length);
      assert.deepEqual(res[0], {
        status: 200,
        rawHeaders: ["x-amzn-RequestId", "abc", "Content-Length", "8"],
        text: '{"é":1}',
        keepAlive: true,
      });
    }),
  );
});

test("a chunked body is reassembled (extensions and trailers read past), however the bytes are cut", () => {
  const wire = enc(CHUNKED);
  fc.assert(
    fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
      const { res, at } = feedIn(new Http1Parser(), wire, cuts);
      assert.equal(res.length, 1);
      assert.equal(at[0], wire.length);
      assert.equal(res[0]!.status, 400);
      assert.equal(res[0]!.text, '{"a":"b"}');
      assert.equal(headersOf(res[0]!.rawHeaders)["x-amzn-errortype"], "ValidationException");
    }),
  );
});

test("one connection, answer after answer: each completes on its own", () => {
  const p = new Http1Parser();
  for (let i = 0; i < 3; i++) {
    assert.equal(p.feed(enc(LENGTH))?.text, '{"é":1}');
    assert.equal(p.idle, true);
    assert.equal(p.feed(enc(CHUNKED))?.text, '{"a":"b"}');
  }
});

test("a 100 Continue before the answer is skipped", () => {
  const r = new Http1Parser().feed(enc(`HTTP/1.1 100 Continue\r\n\r\n${LENGTH}`));
  assert.equal(r?.status, 200);
  assert.equal(r?.text, '{"é":1}');
});

test("no framing: the body runs to the connection's end, and the connection is not kept", () => {
  const p = new Http1Parser();
  assert.equal(p.feed(enc("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n\r\n<html>")), undefined);
  assert.equal(p.feed(enc("bad gateway</html>")), undefined);
  assert.equal(p.idle, false);
  assert.deepEqual(p.end(), {
    status: 502,
    rawHeaders: ["Content-Type", "text/html"],
    text: "<html>bad gateway</html>",
    keepAlive: false,
  });
});

test("an end before a framed body is complete completes nothing", () => {
  const p = new Http1Parser();
  assert.equal(p.feed(enc(LENGTH.slice(0, -3))), undefined);
  assert.equal(p.end(), undefined);
});

test("Connection: close and HTTP/1.0 answers are not kept alive; 1.0 with keep-alive is", () => {
  const close = new Http1Parser().feed(
    enc("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"),
  );
  assert.equal(close?.keepAlive, false);
  const old = new Http1Parser().feed(enc("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"));
  assert.equal(old?.keepAlive, false);
  const kept = new Http1Parser().feed(
    enc("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}"),
  );
  assert.equal(kept?.keepAlive, true);
});

test("what is not HTTP, or not framed consistently, is refused with a protocol error", () => {
  const bad = [
    "SSH-2.0-OpenSSH\r\n\r\n",
    "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n",
    `HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\n`,
    `HTTP/1.1 200 OK\r\nx: ${"a".repeat(MAX_HEAD_BYTES)}`,
  ];
  for (const wire of bad)
    assert.throws(() => new Http1Parser().feed(enc(wire)), { name: "Http1ProtocolError" }, wire.slice(0, 60));
});

test("a request is one string: request line, headers as given, keep-alive, body", () => {
  assert.equal(
    requestText("/", { host: "h:1", "content-length": "2" }, "{}"),
    "POST / HTTP/1.1\r\nhost: h:1\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n{}",
  );
});

test("a header value with CR, LF or a control character is refused before anything is sent", () => {
  for (const v of ["a\r\nx-injected: 1", "a\nb", "a\u0000", "é"])
    assert.throws(() => requestText("/", { "x-amz-security-token": v }, "{}"), TypeError);
});

test("headers: names lower-cased, repeated ones joined as node:http joins them", () => {
  assert.deepEqual(headersOf(["X-A", "1", "x-a", "2", "Date", "d"]), { "x-a": "1, 2", date: "d" });
});
