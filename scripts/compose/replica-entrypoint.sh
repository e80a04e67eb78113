#!/usr/bin/env bash
# Entrypoint of the `replica` service in compose.yaml (runs as the postgres user).
# On first start it clones the primary with pg_basebackup (-R writes standby.signal and
# primary_conninfo), then runs a hot standby on port 5433.
set -euo pipefail

PGDATA=${PGDATA:-/var/lib/postgresql/data}
PRIMARY_HOST=${PRIMARY_HOST:-postgres}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
SLOT=fleet_replica

# depends_on waits for the primary's healthcheck; still, do not trust it blindly (bounded wait).
for _ in $(seq 1 60); do
  pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres && break
  sleep 1
done

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "replica: cloning $PRIMARY_HOST:$PRIMARY_PORT into $PGDATA"
  # The slot normally comes from primary-init.sh; create it if the primary volume predates that.
  psql -X -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -c \
    "select pg_create_physical_replication_slot('$SLOT', true)
     where not exists (select 1 from pg_replication_slots where slot_name = '$SLOT')" >/dev/null
  find "$PGDATA" -mindepth 1 -delete # a half-done earlier attempt
  pg_basebackup -D "$PGDATA" -X stream -R -S "$SLOT" -c fast \
    -d "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres application_name=$SLOT"
fi
chmod 700 "$PGDATA"

# The base backup copied the primary's postgresql.conf / pg_hba.conf (trust); override what differs.
exec postgres -D "$PGDATA" \
  -c port=5433 \
  -c listen_addresses='*' \
  -c hot_standby=on \
  -c hot_standby_feedback=on \
  -c cluster_name="$SLOT"
