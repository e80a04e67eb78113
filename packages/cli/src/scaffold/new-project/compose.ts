/**
 * compose.yaml: a PostgreSQL primary, a streaming hot standby of it, and Redis, on loopback,
 * with the two scripts the replica needs. The same layout as the Fleet repository's own.
 */
export function composeYaml(): string {
  return `# Backing services for development and tests: docker compose up -d --wait
#
#   postgres  127.0.0.1:5432  primary, trust auth, user postgres, database postgres
#   replica   127.0.0.1:5433  streaming hot standby of the primary (slot fleet_replica)
#   redis     127.0.0.1:6379  no persistence
#
# Trust auth is for local development only, which is why the ports are published on loopback.
# To rebuild the replica from scratch: docker compose rm -sfv replica && docker compose up -d replica

services:
  postgres:
    image: postgres:16
    environment:
      POSTGRES_USER: postgres
      POSTGRES_HOST_AUTH_METHOD: trust
    command: ["postgres", "-c", "wal_level=replica", "-c", "max_wal_senders=10", "-c", "max_replication_slots=10"]
    volumes:
      # runs on the first start only: allows replication connections, creates the slot fleet_replica
      - ./docker/postgres-primary-init.sh:/docker-entrypoint-initdb.d/10-replication.sh:ro
    ports:
      - "127.0.0.1:5432:5432"
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "postgres", "-d", "postgres"]
      interval: 2s
      timeout: 3s
      retries: 30

  replica:
    image: postgres:16
    # pg_basebackup from the primary on the first start, then a hot standby on port 5433
    user: postgres
    entrypoint: ["bash", "/replica/postgres-replica.sh"]
    environment:
      PGDATA: /var/lib/postgresql/data
      PRIMARY_HOST: postgres
      PRIMARY_PORT: "5432"
    volumes:
      - ./docker/postgres-replica.sh:/replica/postgres-replica.sh:ro
    depends_on:
      postgres:
        condition: service_healthy
    ports:
      - "127.0.0.1:5433:5433"
    healthcheck:
      # healthy = accepting connections and in recovery (a standby), not a promoted copy
      test: ["CMD-SHELL", "psql -X -At -p 5433 -U postgres -d postgres -c 'select pg_is_in_recovery()' | grep -qx t"]
      interval: 2s
      timeout: 3s
      retries: 60

  redis:
    image: redis:7
    command: ["redis-server", "--save", "", "--appendonly", "no"]
    ports:
      - "127.0.0.1:6379:6379"
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      interval: 2s
      timeout: 3s
      retries: 30
`;
}

export function primaryInitScript(): string {
  return `#!/usr/bin/env bash
# Runs once, on the first start of the postgres service (mounted into /docker-entrypoint-initdb.d/).
# The image's entrypoint may source this file: no exit and no set -u here.
#
# 1. Let the replica stream WAL: POSTGRES_HOST_AUTH_METHOD=trust only adds "host all all all trust",
#    and "all" does not cover replication connections.
# 2. Create the physical slot the replica streams from, so the primary keeps WAL for it.
set -e

echo "host replication all all trust" >> "$PGDATA/pg_hba.conf"

psql -v ON_ERROR_STOP=1 --username "\${POSTGRES_USER:-postgres}" --dbname postgres <<'SQL'
select pg_create_physical_replication_slot('fleet_replica', true)
where not exists (select 1 from pg_replication_slots where slot_name = 'fleet_replica');
SQL
`;
}

export function replicaScript(): string {
  return `#!/usr/bin/env bash
# Entrypoint of the replica service (runs as the postgres user): on the first start it clones the
# primary with pg_basebackup (-R writes standby.signal and primary_conninfo), then runs a hot
# standby on port 5433.
set -euo pipefail

PGDATA=\${PGDATA:-/var/lib/postgresql/data}
PRIMARY_HOST=\${PRIMARY_HOST:-postgres}
PRIMARY_PORT=\${PRIMARY_PORT:-5432}
SLOT=fleet_replica

# depends_on waits for the primary's healthcheck; still, wait a bounded time for it.
for _ in $(seq 1 60); do
  pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres && break
  sleep 1
done

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "replica: cloning $PRIMARY_HOST:$PRIMARY_PORT into $PGDATA"
  psql -X -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -c \\
    "select pg_create_physical_replication_slot('$SLOT', true)
     where not exists (select 1 from pg_replication_slots where slot_name = '$SLOT')" >/dev/null
  find "$PGDATA" -mindepth 1 -delete # a half-done earlier attempt
  pg_basebackup -D "$PGDATA" -X stream -R -S "$SLOT" -c fast \\
    -d "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres application_name=$SLOT"
fi
chmod 700 "$PGDATA"

exec postgres -D "$PGDATA" \\
  -c port=5433 \\
  -c listen_addresses='*' \\
  -c hot_standby=on \\
  -c hot_standby_feedback=on \\
  -c cluster_name="$SLOT"
`;
}
