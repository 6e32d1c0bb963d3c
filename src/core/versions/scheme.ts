// What every version scheme receives and returns; one module per scheme implements `derive`.

import type { JsonValue } from "../json.ts";
import type { DecodeOptions, RowValue } from "../types.ts";

export type SourceBlock = { readonly [key: string]: JsonValue | undefined };

export type VersionInput = {
  readonly op: "c" | "u" | "d" | "r";
  readonly source: SourceBlock | undefined;
  /** The envelope's `transaction` block (provide.transaction.metadata=true), when present. */
  readonly transaction?: SourceBlock | undefined;
  /** The after image, or the before image for a delete. */
  readonly row: { readonly [column: string]: RowValue } | null | undefined;
  readonly kafkaOffset: string;
};

export type Version = { readonly scheme: string; readonly version: string };

export type VersionScheme = {
  /** `pg:`, `my:`…: the text every version of this scheme starts with. */
  readonly prefix: string;
  /** `epoch` is the four-digit VERSION_EPOCH text. Throws PoisonError when it cannot. */
  derive(input: VersionInput, options: DecodeOptions, epoch: string): string;
};
