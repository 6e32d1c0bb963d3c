// The registry client's classification of the registry's answers, and the cache, against a local
// HTTP server that answers as the Confluent API does (GET /schemas/ids/{id}). The real registry
// (Apicurio) is exercised by test/integration/adapters/schema-registry.test.ts.

import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { test } from "node:test";
import { SchemaCache } from "../../../../src/adapters/schema-registry/cache.ts";
import { SchemaRegistryClient } from "../../../../src/adapters/schema-registry/client.ts";
import { ClassifiedError } from "../../../../src/core/errors.ts";

type Answer = { status: number; body: unknown };

async function registry(answer: (req: IncomingMessage) => Answer): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const { status, body } = answer(req);
    res.writeHead(status, { "content-type": "application/vnd.schemaregistry.v1+json" });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/apis/ccompat/v7`, server };
}

async function failure(p: Promise<unknown>): Promise<ClassifiedError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ClassifiedError, `expected a ClassifiedError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a failure");
}

const avroSchema = JSON.stringify({ type: "record", name: "K", fields: [{ name: "id", type: "int" }] });

test("each answer of the registry becomes its class and code", async () => {
  const seen: { url?: string; auth?: string }[] = [];
  const answers: Record<string, Answer> = {
    "1": { status: 200, body: { schema: avroSchema } },
    "2": { status: 404, body: { error_code: 40403, message: "Schema not found" } },
    "3": { status: 503, body: "busy" },
    "4": { status: 401, body: { error_code: 401, message: "Unauthorized" } },
    "5": { status: 200, body: { schema: "syntax = 'proto3';", schemaType: "PROTOBUF" } },
    "6": { status: 200, body: "<html>" },
  };
  const { url, server } = await registry((req) => {
    seen.push({ url: req.url, auth: req.headers.authorization });
    return answers[/\/schemas\/ids\/(\d+)$/.exec(req.url ?? "")?.[1] ?? ""] ?? { status: 500, body: "" };
  });
  const client = new SchemaRegistryClient({ url, username: "u", password: "p:w", timeoutMs: 2000 });
  try {
    assert.equal(await client.schemaText(1), avroSchema);
    assert.deepEqual(seen[0], {
      url: "/apis/ccompat/v7/schemas/ids/1",
      auth: `Basic ${Buffer.from("u:p:w").toString("base64")}`,
    });
    const codes = [];
    for (const id of [2, 3, 4, 5, 6]) {
      const err = await failure(client.schemaText(id));
      codes.push(`${err.errorClass}:${err.code}`);
    }
    assert.deepEqual(codes, [
      "transient:schema_not_found",
      "transient:schema_registry_unavailable",
      "fatal:schema_registry_auth",
      "poison:avro_schema_invalid",
      "transient:schema_registry_unavailable",
    ]);
  } finally {
    client.close();
    server.close();
  }
});

test("a registry that does not answer in time, or is not there, is transient", async () => {
  const { url, server } = await registry(() => ({ status: 200, body: { schema: avroSchema } }));
  server.close();
  const gone = new SchemaRegistryClient({ url, timeoutMs: 500 });
  assert.equal((await failure(gone.schemaText(1))).code, "schema_registry_unavailable");
  gone.close();
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const port = (silent.address() as { port: number }).port;
  const slow = new SchemaRegistryClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 200 });
  const err = await failure(slow.schemaText(1));
  assert.equal(err.code, "schema_registry_unavailable");
  assert.match(err.message, /no answer within 200 ms/);
  slow.close();
  silent.closeAllConnections();
  silent.close();
});

test("the cache fetches each id once, even asked concurrently; a bad schema is cached as poison", async () => {
  const asked: number[] = [];
  const cache = new SchemaCache({
    schemaText: (id) => {
      asked.push(id);
      return Promise.resolve(id === 9 ? "{not avro" : avroSchema);
    },
  });
  assert.throws(() => cache.reader(1), /not loaded/);
  await Promise.all([cache.load([1, 1, 9]), cache.load([1])]);
  assert.deepEqual(asked.sort(), [1, 9]);
  assert.equal(cache.load([1, 9]), undefined, "all cached: no promise");
  assert.equal(cache.reader(1).schemaId, 1);
  assert.throws(() => cache.reader(9).read(Buffer.alloc(0), "value"), { code: "avro_schema_invalid" });
});

test("a transient failure is not cached: the next load asks again", async () => {
  let up = false;
  const cache = new SchemaCache({
    schemaText: () =>
      up
        ? Promise.resolve(avroSchema)
        : Promise.reject(
            new (class extends ClassifiedError {})("transient", "schema_registry_unavailable", "down"),
          ),
  });
  await assert.rejects(cache.load([3])!, { code: "schema_registry_unavailable" });
  up = true;
  await cache.load([3]);
  assert.equal(cache.size, 1);
});
