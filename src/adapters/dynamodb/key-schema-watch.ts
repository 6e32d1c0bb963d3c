// A table's key schema changed while the sink runs (the table deleted and created again with
// another key): every write is then refused with a ValidationException ("Missing the key …"),
// which for one record would mean a bad record (poison). Dead-lettering the whole stream for a
// deployment error would lose it from the table, so a ValidationException first asks the table
// again (DescribeTable, one at a time however many writes failed): when its key schema no longer
// matches, the write fails with the start-up check's fatal error (key_schema_mismatch, exit 3,
// naming the table and the attribute) and nothing past the record is committed; otherwise the
// record is poison, as before.

import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PoisonError } from "../../core/errors.ts";
import type { ChangeEvent, WriteOutcome } from "../../core/types.ts";
import type { Position } from "../../core/item.ts";
import type { CapacityMeter, Sink } from "../../engine/ports.ts";
import { checkTable, type TableKeys } from "./table.ts";

export function watchKeySchema(
  sink: Sink,
  client: DynamoDBClient,
  table: string,
  keyAttribute: string | TableKeys,
): Sink {
  let checking: Promise<void> | undefined;
  const check = (): Promise<void> => {
    checking ??= checkTable(client, table, keyAttribute).finally(() => (checking = undefined));
    return checking;
  };
  const watched: Sink = {
    async write(event: ChangeEvent, at: Position, meter?: CapacityMeter): Promise<WriteOutcome> {
      try {
        return await sink.write(event, at, meter);
      } catch (err) {
        if (err instanceof PoisonError && err.code === "dynamodb_ValidationException") await check();
        throw err;
      }
    },
  };
  // The sink's other calls pass through as they are.
  if (sink.estimateUnits !== undefined) watched.estimateUnits = sink.estimateUnits.bind(sink);
  if (sink.truncate !== undefined) watched.truncate = sink.truncate.bind(sink);
  return watched;
}
