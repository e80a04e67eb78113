#!/usr/bin/env bash
# Runs once, on the first start of the `postgres` service in compose.yaml (mounted into
# /docker-entrypoint-initdb.d/). The image's entrypoint may *source* this file, so no `exit`
# and no `set -u` here.
#
# 1. Let the replica container stream WAL: POSTGRES_HOST_AUTH_METHOD=trust only adds
#    "host all all all trust", and "all" does not cover replication connections.
# 2. Create the physical slot the replica streams from, so the primary keeps WAL for it.
set -e

echo "host replication all all trust" >> "$PGDATA/pg_hba.conf"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres <<'SQL'
select pg_create_physical_replication_slot('fleet_replica', true)
where not exists (select 1 from pg_replication_slots where slot_name = 'fleet_replica');
SQL
