// The ceiling's store: an HTTP server on loopback that answers every DynamoDB request at once with a
// valid reply, so that a client's rate against it is bounded by the client's own CPU only. A bench
// tool, not a database: it stores nothing, never refuses a condition, and no test may use it as a
// store (the integration and fault suites run against dynoxide).
//
//   node bench/ceiling/responder.ts   → prints {"endpoint": ..., "pid": ...} once listening
//   GET /stats                        → {"requests": {PutItem: n, ...}, "items": n} (items written)

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type ResponderStats = { requests: Record<string, number>; items: number };

type Body = {
  TableName?: string;
  TransactItems?: unknown[];
  RequestItems?: Record<string, unknown[]>;
  ReturnConsumedCapacity?: string;
  TimeToLiveSpecification?: { AttributeName?: string };
};

let seq = 0;

/** The reply body of one operation; `stats.items` counts what a real store would have written. */
export function reply(op: string, body: Body, stats: ResponderStats): Record<string, unknown> {
  const table = body.TableName ?? "table";
  const capacity = (units: number, name = table) =>
    body.ReturnConsumedCapacity === "TOTAL" || body.ReturnConsumedCapacity === "INDEXES"
      ? { ConsumedCapacity: { TableName: name, CapacityUnits: units } }
      : {};
  switch (op) {
    case "PutItem":
    case "UpdateItem":
    case "DeleteItem":
      stats.items++;
      return capacity(1);
    case "TransactWriteItems": {
      const n = body.TransactItems?.length ?? 0;
      stats.items += n;
      return body.ReturnConsumedCapacity === undefined
        ? {}
        : { ConsumedCapacity: [{ TableName: "table", CapacityUnits: 2 * n }] };
    }
    case "BatchWriteItem": {
      const tables = Object.entries(body.RequestItems ?? {});
      for (const [, writes] of tables) stats.items += writes.length;
      return {
        UnprocessedItems: {},
        ...(body.ReturnConsumedCapacity === undefined
          ? {}
          : { ConsumedCapacity: tables.map(([t, w]) => ({ TableName: t, CapacityUnits: w.length })) }),
      };
    }
    case "DescribeTable":
    case "CreateTable":
      return {
        [op === "CreateTable" ? "TableDescription" : "Table"]: {
          TableName: table,
          TableStatus: "ACTIVE",
          TableArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${table}`,
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          BillingModeSummary: { BillingMode: "PAY_PER_REQUEST" },
          ItemCount: 0,
          TableSizeBytes: 0,
          CreationDateTime: 0,
        },
      };
    case "DescribeTimeToLive":
      return { TimeToLiveDescription: { TimeToLiveStatus: "ENABLED", AttributeName: "_cdc_expires_at" } };
    case "UpdateTimeToLive":
      return { TimeToLiveSpecification: body.TimeToLiveSpecification ?? {} };
    case "GetItem":
      return {};
    case "Scan":
    case "Query":
      return { Items: [], Count: 0, ScannedCount: 0 };
    case "ListTables":
      return { TableNames: [] };
    default:
      return {};
  }
}

export async function startResponder(): Promise<{ endpoint: string; stats: ResponderStats; close(): void }> {
  const stats: ResponderStats = { requests: {}, items: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "GET" && req.url === "/stats") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats));
        return;
      }
      const target = String(req.headers["x-amz-target"] ?? "");
      const op = target.slice(target.indexOf(".") + 1);
      stats.requests[op] = (stats.requests[op] ?? 0) + 1;
      let body: Body = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Body;
      } catch {
        // an empty or odd body still gets a reply: this measures clients, not validation
      }
      const text = JSON.stringify(reply(op, body, stats));
      res
        .writeHead(200, {
          "content-type": "application/x-amz-json-1.0",
          "content-length": Buffer.byteLength(text),
          "x-amzn-requestid": `ceiling-${++seq}`,
        })
        .end(text);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

if (import.meta.main) {
  const r = await startResponder();
  process.stdout.write(`${JSON.stringify({ endpoint: r.endpoint, pid: process.pid })}\n`);
  process.once("SIGTERM", () => {
    r.close();
    process.exit(0);
  });
}
