// The stack's Jaeger configuration: every listener on 127.0.0.1 at the port the stack picked (Jaeger's
// defaults are fixed ports, its query API on all interfaces), and nothing else listening or sending:
// no collector metrics endpoint, no self-tracing to the fixed 127.0.0.1:4317.

import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "yaml";
import { jaegerConfig } from "../../../tools/stack/parts/jaeger.ts";
import type { StackState } from "../../../tools/stack/state.ts";

const ports = { jaeger: 41001, jaegerQueryGrpc: 41002, jaegerOtlpGrpc: 41003, jaegerOtlpHttp: 41004 };
const config: unknown = parse(jaegerConfig({ ports } as unknown as StackState));
/** The value at a path of keys in the parsed configuration. */
const at = (...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], config);

/** Every `endpoint` value anywhere in the configuration. */
function endpoints(node: unknown): string[] {
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) =>
    k === "endpoint" ? [String(v)] : endpoints(v),
  );
}

test("every listener is on loopback at the stack's ports, none at Jaeger's defaults", () => {
  assert.deepEqual(
    endpoints(config).sort(),
    Object.values(ports)
      .map((p) => `127.0.0.1:${p}`)
      .sort(),
  );
  assert.equal(at("extensions", "jaeger_query", "http", "endpoint"), "127.0.0.1:41001");
  assert.equal(at("receivers", "otlp", "protocols", "http", "endpoint"), "127.0.0.1:41004");
});

test("in memory, traces only, no own metrics endpoint and no self-tracing", () => {
  assert.deepEqual(Object.keys(at("service", "pipelines") as object), ["traces"]);
  assert.deepEqual(at("service", "extensions"), ["jaeger_storage", "jaeger_query"]);
  assert.ok(at("extensions", "jaeger_storage", "backends", "memstore", "memory") !== undefined);
  assert.equal(at("service", "telemetry", "metrics", "level"), "none");
  assert.equal(at("extensions", "jaeger_query", "enable_tracing"), false);
});

test("unassigned ports are an error, not a default", () => {
  assert.throws(() => jaegerConfig({ ports: {} } as unknown as StackState), /ports were not assigned/);
});
