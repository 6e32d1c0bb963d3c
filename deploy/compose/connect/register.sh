#!/bin/sh
# One-shot: registers (or updates: PUT .../config is idempotent) the PostgreSQL connector, then
# waits until the connector and its task run. Runs in the curl image of docker-compose.yml.
set -eu
CONNECT="${CONNECT_URL:-http://connect:8083}"
NAME="${CONNECTOR_NAME:-inventory-postgres}"

echo "registering connector $NAME at $CONNECT"
curl -fsS -X PUT -H 'Content-Type: application/json' \
  --data @/connect/postgres-connector.json "$CONNECT/connectors/$NAME/config"
echo

i=0
while [ "$i" -lt 60 ]; do
  status="$(curl -fsS "$CONNECT/connectors/$NAME/status" || true)"
  case "$status" in
    *'"state":"FAILED"'*) echo "connector failed: $status"; exit 1 ;;
  esac
  # Running = the connector and its one task (tasks.max=1) both report RUNNING.
  if [ "$(printf '%s' "$status" | grep -o '"state":"RUNNING"' | wc -l)" -ge 2 ]; then
    echo "connector running: $status"
    exit 0
  fi
  i=$((i + 1))
  sleep 2
done
echo "connector $NAME not running after 120 s: $status"
exit 1
