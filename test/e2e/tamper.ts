// Drift planted on purpose, one key of each kind, straight into DynamoDB behind the sink's back:
// reconcile must name each key under the right kind (and the changed columns, never their values).

import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { encodeId, itemKey } from "../../src/core/identity.ts";
import { JsonNumber } from "../../src/core/json.ts";
import { dynamoClient } from "../support/dynamo.ts";
import { withPg } from "../support/postgres.ts";
import { sourceName, type Pipeline } from "./pipeline.ts";

export type Planted = { missing: string; different: string; deletedButLive: string; extra: string };

export async function tamper(p: Pipeline, table: "customers"): Promise<Planted> {
  const source = sourceName(p, table);
  const pk = (id: number): string =>
    itemKey(source, encodeId([{ name: "id", value: new JsonNumber(String(id)) }]));
  const live = await withPg(p.ep.postgresUrl, (c) =>
    c.query<{ id: number }>(`SELECT id FROM ${p.schema}.${table} WHERE id > 20 ORDER BY id LIMIT 3`),
  );
  const [missing, different, deletedButLive] = live.rows.map((r) => r.id) as [number, number, number];
  const client = dynamoClient(p.ep.dynamodbEndpoint);
  try {
    let tomb: Record<string, AttributeValue> | undefined;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: p.table,
          ConsistentRead: true,
          ExclusiveStartKey: start,
          FilterExpression: "#s = :s AND #d = :t",
          ExpressionAttributeNames: { "#s": "_cdc_source", "#d": "_cdc_deleted" },
          ExpressionAttributeValues: { ":s": { S: source }, ":t": { BOOL: true } },
        }),
      );
      tomb = page.Items?.[0];
      start = page.LastEvaluatedKey;
    } while (tomb === undefined && start !== undefined);
    if (tomb === undefined) throw new Error("no tombstone to bring back to life");
    const extra = Number(tomb["id"]!.N);

    await client.send(new DeleteItemCommand({ TableName: p.table, Key: { pk: { S: pk(missing) } } }));
    await client.send(
      new UpdateItemCommand({
        TableName: p.table,
        Key: { pk: { S: pk(different) } },
        UpdateExpression: "SET balance = :b, prefs = :p",
        ExpressionAttributeValues: { ":b": { N: "123.4567" }, ":p": { S: '{"planted": true}' } },
      }),
    );
    const keep = (item: Record<string, AttributeValue>): Record<string, AttributeValue> =>
      Object.fromEntries(
        Object.entries(item).filter(([k]) => k === "pk" || k === "id" || k.startsWith("_cdc_")),
      );
    const got = await client.send(
      new GetItemCommand({
        TableName: p.table,
        Key: { pk: { S: pk(deletedButLive) } },
        ConsistentRead: true,
      }),
    );
    await client.send(
      new PutItemCommand({
        TableName: p.table,
        Item: { ...keep(got.Item!), _cdc_deleted: { BOOL: true }, _cdc_op: { S: "d" } },
      }),
    );
    await client.send(
      new PutItemCommand({
        TableName: p.table,
        Item: { ...tomb, _cdc_deleted: { BOOL: false }, _cdc_op: { S: "u" }, name: { S: "resurrected" } },
      }),
    );
    return {
      missing: `{"id":${missing}}`,
      different: `{"id":${different}}`,
      deletedButLive: `{"id":${deletedButLive}}`,
      extra: `{"id":${extra}}`,
    };
  } finally {
    client.destroy();
  }
}
