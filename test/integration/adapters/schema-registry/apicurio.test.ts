// The registry client and cache against a real Apicurio Registry 3.3.3 (the stack's registry part,
// Confluent API at /apis/ccompat/v7): a registered schema is fetched and decodes a framed record;
// an id the registry does not know is transient (schema_not_found); a registry that is down is
// transient (schema_registry_unavailable) and the cache recovers once it is back.

import assert from "node:assert/strict";
import { test } from "node:test";
import { SchemaCache } from "../../../../src/adapters/schema-registry/cache.ts";
import { SchemaRegistryClient } from "../../../../src/adapters/schema-registry/client.ts";
import { ClassifiedError } from "../../../../src/core/errors.ts";
import { launch, stopParts } from "../../../../tools/stack/stack.ts";
import { readState, resolveDir, writeEndpoints } from "../../../../tools/stack/state.ts";
import { avroBody, keySchema } from "../../../support/avro-records.ts";
import { stackEndpoints } from "../../../support/stack.ts";

function registryUrl(): string {
  const url = stackEndpoints().registryUrl;
  if (url === undefined) throw new Error("the stack has no registry: start it with --with-registry");
  return url;
}

async function register(url: string, subject: string, schema: object): Promise<number> {
  const response = await fetch(`${url}/subjects/${subject}/versions`, {
    method: "POST",
    headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { id: number }).id;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ClassifiedError, String(err));
    return `${err.errorClass}:${err.code}`;
  }
  return "resolved";
}

test("a schema registered in Apicurio is fetched by id and reads a record framed with it", async () => {
  const url = registryUrl();
  const id = await register(url, `avro-it-${process.pid}-key`, keySchema);
  const client = new SchemaRegistryClient({ url, timeoutMs: 5000 });
  try {
    const cache = new SchemaCache(client);
    await cache.load([id]);
    const message = cache.reader(id).read(avroBody(keySchema, { id: 42 }), "key");
    assert.deepEqual(message.payload, { id: 42 });
    assert.equal(await codeOf(client.schemaText(id + 1_000_000)), "transient:schema_not_found");
  } finally {
    client.close();
  }
});

test("a registry outage is transient; once it is back, the cache loads", async () => {
  const dir = resolveDir(process.env.CDC_SINK_STACK_DIR);
  const state = readState(dir);
  assert.ok(state?.withRegistry, "the stack runs a registry");
  const url = registryUrl();
  const client = new SchemaRegistryClient({ url, timeoutMs: 2000 });
  try {
    await stopParts(state, ["registry"]);
    assert.equal(await codeOf(client.schemaText(1)), "transient:schema_registry_unavailable");
    const cache = new SchemaCache(client);
    assert.equal(await codeOf(cache.load([1])!), "transient:schema_registry_unavailable");
    // Back (in-memory storage: empty again), the producer registers its schema again.
    await launch("registry", state, new AbortController().signal);
    writeEndpoints(state);
    const id = await register(url, `avro-it-${process.pid}-back`, keySchema);
    await cache.load([id]);
    assert.deepEqual(cache.reader(id).read(avroBody(keySchema, { id: 7 }), "key").payload, { id: 7 });
  } finally {
    client.close();
  }
});
