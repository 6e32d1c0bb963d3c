// A mapping of CDC rows onto the user's own table (docs/mapping.md): the key schema, the attribute
// shaping and the metadata. Pure: built once at start-up from a checked MappingSpec, it turns one
// change into the conditional put the adapters send. Without a spec the built mapping is today's
// layout, and builds the same put byte for byte (test/unit/core/mapping*.test.ts compare them).
import { gzipSync } from "node:zlib";
import type { AttributeValue, Item, PutRequest } from "./attribute-value.ts";
import { PoisonError } from "./errors.ts";
import { itemKey } from "./identity.ts";
import { META, MAX_ITEM_BYTES, MAX_KEY_BYTES, metadata, type ItemOptions, type Position } from "./item.ts";
import { canonicalJson, parseJson, setOwn, type JsonValue } from "./json.ts";
import { itemSize, toAttribute } from "./marshal.ts";
import { checkNesting } from "./nesting.ts";
import { columnRefs, parseTemplate, type Template } from "./template.ts";
import type { ChangeEvent, Row, RowValue } from "./types.ts";
import { keyValue } from "./mapping-key.ts";
import { mappingProblems } from "./mapping-rules.ts";
import {
  MAX_SORT_KEY_BYTES,
  type KeyPart,
  type KeySpec,
  type DeleteMode,
  type KeyType,
  type MappingContext,
  type MappingSpec,
  type MetadataMode,
} from "./mapping-spec.ts";

export * from "./mapping-spec.ts";
export { collision } from "./mapping-key.ts";
export { mappingProblems, tableConflicts, type MappedTable } from "./mapping-rules.ts";

/** A built mapping: the key schema, and how one change becomes a conditional put. */
export class TableMapping {
  readonly partition: KeyPart;
  readonly sort: KeyPart | undefined;
  /** A custom key: its items carry `_cdc_source`/`_cdc_id`, compared by the condition. */
  readonly templated: boolean;
  readonly metadata: MetadataMode;
  readonly deletes: DeleteMode;
  /** `deletes: hard`: the companion table named by the spec; undefined: the default name. */
  readonly tombstoneTable: string | undefined;
  readonly keyColumns: readonly string[] | undefined;
  readonly ttlAttribute: string;
  readonly #include: ReadonlySet<string> | undefined;
  readonly #exclude: ReadonlySet<string>;
  readonly #rename: ReadonlyMap<string, string>;
  readonly #json: ReadonlySet<string>;
  readonly #constants: Item;
  /** Attribute names a row column may not take (stored as `_cdc_col_<name>`). */
  readonly #reserved: ReadonlySet<string>;
  /** Key attribute → the column its template is exactly: that column is not written twice. */
  readonly #heldByKey: ReadonlyMap<string, string>;

  constructor(spec: MappingSpec, ctx: MappingContext) {
    const problems = mappingProblems(spec, ctx);
    if (problems.length > 0) throw new Error(`invalid mapping: ${problems.join("; ")}`);
    const part = (k: KeySpec, attribute: string): KeyPart => ({
      attribute,
      type: k.type ?? "S",
      template: parseTemplate(k.template) as Template,
    });
    this.partition =
      spec.partitionKey === undefined
        ? { attribute: ctx.keyAttribute, type: "S", template: undefined }
        : part(spec.partitionKey, spec.partitionKey.attribute ?? ctx.keyAttribute);
    this.sort = spec.sortKey === undefined ? undefined : part(spec.sortKey, spec.sortKey.attribute);
    this.templated = this.partition.template !== undefined;
    this.metadata = spec.metadata ?? "full";
    this.deletes = spec.deletes ?? "tombstone";
    this.tombstoneTable = spec.tombstoneTable;
    this.keyColumns = spec.keyColumns;
    this.ttlAttribute = ctx.ttlAttribute;
    this.#include = spec.include === undefined ? undefined : new Set(spec.include);
    this.#exclude = new Set(spec.exclude ?? []);
    this.#rename = new Map(Object.entries(spec.rename ?? {}));
    this.#json = new Set(spec.jsonColumns ?? []);
    this.#constants = {};
    for (const [name, value] of Object.entries(spec.constants ?? {}))
      setOwn(this.#constants, name, toAttribute(value));
    const keys = [this.partition, ...(this.sort === undefined ? [] : [this.sort])];
    this.#reserved = new Set([
      ...keys.map((k) => k.attribute),
      ctx.ttlAttribute,
      ...Object.keys(this.#constants),
    ]);
    this.#heldByKey = new Map(
      keys.flatMap((k) => {
        const only = k.template?.segments.length === 1 ? columnRefs(k.template) : [];
        return only.length === 1 ? [[k.attribute, only[0]!] as const] : [];
      }),
    );
  }

  /** The table's key schema this mapping writes. */
  keySchema(): {
    partition: { attribute: string; type: KeyType };
    sort?: { attribute: string; type: KeyType };
  } {
    const p = { attribute: this.partition.attribute, type: this.partition.type };
    return this.sort === undefined
      ? { partition: p }
      : { partition: p, sort: { attribute: this.sort.attribute, type: this.sort.type } };
  }

  /** The item key of a change; throws PoisonError when the record cannot have one. */
  key(event: ChangeEvent): Item {
    if (this.partition.template === undefined) {
      const keyText = itemKey(event.source, event.id);
      const keyBytes = Buffer.byteLength(keyText);
      if (keyBytes > MAX_KEY_BYTES) {
        throw new PoisonError(
          "key_too_large",
          `the item key is ${keyBytes} bytes, over DynamoDB's ${MAX_KEY_BYTES}-byte limit for a partition ` +
            `key (it is the source name, ":", and the key columns as JSON)`,
        );
      }
      return { [this.partition.attribute]: { S: keyText } };
    }
    this.#checkKeyColumns(event);
    const key: Item = {};
    setOwn(key, this.partition.attribute, keyValue(this.partition, event, MAX_KEY_BYTES));
    if (this.sort !== undefined)
      setOwn(key, this.sort.attribute, keyValue(this.sort, event, MAX_SORT_KEY_BYTES));
    return key;
  }

  #checkKeyColumns(event: ChangeEvent): void {
    if (this.keyColumns === undefined) return;
    const names = event.keyColumns.map((c) => c.name);
    const expected = new Set(this.keyColumns);
    if (names.length !== expected.size || names.some((n) => !expected.has(n)))
      throw new PoisonError(
        "mapping_key_mismatch",
        `the record's key columns (${names.join(", ")}) are not the mapping's keyColumns ` +
          `(${this.keyColumns.join(", ")}); was the source table's primary key changed?`,
      );
  }

  /** Where a row column goes: its attribute name, or undefined when the mapping leaves it out. */
  columnAttribute(column: string, isKey: boolean): string | undefined {
    if (!isKey && (this.#exclude.has(column) || (this.#include !== undefined && !this.#include.has(column))))
      return undefined;
    const name = this.#rename.get(column) ?? column;
    if (this.#heldByKey.get(name) === column) return undefined;
    return this.#reserved.has(name) || name.startsWith("_cdc_") ? `${META.columnPrefix}${name}` : name;
  }

  /** The source column an attribute holds, for readers (reconcile): the inverse of columnAttribute. */
  attributeColumn(attribute: string): string | undefined {
    let name = attribute;
    if (attribute.startsWith(META.columnPrefix)) name = attribute.slice(META.columnPrefix.length);
    else if (this.#reserved.has(attribute) || attribute.startsWith("_cdc_")) return undefined;
    for (const [column, target] of this.#rename) if (target === name) return column;
    return this.#rename.has(name) ? undefined : name;
  }

  /** Key attribute → the column it holds exactly (`{col}` templates). */
  heldByKey(): ReadonlyMap<string, string> {
    return this.#heldByKey;
  }

  #value(column: string, value: RowValue): AttributeValue {
    if (!this.#json.has(column) || typeof value !== "string") return toAttribute(value);
    let parsed: JsonValue;
    try {
      parsed = parseJson(value);
    } catch {
      // The parser's message quotes the text: row values never go into messages.
      throw new PoisonError(
        "invalid_value",
        `column ${column} is in jsonColumns but its value is not JSON text`,
      );
    }
    checkNesting(parsed, `column ${column}`);
    return toAttribute(parsed);
  }

  #rowAttributes(row: Row, keyNames: ReadonlySet<string>): Item {
    const out: Item = {};
    for (const column of Object.keys(row)) {
      const name = this.columnAttribute(column, keyNames.has(column));
      if (name !== undefined) setOwn(out, name, this.#value(column, row[column]!));
    }
    return out;
  }

  /** The row as written before compression, by source column names (the compressed form's content). */
  #shapedRow(row: Row, keyNames: ReadonlySet<string>): Row {
    if (this.#include === undefined && this.#exclude.size === 0) return row;
    const out: Row = {};
    for (const column of Object.keys(row))
      if (this.columnAttribute(column, keyNames.has(column)) !== undefined || keyNames.has(column))
        setOwn(out, column, row[column]!);
    return out;
  }

  #meta(event: ChangeEvent, at: Position, nowMs: number): Item {
    if (this.metadata === "full") return metadata(event, at, nowMs);
    const meta: Item = { [META.version]: { S: event.version }, [META.deleted]: { BOOL: event.op === "d" } };
    if (this.templated) {
      meta[META.source] = { S: event.source };
      meta[META.id] = { S: event.id };
    }
    if (event.sourceTsMs !== undefined) meta[META.sourceTsMs] = { N: String(event.sourceTsMs) };
    return meta;
  }

  /** The conditional put of one change; throws PoisonError when the item cannot be written. */
  put(event: ChangeEvent, at: Position, options: ItemOptions, nowMs: number): PutRequest {
    const key = this.key(event);
    const meta = this.#meta(event, at, nowMs);
    const keyNames = new Set(event.keyColumns.map((c) => c.name));
    const constants = this.#constants;
    let item: Item;
    if (event.row === null) {
      const keyRow: Row = Object.fromEntries(event.keyColumns.map((c) => [c.name, c.value]));
      item = { ...this.#rowAttributes(keyRow, keyNames), ...constants, ...meta, ...key };
      if (options.tombstoneTtlSeconds > 0) {
        item[this.ttlAttribute] = { N: String(Math.floor(nowMs / 1000) + options.tombstoneTtlSeconds) };
      }
    } else {
      item = { ...this.#rowAttributes(event.row, keyNames), ...constants, ...meta, ...key };
      if (itemSize(item) > MAX_ITEM_BYTES) {
        if (options.compression !== "gzip") {
          throw new PoisonError(
            "item_too_large",
            `the item is ${itemSize(item)} bytes, over DynamoDB's 400 KB limit ` +
              `(set ITEM_COMPRESSION=gzip to store large rows compressed)`,
          );
        }
        const gz = {
          [META.rowGzip]: { B: gzipSync(canonicalJson(this.#shapedRow(event.row, keyNames) as JsonValue)) },
        };
        item = { ...gz, ...constants, ...meta, ...key };
      }
    }
    if (itemSize(item) > MAX_ITEM_BYTES) {
      throw new PoisonError(
        "item_too_large",
        `the item is ${itemSize(item)} bytes even compressed, over DynamoDB's 400 KB limit`,
      );
    }
    const names: Record<string, string> = { "#key": this.partition.attribute, "#version": META.version };
    const values: Item = { ":scheme": { S: event.versionScheme }, ":version": { S: event.version } };
    // A templated key can be reached by another row's change (a collision): the condition also
    // names the row, so a collision is refused and reported (refusedOf), never an overwrite.
    let condition = "attribute_not_exists(#key) OR (begins_with(#version, :scheme) AND #version < :version)";
    if (this.templated) {
      condition =
        "attribute_not_exists(#key) OR (#source = :source AND #id = :id AND " +
        "begins_with(#version, :scheme) AND #version < :version)";
      Object.assign(names, { "#source": META.source, "#id": META.id });
      Object.assign(values, { ":source": { S: event.source }, ":id": { S: event.id } });
    }
    return {
      TableName: options.table,
      Item: item,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    };
  }
}
