// The item layout most tests build items with: the defaults of the sink's variables.

import type { ItemOptions } from "../../src/core/item.ts";

export function itemOptions(table = "t"): ItemOptions {
  return {
    table,
    keyAttribute: "pk",
    ttlAttribute: "_cdc_expires_at",
    tombstoneTtlSeconds: 0,
    compression: "none",
  };
}
