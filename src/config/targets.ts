// Where each topic's rows go: the table, the mapping (docs/mapping.md) and the tombstone TTL, built
// once at start-up from the checked configuration. The composition roots (`run`, `init-table`,
// reconcile) ask this instead of reading routes and mappings themselves.

import { TableMapping, type MappingSpec } from "../core/mapping.ts";
import type { Config } from "./config.ts";
import { routeFor, type Route } from "./routes.ts";

export type Target = {
  readonly table: string;
  /** undefined: the default layout (no ITEM_MAPPING, no route mapping), built as it always was. */
  readonly mapping: TableMapping | undefined;
  readonly tombstoneTtlSeconds: number;
};

/** One table's needs for the start-up checks: its key schema, and whether tombstones carry a TTL. */
export type TableNeeds = { readonly table: string; readonly mapping: TableMapping; readonly ttl: boolean };

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
      t = {
        table: route?.table ?? this.#config.dynamodb.table,
        mapping: this.#mapping(route?.mapping ?? this.#config.records.mapping),
        tombstoneTtlSeconds: route?.tombstoneTtlSeconds ?? this.#config.records.tombstoneTtlSeconds,
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
    for (const t of this.all()) {
      const mapping = t.mapping ?? this.#mapping({})!;
      const seen = out.get(t.table);
      out.set(t.table, {
        table: t.table,
        mapping: seen?.mapping ?? mapping,
        ttl: (seen?.ttl ?? false) || t.tombstoneTtlSeconds > 0,
      });
    }
    return [...out.values()];
  }
}
