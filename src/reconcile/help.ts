// The help text of `cdc-sink reconcile`, apart from the command so that the CLI can show it
// without loading the database drivers.

export const RECONCILE_HELP = `cdc-sink reconcile — compare a PostgreSQL or MySQL/MariaDB table with the sink's items

Usage:
  cdc-sink reconcile --db postgres://user:pass@host:5432/db --table schema.table
                     (--source NAME | --topic-prefix PREFIX) [options]
  cdc-sink reconcile --db mysql://user:pass@host:3306/db --table [database.]table ...

Source:
  --db URL                   postgres://, mysql:// or mariadb:// URL (default: env PG_URL)
  --pg URL                   the same, the older name (PostgreSQL)
  --table SCHEMA.TABLE       the source table, compared by its primary key; repeat it to compare several
                             tables in one Scan of the DynamoDB table (--json then prints an array)
  --source NAME              the source name the sink used (its items' _cdc_source),
                             e.g. pg.app.public.customers
  --topic-prefix PREFIX      or derive it as PREFIX.<database>.<schema>.<table> (Debezium's topic.prefix;
                             MySQL: PREFIX.<database>.<table>, --table database.table or the URL's database)
                             (default: env SOURCE_NAME, as the sink reads it)
Target (defaults: the sink's variables):
  --dynamodb-table NAME      env DYNAMODB_TABLE
  --endpoint URL             env DYNAMODB_ENDPOINT
  --region REGION            env AWS_REGION
  --key-attribute NAME       env DYNAMODB_KEY_ATTRIBUTE, default pk
  --ttl-attribute NAME       env TTL_ATTRIBUTE, default _cdc_expires_at
  --mapping JSON             the route's mapping the sink wrote the table with (docs/mapping.md), env
                             ITEM_MAPPING: its keys, renames, exclusions and JSON columns are read
                             back; --sample looks each sampled row's item up by the templates
The Debezium connector's settings (how values were spelled; defaults are Debezium's):
  --decimal-handling-mode precise|string|double
  --time-precision-mode adaptive|adaptive_time_microseconds|connect|isostring|microseconds|nanoseconds
  --binary-handling-mode bytes|base64|base64-url-safe|hex
  --interval-handling-mode numeric|string
Output:
  --sample N                 compare N random source rows with their items (cannot see extra items)
  --first N                  keys listed per kind of drift (default 10)
  --json                     the report as JSON on stdout
  --segments N               parallel DynamoDB scan segments (default 4)
  --sort-buffer N            entries sorted in memory before spilling to a temporary file (default 50000)

Drift: missing (row live, no item), extra (live item, no row), different (named columns differ),
deleted_but_live (item is a tombstone, row is live). A deleted row may be a tombstone or no item.
Values are compared by the documented type mapping: numbers exactly, instants by instant, JSON by
value, bytea by bytes; MySQL FLOAT at 6 significant digits (TIME, BIT and spatial columns are not
compared: such a table is refused). The report names keys and columns, never values.

Exit codes: 0 no drift, 1 drift, 2 the comparison could not be made.`;
