// A mapping of CDC rows onto the user's own table (docs/mapping.md): the key schema, the attribute
// shaping and the metadata. Pure: built once at start-up from a checked MappingSpec, it turns one
// change into the conditional put the adapters send. Without a spec the built mapping is today's
// layout, and builds the same put byte for byte (test/unit/core/mapping*.test.ts compare them).

import { gzipSync } from "node:zlib";
import type { AttributeValue, Item, PutRequest } from "./attribute-value.ts";
import { PoisonError } from "./errors.ts";
import { itemKey } from "./identity.ts";
import { META, MAX_ITEM_BYTES, MAX_KEY_BYTES, type ItemOptions, type Position } from "./item.ts";
import { canonicalJson, numberText, parseJson, setOwn, type JsonValue } from "./json.ts";
import { fitsDynamoNumber, itemSize, toAttribute } from "./marshal.ts";
import { checkNesting } from "./nesting.ts";
import {
  ID_REF,
  SOURCE_REF,
  apart,
  columnRefs,
  parseTemplate,
  refs,
  render,
  separationProblem,
  type Template,
} from "./template.ts";
import type { ChangeEvent, Row, RowValue } from "./types.ts";

export const KEY_TYPES = ["S", "N", "B"] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const METADATA_MODES = ["full", "minimal"] as const;
export type MetadataMode = (typeof METADATA_MODES)[number];

export type KeySpec = {
  readonly attribute?: string | undefined;
  readonly type?: KeyType | undefined;
  readonly template: string;
};
export type Constant = string | number | boolean;

/** A mapping as configured (ITEM_MAPPING, a route's `mapping`). */
export type MappingSpec = {
  readonly keyColumns?: readonly string[] | undefined;
  readonly partitionKey?: KeySpec | undefined;
  readonly sortKey?: (KeySpec & { readonly attribute: string }) | undefined;
  readonly include?: readonly string[] | undefined;
  readonly exclude?: readonly string[] | undefined;
  readonly rename?: Readonly<Record<string, string>> | undefined;
  readonly jsonColumns?: readonly string[] | undefined;
  readonly constants?: Readonly<Record<string, Constant>> | undefined;
  readonly metadata?: MetadataMode | undefined;
};

export type MappingContext = {
  /** DYNAMODB_KEY_ATTRIBUTE: the partition key's name when the spec names none. */
  readonly keyAttribute: string;
  readonly ttlAttribute: string;
  /** The mapping serves several source tables (a pattern, several topics): rule 4. */
  readonly manyTopics: boolean;
};

/** DynamoDB's limit on a sort key value, in bytes (the partition key's is MAX_KEY_BYTES). */
export const MAX_SORT_KEY_BYTES = 1024;

/** The default layout's key, `<source>:<id>`, as a template: for rule 3 against other mappings. */
const DEFAULT_KEY = parseTemplate(`{${SOURCE_REF}}:{${ID_REF}}`) as Template;

export type KeyPart = {
  readonly attribute: string;
  readonly type: KeyType;
  /** undefined: the default `<source>:<id>` key. */
  readonly template: Template | undefined;
};

/** What is wrong with a spec, one message per problem (empty: it can be built). */
export function mappingProblems(spec: MappingSpec, ctx: MappingContext): string[] {
  const problems: string[] = [];
  const keyColumns = spec.keyColumns === undefined ? undefined : new Set(spec.keyColumns);
  const parts: { name: string; spec: KeySpec; attribute: string }[] = [];
  if (spec.partitionKey !== undefined)
    parts.push({
      name: "partitionKey",
      spec: spec.partitionKey,
      attribute: spec.partitionKey.attribute ?? ctx.keyAttribute,
    });
  if (spec.sortKey !== undefined) {
    if (spec.partitionKey === undefined) problems.push("sortKey needs a partitionKey template");
    parts.push({ name: "sortKey", spec: spec.sortKey, attribute: spec.sortKey.attribute });
  }
  const used = new Set<string>();
  let source = false;
  for (const p of parts) {
    if (p.attribute.startsWith("_cdc_")) problems.push(`${p.name}.attribute must not start with _cdc_`);
    if (p.attribute === ctx.ttlAttribute) problems.push(`${p.name}.attribute must differ from TTL_ATTRIBUTE`);
    const t = parseTemplate(p.spec.template);
    if (typeof t === "string") {
      problems.push(`${p.name}.template ${JSON.stringify(p.spec.template)}: ${t}`);
      continue;
    }
    for (const r of refs(t)) used.add(r);
    if (refs(t).includes(SOURCE_REF)) source = true;
    const type = p.spec.type ?? "S";
    if (type !== "S" && (t.segments.length !== 1 || columnRefs(t).length !== 1))
      problems.push(`${p.name} of type ${type} must be exactly one key column reference such as {order_id}`);
    const sep = separationProblem(t);
    if (sep !== undefined) problems.push(`${p.name}.template: ${sep}`);
    for (const c of columnRefs(t)) {
      if (keyColumns === undefined)
        problems.push(
          `${p.name}.template names {${c}}: list the source table's key columns in keyColumns, so that ` +
            "the mapping can be checked to give every row its own item",
        );
      else if (!keyColumns.has(c))
        problems.push(
          `${p.name}.template names {${c}}, which is not in keyColumns: a template may use key columns only ` +
            "(a delete carries no row, and a changed column would move the row to another item)",
        );
    }
  }
  if (parts.length === 2 && parts[0]!.attribute === parts[1]!.attribute)
    problems.push("partitionKey and sortKey must be different attributes");
  if (spec.partitionKey !== undefined && !used.has(ID_REF)) {
    const missing = [...(keyColumns ?? [])].filter((c) => !used.has(c));
    if (missing.length > 0)
      problems.push(
        `the key templates do not use key column(s) ${missing.join(", ")}: rows differing only there would share one item`,
      );
    if ((keyColumns?.size ?? 0) === 0)
      problems.push("the key templates name no key column nor {$id}: every row would share one item");
  }
  if (spec.partitionKey !== undefined && ctx.manyTopics && !source)
    problems.push(
      "this mapping serves several topics (a topicPattern, or several topics without a route), so its key " +
        "templates must use {$source}: else rows of different tables would share items",
    );
  const keyNames = new Set(parts.map((p) => p.attribute));
  if (spec.partitionKey === undefined) keyNames.add(ctx.keyAttribute);
  for (const name of Object.keys(spec.constants ?? {})) {
    if (name.startsWith("_cdc_") || keyNames.has(name) || name === ctx.ttlAttribute)
      problems.push(
        `constants.${name}: a constant may not be a key attribute, TTL_ATTRIBUTE or start with _cdc_`,
      );
  }
  const targets = Object.values(spec.rename ?? {});
  for (const t of new Set(targets.filter((t, i) => targets.indexOf(t) !== i)))
    problems.push(`rename gives two columns the attribute name ${t}`);
  for (const t of targets.filter((t) => t.startsWith("_cdc_")))
    problems.push(`rename to ${t}: attribute names starting with _cdc_ are the sink's`);
  const exclude = new Set(spec.exclude ?? []);
  for (const c of spec.include ?? [])
    if (exclude.has(c)) problems.push(`column ${c} is in both include and exclude`);
  return problems;
}

/** A built mapping: the key schema, and how one change becomes a conditional put. */
export class TableMapping {
  readonly partition: KeyPart;
  readonly sort: KeyPart | undefined;
  /** A custom key: its items carry `_cdc_source`/`_cdc_id`, compared by the condition. */
  readonly templated: boolean;
  readonly metadata: MetadataMode;
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
    if (this.metadata === "full") {
      const meta: Item = {
        [META.version]: { S: event.version },
        [META.deleted]: { BOOL: event.op === "d" },
        [META.op]: { S: event.op },
        [META.source]: { S: event.source },
        [META.id]: { S: event.id },
        [META.topic]: { S: at.topic },
        [META.partition]: { N: String(at.partition) },
        [META.offset]: { N: at.offset },
        [META.writtenAt]: { N: String(nowMs) },
      };
      if (event.sourceTsMs !== undefined) meta[META.sourceTsMs] = { N: String(event.sourceTsMs) };
      return meta;
    }
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

function keyValue(part: KeyPart, event: ChangeEvent, maxBytes: number): AttributeValue {
  const t = part.template!;
  const values = (ref: string): RowValue => {
    if (ref === SOURCE_REF) return event.source;
    if (ref === ID_REF) return event.id;
    const column = event.keyColumns.find((c) => c.name === ref);
    if (column === undefined)
      throw new PoisonError(
        "mapping_key_mismatch",
        `the record's key has no column ${ref} (key attribute ${part.attribute})`,
      );
    return column.value;
  };
  if (part.type === "N") {
    const ref = columnRefs(t)[0]!;
    const text = numberText(values(ref));
    if (text === undefined || !fitsDynamoNumber(text))
      throw new PoisonError(
        "invalid_value",
        `key attribute ${part.attribute} is a number (N), but {${ref}} is not a number DynamoDB holds exactly`,
      );
    return { N: text };
  }
  if (part.type === "B") {
    const ref = columnRefs(t)[0]!;
    const value = values(ref);
    if (!(value instanceof Uint8Array))
      throw new PoisonError(
        "invalid_value",
        `key attribute ${part.attribute} is binary (B), but {${ref}} is not bytes`,
      );
    if (value.length === 0)
      throw new PoisonError("invalid_value", `key attribute ${part.attribute} would be empty`);
    return { B: value };
  }
  const text = render(t, values, part.attribute);
  if (text === "") throw new PoisonError("invalid_value", `key attribute ${part.attribute} would be empty`);
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes)
    throw new PoisonError(
      "key_too_large",
      `key attribute ${part.attribute} is ${bytes} bytes, over DynamoDB's ${maxBytes}-byte limit`,
    );
  return { S: text };
}

/** A refused condition's stored item names another row: the key collides (run time). */
export function collision(
  event: ChangeEvent,
  old: Item | undefined,
  mapping: TableMapping | undefined,
): PoisonError | undefined {
  if (mapping?.templated !== true || old?.[META.version] === undefined) return undefined;
  const source = old[META.source]?.S;
  const id = old[META.id]?.S;
  if (source === event.source && id === event.id) return undefined;
  return new PoisonError(
    "key_collision",
    `the mapped item for this record (source ${event.source}) already holds another row ` +
      `(${source === undefined ? `no ${META.source}` : `source ${source}`}); the mapping gives two rows one ` +
      "item, so nothing was written",
  );
}

export type MappedTable = { readonly where: string; readonly table: string; readonly mapping: TableMapping };

function sameSchema(a: TableMapping, b: TableMapping): string | undefined {
  const x = a.keySchema();
  const y = b.keySchema();
  const text = (s: typeof x) =>
    `${s.partition.attribute} (${s.partition.type})${s.sort === undefined ? "" : ` + ${s.sort.attribute} (${s.sort.type})`}`;
  return text(x) === text(y) ? undefined : `${text(x)} against ${text(y)}`;
}

/** Rule 3 across mappings that write one table: one key schema, and keys that cannot meet. */
export function tableConflicts(entries: readonly MappedTable[]): string[] {
  const problems: string[] = [];
  entries.forEach((a, i) => {
    for (const b of entries.slice(i + 1)) {
      if (a.table !== b.table) continue;
      const schema = sameSchema(a.mapping, b.mapping);
      if (schema !== undefined) {
        problems.push(
          `${a.where} and ${b.where} write table ${a.table} with different key schemas: ${schema}`,
        );
        continue;
      }
      const pa = a.mapping.partition.template ?? DEFAULT_KEY;
      const pb = b.mapping.partition.template ?? DEFAULT_KEY;
      const sa = a.mapping.sort?.template;
      const sb = b.mapping.sort?.template;
      if (!apart(pa, pb) && !(sa !== undefined && sb !== undefined && apart(sa, sb)))
        problems.push(
          `${a.where} and ${b.where} write table ${a.table} with keys that can be equal ` +
            `(${pa.text}${sa === undefined ? "" : ` / ${sa.text}`} and ${pb.text}${sb === undefined ? "" : ` / ${sb.text}`}): ` +
            "give one of them a distinguishing constant (CUSTOMER#…, ORDER#…) or {$source}",
        );
    }
  });
  return problems;
}
