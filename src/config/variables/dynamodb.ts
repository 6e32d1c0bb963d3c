// DynamoDB: the table, the endpoint, the write shape. Part of the one table of variables
// (src/config/env-spec.ts).

import { WRITE_MODES, int, oneOf, keyAttribute, tableName, text, url } from "../parsers.ts";
import type { EnvVar } from "../env-spec.ts";

export const DYNAMODB_VARIABLES = [
  {
    group: "dynamodb",
    name: "DYNAMODB_TABLE",
    required: true,
    parse: tableName,
    description:
      "Target table. Its partition key must be a string attribute named `DYNAMODB_KEY_ATTRIBUTE`, with " +
      "no sort key, unless `ITEM_MAPPING` (or a route's `mapping`) names the table's own key schema.",
  },
  {
    group: "dynamodb",
    name: "DYNAMODB_KEY_ATTRIBUTE",
    default: "pk",
    parse: keyAttribute,
    description: "Name of the table's partition key attribute.",
  },
  {
    group: "dynamodb",
    name: "AWS_REGION",
    required: true,
    parse: text,
    description: "AWS region of the table.",
  },
  {
    group: "dynamodb",
    name: "DYNAMODB_ENDPOINT",
    parse: url,
    description: "Endpoint override, e.g. DynamoDB Local `http://127.0.0.1:8000`.",
  },
  {
    group: "dynamodb",
    name: "DYNAMODB_REQUEST_TIMEOUT_MS",
    default: "5000",
    parse: int(100),
    description:
      "Connection timeout, and the time after which the AWS SDK warns about a slow request (the SDK " +
      "does not cut it; a write that never answers is caught by the stuck watchdog, " +
      "`STUCK_TIMEOUT_MS`).",
  },
  {
    group: "dynamodb",
    name: "DYNAMODB_WRITE_CLIENT",
    default: "direct",
    parse: oneOf(["direct", "sdk"] as const),
    description:
      "How writes (PutItem, TransactWriteItems) are sent: `direct` signs them itself (SigV4) and sends " +
      "them on keep-alive HTTP/1.1 connections of its own (as many as the SDK's agents), using the SDK's credential providers, " +
      "endpoint rules, timeouts and exception classes but not its per-request middleware (well under half " +
      "the client CPU per record; the default since the integration and fault suites pass on it); `sdk` " +
      "sends them through the SDK client's `send`. With `deletes: hard` and `WRITE_MODE=put` writes still go " +
      "through the SDK. " +
      "Same requests and same outcomes either way (docs/performance.md#ceiling).",
  },
  {
    group: "dynamodb",
    name: "WRITE_MODE",
    default: "put",
    parse: oneOf(WRITE_MODES),
    description:
      "Write shape: `put` (one conditional PutItem per record, 1 WCU per ≤ 1 KB item), `transact` " +
      "(concurrent writes sent together as TransactWriteItems of up to `WRITE_BATCH_ITEMS` conditional " +
      "puts; same outcomes, 2 WCU per item on AWS, less client CPU per record) or `auto` (`put` when " +
      "`DYNAMODB_ENDPOINT` is unset or names an AWS host under `amazonaws.com`, `amazonaws.com.cn` or " +
      "`api.aws`; `transact` for any other endpoint: a DynamoDB-compatible server such as dynoxide or " +
      "DynamoDB Local, which must support TransactWriteItems). Measured on DynamoDB Local and dynoxide, " +
      "`transact` costs the sink about a quarter of the client CPU per record of `put`, and is ahead in " +
      "throughput only when CPU is the limit (see docs/performance.md).",
  },
  {
    group: "dynamodb",
    name: "WRITE_BATCH_ITEMS",
    default: "50",
    parse: int(1, 100),
    description:
      "Most conditional puts in one TransactWriteItems (1\u2013100) when the write shape is `transact`.",
  },
] as const satisfies readonly EnvVar[];
