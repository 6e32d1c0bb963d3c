// The shape of a mapping as configured (docs/mapping.md): key specs, metadata modes, and the key
// parts a built mapping keeps.
import type { Template } from "./template.ts";

export const KEY_TYPES = ["S", "N", "B"] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const METADATA_MODES = ["full", "minimal"] as const;
export type MetadataMode = (typeof METADATA_MODES)[number];
/** `tombstone`: a delete leaves a versioned tombstone item; `hard`: the row goes (core/hard-delete.ts). */
export const DELETE_MODES = ["tombstone", "hard"] as const;
export type DeleteMode = (typeof DELETE_MODES)[number];

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
  readonly deletes?: DeleteMode | undefined;
  /** `deletes: hard`: the companion table holding the tombstones; default `<table>-cdc-tombstones`. */
  readonly tombstoneTable?: string | undefined;
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

export type KeyPart = {
  readonly attribute: string;
  readonly type: KeyType;
  /** undefined: the default `<source>:<id>` key. */
  readonly template: Template | undefined;
};
