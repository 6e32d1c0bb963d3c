// Where each topic's rows go: the table, the mapping (docs/mapping.md) and the tombstone TTL, built
// once at start-up from the checked configuration. The composition roots (`run`, `init-table`,
// reconcile) ask this instead of reading routes and mappings themselves.

import { TableMapping, type MappingSpec } from "../core/mapping.ts";
import { defaultTombstoneTable } from "../core/hard-delete.ts";
import type { Config } from "./config.ts";
import { routeFor, type Route } from "./routes.ts";

export type Target = {
  readonly table: string;
  /** undefined: the default layout (no ITEM_MAPPING, no route mapping), built as it always was. */
  readonly mapping: TableMapping | undefined;
  readonly tombstoneTtlSeconds: number;
  /** `deletes: "hard"`: the companion table of its tombstones (core/hard-delete.ts). */
  readonly tombstoneTable: string | undefined;
  /** Topics with equal keys share one sink (and its transaction batching). */
  readonly sinkKey: string;
};

/** One table's needs for the start-up checks: its key schema, and whether tombstones carry a TTL. */
export type TableNeeds = {
  readonly table: string;
  readonly mapping: TableMapping;
  /** Some topic writes it through a mapping (else: the default layout only). */
  readonly mapped: boolean;
  readonly ttl: boolean;
  /** The companion tables of the routes with `deletes: "hard"` into this table. */
  readonly tombstoneTables: readonly string[];
};

export class Targets {
  readonly #config: Config;
  readonly #built = new Map<Route | undefined, Target>();

  constructor(config: Config) {
    this.#config = config;
  }

  #mapping(spec: MappingSpec | undefined): TableMapping | undefined {
    if (spec === undefined) return undefined;
    // The rules were applied across all mappings when the configuration was loaded (config.ts).
    const { keyAttribute } = this.#config.dynamodb;
    return new TableMapping(spec, {
      keyAttribute,
      ttlAttribute: this.#config.records.ttlAttribute,
      manyTopics: false,
    });
  }

  #target(route: Route | undefined): Target {
    let t = this.#built.get(route);
    if (t === undefined) {
      const spec = route?.mapping ?? this.#config.records.mapping;
      const table = route?.table ?? this.#config.dynamodb.table;
      const ttl = route?.tombstoneTtlSeconds ?? this.#config.records.tombstoneTtlSeconds;
      const mapping = this.#mapping(spec);
      t = {
        table,
        mapping,
        tombstoneTable:
          mapping?.deletes === "hard" ? (mapping.tombstoneTable ?? defaultTombstoneTable(table)) : undefined,
        tombstoneTtlSeconds: ttl,
        sinkKey: `${table}/${ttl}/${spec === undefined ? "" : JSON.stringify(spec)}`,
      };
      this.#built.set(route, t);
    }
    return t;
  }

  forTopic(topic: string): Target {
    return this.#target(routeFor(this.#config.routes, topic));
  }

  /** The route whose first topic is `topic`, or the default: for `init-table --route`. */
  all(): Target[] {
    return [undefined, ...this.#config.routes].map((r) => this.#target(r));
  }

  /** Every table written, once, with the key schema its mappings share (rule 3) and its TTL need. */
  tables(): TableNeeds[] {
    const out = new Map<string, TableNeeds>();
    // DYNAMODB_TABLE is written only when a topic can fall through the routes.
    const { topics, topicPattern } = this.#config.kafka;
    const fallback =
      topicPattern !== undefined || topics.some((t) => routeFor(this.#config.routes, t) === undefined);
    for (const t of fallback ? this.all() : this.all().slice(1)) {
      const seen = out.get(t.table);
      out.set(t.table, {
        table: t.table,
        mapping: seen?.mapped === true ? seen.mapping : (t.mapping ?? this.#mapping({})!),
        mapped: seen?.mapped === true || t.mapping !== undefined,
        ttl: seen?.ttl === true || t.tombstoneTtlSeconds > 0,
        tombstoneTables: [
          ...new Set([
            ...(seen?.tombstoneTables ?? []),
            ...(t.tombstoneTable === undefined ? [] : [t.tombstoneTable]),
          ]),
        ],
      });
    }
    return [...out.values()];
  }
}
