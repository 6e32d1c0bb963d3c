// The start-up rules of a mapping (docs/mapping.md, "Injectivity"): what is wrong with one spec,
// and whether mappings writing one table can give two rows one item.
import {
  ID_REF,
  SOURCE_REF,
  apart,
  columnRefs,
  parseTemplate,
  refs,
  separationProblem,
  type Template,
} from "./template.ts";
import type { TableMapping } from "./mapping.ts";
import type { KeySpec, MappingContext, MappingSpec } from "./mapping-spec.ts";

/** The default layout's key, `<source>:<id>`, as a template: for rule 3 against other mappings. */
const DEFAULT_KEY = parseTemplate(`{${SOURCE_REF}}:{${ID_REF}}`) as Template;

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
  if (spec.tombstoneTable !== undefined && spec.deletes !== "hard")
    problems.push('tombstoneTable is the companion table of deletes: "hard"; it is not used otherwise');
  return problems;
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
