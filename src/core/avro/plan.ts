// An Avro schema → a plan that turns what avsc decoded into the parsed shape the JSON path has
// (core/decode.ts's Message): JsonValue payloads plus a Connect-style schema where the payload alone
// would lose something (bytes travel as base64 text beside a `bytes` schema, as JsonConverter does).
//
// avsc decodes the binary; it drops schema attributes it has no logical type for (`connect.name`,
// Debezium's semantic types), so the plan is built from the schema JSON itself, resolving names as
// the Avro specification does (a name without a dot takes the enclosing namespace).

import { PoisonError } from "../errors.ts";
import type { ConnectSchema } from "../connect-schema.ts";
import { decimalFromBytes } from "../connect-schema.ts";
import { JsonNumber, isPlainObject, setOwn, type JsonValue } from "../json.ts";

export type Plan = {
  /** The key avsc uses for this type as a branch of a wrapped union. */
  readonly branch: string;
  readonly convert: (value: unknown) => JsonValue;
  readonly connect: () => ConnectSchema | undefined;
};

const PRIMITIVES = new Set(["null", "boolean", "int", "long", "float", "double", "bytes", "string"]);
const DECIMAL = "org.apache.kafka.connect.data.Decimal";
const VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal";

type Attrs = { readonly [key: string]: unknown };

function invalid(message: string): PoisonError {
  return new PoisonError("avro_schema_invalid", `the registry's Avro schema is unusable: ${message}`);
}

/** A long as avsc hands it (see reader.ts): exact, a JS number only while that is exact too. */
export function longValue(value: bigint): JsonValue {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : new JsonNumber(value.toString());
}

// IEEE specials have no JSON number: JsonConverter (Jackson) writes them as the strings below, and
// the JSON path stores those as S; the Avro path does the same.
function finite(n: number): JsonValue {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  return n;
}

/**
 * An Avro float is read as the double of the same value (1.1f → 1.100000023841858); Java's
 * Float.toString, which JsonConverter uses, writes the shortest decimal that reads back as that
 * float ("1.1"). The same shortest decimal here, so both paths store the same N.
 */
export function floatValue(f: number): JsonValue {
  if (!Number.isFinite(f) || f === 0) return finite(f);
  for (let p = 1; p < 9; p++) {
    const shorter = Number(f.toPrecision(p));
    if (Math.fround(shorter) === f) return shorter;
  }
  return f;
}

function scaleOf(attrs: Attrs): number {
  const direct = attrs["scale"];
  if (typeof direct === "number") return direct;
  const params = attrs["connect.parameters"];
  const text = isPlainObject(params) ? params["scale"] : undefined;
  if (typeof text === "string" && /^-?\d{1,10}$/.test(text)) return Number(text);
  return 0;
}

function isDecimal(attrs: Attrs): boolean {
  return attrs["logicalType"] === "decimal" || attrs["connect.name"] === DECIMAL;
}

function bytesPlan(attrs: Attrs, branch: string): Plan {
  if (isDecimal(attrs)) {
    const scale = scaleOf(attrs);
    return {
      branch,
      convert: (v) => new JsonNumber(decimalFromBytes(v as Buffer, scale)),
      connect: () => undefined,
    };
  }
  return {
    branch,
    convert: (v) => (v as Buffer).toString("base64"),
    connect: () => ({ type: "bytes" }),
  };
}

function primitivePlan(type: string, attrs: Attrs): Plan {
  switch (type) {
    case "null":
      return { branch: type, convert: () => null, connect: () => undefined };
    case "boolean":
    case "int":
    case "string":
      // int logical types (date, time-millis) and string ones (uuid) keep their value: the JSON
      // path stores Connect's Date as days, Time as milliseconds, exactly these numbers.
      return { branch: type, convert: (v) => v as JsonValue, connect: () => undefined };
    case "long":
      // timestamp-millis, timestamp-micros, time-micros, local-timestamp-*, Debezium's
      // MicroTimestamp, NanoTime …: the count in the logical type's unit, as the JSON path has it.
      return { branch: type, convert: (v) => longValue(v as bigint), connect: () => undefined };
    case "float":
      return { branch: type, convert: (v) => floatValue(v as number), connect: () => undefined };
    case "double":
      return { branch: type, convert: (v) => finite(v as number), connect: () => undefined };
    default:
      return bytesPlan(attrs, type);
  }
}

function qualify(name: string, namespace: string | undefined): string {
  if (name.includes(".") || namespace === undefined || namespace === "") return name;
  return `${namespace}.${name}`;
}

function namespaceOf(fullName: string): string | undefined {
  const dot = fullName.lastIndexOf(".");
  return dot < 0 ? undefined : fullName.slice(0, dot);
}

class Compiler {
  readonly #named = new Map<string, Plan>();

  compile(schema: unknown, namespace: string | undefined): Plan {
    if (typeof schema === "string") {
      if (PRIMITIVES.has(schema)) return primitivePlan(schema, {});
      const name = qualify(schema, namespace);
      // A reference to a named type: looked up when used, so a record may refer to itself.
      const lookup = (): Plan => {
        const plan = this.#named.get(name) ?? this.#named.get(schema);
        if (plan === undefined) throw invalid(`it refers to an undefined type ${JSON.stringify(schema)}`);
        return plan;
      };
      if (!this.#named.has(name) && !this.#named.has(schema))
        throw invalid(`it refers to an undefined type ${JSON.stringify(schema)}`);
      return {
        branch: lookup().branch,
        convert: (v) => lookup().convert(v),
        connect: () => lookup().connect(),
      };
    }
    if (Array.isArray(schema)) return this.#union(schema, namespace);
    if (!isPlainObject(schema)) throw invalid("a type is neither a name, a union nor an object");
    const attrs = schema as Attrs;
    const type = attrs["type"];
    if (typeof type !== "string") return this.compile(type, namespace);
    switch (type) {
      case "record":
      case "error":
        return this.#record(attrs, namespace);
      case "enum":
        return this.#define(attrs, namespace, (branch) => ({
          branch,
          convert: (v) => v as string,
          connect: () => undefined,
        }));
      case "fixed":
        return this.#define(attrs, namespace, (branch) => bytesPlan(attrs, branch));
      case "array": {
        const items = this.compile(attrs["items"], namespace);
        return {
          branch: "array",
          convert: (v) => (v as unknown[]).map((item) => items.convert(item)),
          connect: () => ({ type: "array", items: items.connect() ?? {} }),
        };
      }
      case "map": {
        const values = this.compile(attrs["values"], namespace);
        return {
          // Read as an array of {key, value} (reader.ts's forAvsc), so a union names it "array".
          branch: "array",
          convert: (v) => {
            const out: { [key: string]: JsonValue } = {};
            for (const e of v as { key: string; value: unknown }[])
              setOwn(out, e.key, values.convert(e.value));
            return out;
          },
          connect: () => ({ type: "map" }),
        };
      }
      default:
        if (PRIMITIVES.has(type)) return primitivePlan(type, attrs);
        return this.compile(type, namespace);
    }
  }

  #define(attrs: Attrs, namespace: string | undefined, make: (fullName: string) => Plan): Plan {
    const name = attrs["name"];
    if (typeof name !== "string") throw invalid("a named type has no name");
    const ns = typeof attrs["namespace"] === "string" ? attrs["namespace"] : namespace;
    const fullName = qualify(name, ns);
    const plan = make(fullName);
    this.#named.set(fullName, plan);
    return plan;
  }

  #record(attrs: Attrs, namespace: string | undefined): Plan {
    const fields: { name: string; plan: Plan }[] = [];
    const variableScale = attrs["connect.name"] === VARIABLE_SCALE_DECIMAL;
    let building: ConnectSchema | undefined;
    let connect: ConnectSchema | undefined;
    const plan = this.#define(attrs, namespace, (fullName) => ({
      branch: fullName,
      convert: (v) => {
        const value = v as Record<string, unknown>;
        if (variableScale) return variableScaleDecimal(value);
        const out: { [key: string]: JsonValue } = {};
        for (const f of fields) setOwn(out, f.name, f.plan.convert(value[f.name]));
        return out;
      },
      connect: () => {
        if (connect !== undefined) return connect;
        // A record inside itself (recursive schemas): its values are converted already; the
        // schema only says "struct" below the first level.
        if (building !== undefined) return { type: "struct" };
        building = { type: "struct" };
        connect = {
          type: "struct",
          fields: fields.map((f) => ({ ...(f.plan.connect() ?? {}), field: f.name })),
        };
        return connect;
      },
    }));
    const list = attrs["fields"];
    if (!Array.isArray(list)) throw invalid(`record ${plan.branch} has no fields list`);
    const inner = namespaceOf(plan.branch);
    for (const f of list) {
      if (!isPlainObject(f) || typeof f["name"] !== "string")
        throw invalid(`record ${plan.branch} has a field without a name`);
      fields.push({ name: f["name"], plan: this.compile(f["type"], inner) });
    }
    return plan;
  }

  #union(branches: unknown[], namespace: string | undefined): Plan {
    const plans = branches.map((b) => this.compile(b, namespace));
    const byBranch = new Map(plans.map((p) => [p.branch, p]));
    const nonNull = plans.filter((p) => p.branch !== "null");
    return {
      branch: "union",
      // avsc with wrapUnions: null, or { branchName: value }.
      convert: (v) => {
        if (v === null) return null;
        const [name] = Object.keys(v as object);
        const plan = name === undefined ? undefined : byBranch.get(name);
        if (plan === undefined) throw invalid(`a union value names no branch of its union`);
        return plan.convert((v as Record<string, unknown>)[name!]);
      },
      // Connect's optional fields are ["null", T]: T's schema. Several non-null branches (which
      // Connect never writes) have no single schema: their bytes stay base64 text.
      connect: () => (nonNull.length === 1 ? nonNull[0]!.connect() : undefined),
    };
  }
}

// Debezium's VariableScaleDecimal (numeric without a fixed scale) is a record {scale: int, value:
// bytes}: the unscaled two's-complement integer and its scale, read exactly as the JSON path does.
function variableScaleDecimal(value: Record<string, unknown>): JsonValue {
  const scale = value["scale"];
  const bytes = value["value"];
  if (typeof scale !== "number" || !Buffer.isBuffer(bytes))
    throw new PoisonError("invalid_decimal", "a VariableScaleDecimal needs an int scale and bytes value");
  return new JsonNumber(decimalFromBytes(bytes, scale));
}

/** Compiles an Avro schema (parsed JSON) into its plan; a malformed schema is `avro_schema_invalid`. */
export function compilePlan(schema: unknown): Plan {
  return new Compiler().compile(schema, undefined);
}
