// Schemas by id, fetched once: a registry id never changes meaning (the registry assigns it to one
// schema text for good), so nothing expires. `load` fetches what a batch needs before it is decoded;
// decoding itself then stays synchronous and pure (core/avro).

import type { PoisonError } from "../../core/errors.ts";
import { ClassifiedError } from "../../core/errors.ts";
import { compileReader, type AvroReader } from "../../core/avro/reader.ts";
import type { SchemaSource } from "./client.ts";

/** A schema the registry gave but that is unusable: every record in it is poison, named the same way. */
function poisoned(schemaId: number, err: PoisonError): AvroReader {
  return {
    schemaId,
    read: () => {
      throw err;
    },
  };
}

export class SchemaCache {
  readonly #source: SchemaSource;
  readonly #readers = new Map<number, AvroReader>();
  readonly #loading = new Map<number, Promise<void>>();

  constructor(source: SchemaSource) {
    this.#source = source;
  }

  get size(): number {
    return this.#readers.size;
  }

  /** The reader of a loaded id; an id not loaded is a programming error (load first). */
  reader = (schemaId: number): AvroReader => {
    const reader = this.#readers.get(schemaId);
    if (reader === undefined) throw new Error(`schema ${schemaId} was not loaded before decoding`);
    return reader;
  };

  /**
   * Fetches the ids not cached yet; undefined when every one is (the common case: no promise, no
   * wait). Rejects with the client's classified error (transient: the caller retries).
   */
  load(ids: Iterable<number>): Promise<void> | undefined {
    const missing = [...new Set(ids)].filter((id) => !this.#readers.has(id));
    if (missing.length === 0) return undefined;
    return Promise.all(missing.map((id) => this.#fetch(id))).then(() => undefined);
  }

  #fetch(id: number): Promise<void> {
    let loading = this.#loading.get(id);
    if (loading === undefined) {
      loading = this.#source
        .schemaText(id)
        .then((text) => this.#readers.set(id, compileReader(id, text)))
        .catch((err: unknown) => {
          // An unusable schema is the records' fault (poison, once per record); anything else is
          // the caller's to retry or stop on.
          if (err instanceof ClassifiedError && err.errorClass === "poison")
            this.#readers.set(id, poisoned(id, err as PoisonError));
          else throw err;
        })
        .then(() => undefined)
        .finally(() => this.#loading.delete(id));
      this.#loading.set(id, loading);
    }
    return loading;
  }
}
