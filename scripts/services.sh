#!/usr/bin/env bash
# Local backing services for Fleet development and tests.
#
#   bash scripts/services.sh up            # ensure everything runs (idempotent, self-healing)
#   bash scripts/services.sh status        # one line per service
#   bash scripts/services.sh down-replica  # stop the hot-standby replica
#   bash scripts/services.sh down-fault-replica  # stop the fault replica
#
# Services:
#   - PostgreSQL primary   127.0.0.1:5432  (Debian cluster <ver>/main, started with pg_ctlcluster)
#   - PostgreSQL replica   127.0.0.1:5433  streaming hot standby, physical slot "fleet_replica",
#                                          data dir /var/lib/postgresql/fleet-replica, managed with pg_ctl
#   - PostgreSQL fault     127.0.0.1:5434  a second streaming hot standby, physical slot "fleet_replica_faults",
#     replica                              data dir /var/lib/postgresql/fleet-replica-faults: tests that pause
#                                          its replay or stop it take it exclusively (acquireFaultReplica in
#                                          @fleet/testing holds an advisory lock on the primary meanwhile), so
#                                          5433 is never disturbed. `up` leaves it alone while that lock is held.
#   - Redis                127.0.0.1:6379
#
# Every wait is bounded. `up` is fast (well under 2 s) when everything is already healthy.
set -euo pipefail

export PATH="$PATH:/usr/sbin:/sbin"
export PGCONNECT_TIMEOUT=3
unset PGSERVICE PGSSLMODE 2>/dev/null || true
export PGOPTIONS='-c client_min_messages=warning'
# fd 9 holds the `up` lock; every daemon we start gets `9>&-` so it does not inherit (and keep) the lock.

PG_HOST=127.0.0.1
PG_PORT=5432
PG_DB=test
# The replica functions below act on the replica the REPLICA_* variables name; use_replica switches them.
MAIN_REPLICA_DIR=${FLEET_REPLICA_DIR:-/var/lib/postgresql/fleet-replica}
MAIN_REPLICA_LOG=${FLEET_REPLICA_LOG:-/var/log/postgresql/fleet-replica.log}
FAULT_REPLICA_DIR=${FLEET_FAULT_REPLICA_DIR:-/var/lib/postgresql/fleet-replica-faults}
FAULT_REPLICA_LOG=${FLEET_FAULT_REPLICA_LOG:-/var/log/postgresql/fleet-replica-faults.log}
# The session-level advisory lock (in database postgres of the primary) a test holds while it owns
# the fault replica: keep in step with packages/testing/src/fault-replica.ts.
FAULT_LOCK_CLASSID=1718379891
FAULT_LOCK_OBJID=5434
REPLICA_PORT=5433
REPLICA_DIR=$MAIN_REPLICA_DIR
REPLICA_LOG=$MAIN_REPLICA_LOG
REPLICA_NAME=fleet_replica # cluster_name, application_name and slot name
REPLICA_LABEL=replica
PG_SOCKET_DIR=/var/run/postgresql
REDIS_PORT=6379
REDIS_DIR=/var/lib/redis
REDIS_LOGDIR=/var/log/redis
STREAM_WAIT=20 # seconds to wait for the replica to stream before rebuilding it
PROBE_WAIT=20  # seconds to wait for the end-to-end probe row to show on the replica
SELF="bash scripts/services.sh"

say() { echo "[services] $*"; }

# use_replica main|faults: point the replica functions at one of the two standbys
use_replica() {
  case $1 in
    main) REPLICA_PORT=5433 REPLICA_DIR=$MAIN_REPLICA_DIR REPLICA_LOG=$MAIN_REPLICA_LOG REPLICA_NAME=fleet_replica REPLICA_LABEL=replica ;;
    faults) REPLICA_PORT=5434 REPLICA_DIR=$FAULT_REPLICA_DIR REPLICA_LOG=$FAULT_REPLICA_LOG REPLICA_NAME=fleet_replica_faults REPLICA_LABEL="fault replica" ;;
  esac
}
die() { echo "[services] ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------- helpers

ME=$(id -un)
can_act() { [[ $ME == root || $ME == postgres ]]; }
need_root() { # $1 = what, $2 = command a human should run
  die "$1 requires root (you are '$ME'). Run: sudo $SELF up${2:+   (or: $2)}"
}

# run a command as the postgres OS user, from a directory it can read
as_pg() {
  if [[ $ME == postgres ]]; then (cd / && "$@")
  elif [[ $ME == root ]]; then (cd / && runuser -u postgres -- "$@")
  else need_root "running '$1' as postgres" "sudo -u postgres $*"; fi
}

# psql PORT DB SQL...  -> unaligned, tuples only, bounded in time
pq() {
  local port=$1 db=$2; shift 2
  timeout 10 psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$port" -U postgres -d "$db" -c "$*"
}
pq_quiet() { pq "$@" 2>/dev/null; }

PG_VER=""
PG_BIN=""
find_pg() {
  command -v psql >/dev/null || die "psql not found. Install: apt-get install -y postgresql postgresql-client"
  if [[ -d /etc/postgresql ]]; then
    PG_VER=$(ls /etc/postgresql 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -1 || true)
  fi
  if [[ -z $PG_VER ]]; then
    PG_VER=$(ls /usr/lib/postgresql 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -1 || true)
  fi
  PG_BIN=/usr/lib/postgresql/$PG_VER/bin
  if [[ -z $PG_VER || ! -x $PG_BIN/pg_ctl || ! -x $PG_BIN/pg_basebackup ]] || ! command -v pg_ctlcluster >/dev/null; then
    die "PostgreSQL server packages are missing. Install: apt-get install -y postgresql postgresql-client"
  fi
}

pg_ready() { "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$1" -t 2; }

# wait until PORT accepts connections, at most N seconds
wait_ready() {
  local port=$1 secs=$2 i
  for ((i = 0; i < secs * 5; i++)); do
    pg_ready "$port" && return 0
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------------------- primary

ensure_primary() {
  find_pg
  if ! pg_ready "$PG_PORT"; then
    local rc=0
    "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" -t 2 || rc=$?
    if [[ $rc -eq 1 ]]; then
      say "primary: starting up, waiting"
    else
      [[ -d /etc/postgresql/$PG_VER/main ]] ||
        die "no PostgreSQL cluster $PG_VER/main. Create it: pg_createcluster $PG_VER main -p $PG_PORT --start (trust auth on 127.0.0.1 expected)"
      can_act || need_root "starting PostgreSQL" "sudo pg_ctlcluster --skip-systemctl-redirect $PG_VER main start"
      say "primary: not running, starting cluster $PG_VER/main"
      pg_ctlcluster --skip-systemctl-redirect "$PG_VER" main start 9>&- ||
        say "primary: pg_ctlcluster start returned an error (it may already be starting)"
    fi
    wait_ready "$PG_PORT" 30 || die "primary on $PG_HOST:$PG_PORT is not accepting connections; see /var/log/postgresql/postgresql-$PG_VER-main.log"
    say "primary: up"
  fi
  pq_quiet "$PG_PORT" postgres "select 1" >/dev/null ||
    die "cannot connect to the primary as postgres on $PG_HOST:$PG_PORT without a password (trust auth expected in pg_hba.conf)"

  # One round trip for everything we need to know about the primary.
  local info wal senders slots hasdb hba hbarules
  info=$(pq "$PG_PORT" postgres "select current_setting('wal_level'), current_setting('max_wal_senders'),
    current_setting('max_replication_slots'), exists(select 1 from pg_database where datname = '$PG_DB'),
    current_setting('hba_file'),
    (select coalesce(string_agg(distinct address, ' '), '') from pg_hba_file_rules
      where type = 'host' and database @> '{replication}' and auth_method = 'trust' and address in ('127.0.0.1', '::1'))")
  IFS='|' read -r wal senders slots hasdb hba hbarules <<<"$info"

  # two standbys streaming, plus the two connections of a base backup being taken
  if [[ $wal == minimal || $senders -lt 4 || $slots -lt 2 ]]; then
    [[ $ME == root || $ME == postgres ]] || need_root "enabling replication on the primary"
    local f=/etc/postgresql/$PG_VER/main/conf.d/95-fleet-replication.conf
    say "primary: enabling replication (wal_level=$wal max_wal_senders=$senders max_replication_slots=$slots) via $f, restarting"
    mkdir -p "$(dirname "$f")"
    printf '%s\n' "# added by scripts/services.sh" "wal_level = replica" "max_wal_senders = 10" "max_replication_slots = 10" >"$f"
    if [[ $ME == root ]]; then chown postgres:postgres "$f"; fi
    pg_ctlcluster --skip-systemctl-redirect "$PG_VER" main restart 9>&-
    wait_ready "$PG_PORT" 30 || die "primary did not come back after restart"
  fi

  # pg_hba_file_rules reflects the file on disk, so this also works for users who cannot read it
  local changed=0 addr
  for addr in 127.0.0.1/32 ::1/128; do
    if [[ " $hbarules " != *" ${addr%/*} "* ]]; then
      [[ -w $hba ]] || need_root "editing $hba" "add 'host replication all $addr trust' to $hba and reload"
      if [[ $changed -eq 0 ]]; then echo "# fleet: streaming replication from loopback (added by scripts/services.sh)" >>"$hba"; fi
      echo "host replication all $addr trust" >>"$hba"
      changed=1
    fi
  done
  if [[ $changed -eq 1 ]]; then
    pq "$PG_PORT" postgres "select pg_reload_conf()" >/dev/null
    say "primary: added loopback replication rules to $hba and reloaded"
  fi

  if [[ $hasdb != t ]]; then
    pq "$PG_PORT" postgres "create database $PG_DB" >/dev/null
    say "primary: created database '$PG_DB'"
  fi
}

ensure_slot() {
  local st
  st=$(pq "$PG_PORT" postgres "select coalesce(wal_status, 'none') from pg_replication_slots where slot_name = '$REPLICA_NAME'")
  if [[ $st == lost ]]; then
    say "primary: slot $REPLICA_NAME lost its WAL, recreating it"
    pq "$PG_PORT" postgres "select pg_drop_replication_slot('$REPLICA_NAME')" >/dev/null
    st=""
  fi
  if [[ -z $st ]]; then
    pq "$PG_PORT" postgres "select pg_create_physical_replication_slot('$REPLICA_NAME', true)" >/dev/null
    say "primary: created physical replication slot $REPLICA_NAME"
  fi
}

# ---------------------------------------------------------------------------- replica

replica_running() { [[ -f $REPLICA_DIR/PG_VERSION ]] && as_pg "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; }

# "in_recovery|paused|receive_lsn_not_null" from the replica, empty if unreachable
replica_state() {
  pq_quiet "$REPLICA_PORT" postgres "select pg_is_in_recovery(),
    case when pg_is_in_recovery() then pg_is_wal_replay_paused() else false end,
    pg_last_wal_receive_lsn() is not null" || true
}

# state of our walsender on the primary ("streaming", "catchup", ... or empty)
sender_state() {
  pq_quiet "$PG_PORT" postgres "select state from pg_stat_replication where application_name = '$REPLICA_NAME'
    order by (state = 'streaming') desc limit 1" || true
}

replica_streaming() {
  local st
  st=$(replica_state)
  [[ $st == t\|*\|t ]] && [[ $(sender_state) == streaming ]]
}

log_tail() {
  if [[ -r $REPLICA_LOG ]]; then
    echo "[services] --- last lines of $REPLICA_LOG ---" >&2
    tail -n 15 "$REPLICA_LOG" >&2 || true
  fi
}

# Stop whatever postgres holds the replica port: our data dir via pg_ctl, or a
# postmaster whose data dir was deleted underneath it (found via its socket lock file).
stop_replica() {
  local mode=${1:-fast}
  if replica_running; then
    as_pg "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m "$mode" -w -t 20 stop >/dev/null 2>&1 ||
      as_pg "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
  fi
  local lock=$PG_SOCKET_DIR/.s.PGSQL.$REPLICA_PORT.lock pid datadir i
  if [[ -f $lock ]]; then
    pid=$(sed -n 1p "$lock" 2>/dev/null || true)
    datadir=$(sed -n 2p "$lock" 2>/dev/null || true)
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      if [[ $datadir == "$REPLICA_DIR" || $datadir == "$REPLICA_DIR".* ]]; then
        say "$REPLICA_LABEL: stopping orphaned postmaster pid $pid (data dir $datadir)"
        can_act || need_root "stopping the orphaned replica (pid $pid)" "sudo kill -INT $pid"
        kill -INT "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then kill -QUIT "$pid" 2>/dev/null || true; sleep 1; fi
      else
        die "port $REPLICA_PORT is used by another PostgreSQL (pid $pid, data dir $datadir); stop it first"
      fi
    fi
  fi
}

write_replica_conf() {
  local dir=$1 conns workers senders prepared locks
  IFS='|' read -r conns workers senders prepared locks <<<"$(pq "$PG_PORT" postgres "select
    current_setting('max_connections'), current_setting('max_worker_processes'), current_setting('max_wal_senders'),
    current_setting('max_prepared_transactions'), current_setting('max_locks_per_transaction')")"
  # Debian keeps the primary's config in /etc, so the base backup has none: write the replica's own.
  as_pg tee "$dir/postgresql.conf" >/dev/null <<EOF
# Fleet hot-standby replica, written by scripts/services.sh (rewritten on rebuild)
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCKET_DIR'
cluster_name = '$REPLICA_NAME'
hot_standby = on
hot_standby_feedback = on
wal_receiver_status_interval = 1s
autovacuum = off
# must be >= the primary's values for a hot standby
max_connections = $conns
max_worker_processes = $workers
max_wal_senders = $senders
max_prepared_transactions = $prepared
max_locks_per_transaction = $locks
log_line_prefix = '%m [%p] fleet_replica '
EOF
  as_pg tee "$dir/pg_hba.conf" >/dev/null <<EOF
# Fleet replica: trust on loopback (test machine only)
local all         all                trust
host  all         all 127.0.0.1/32   trust
host  all         all ::1/128        trust
host  replication all 127.0.0.1/32   trust
EOF
  as_pg tee "$dir/pg_ident.conf" >/dev/null </dev/null
  # Make sure the walreceiver identifies itself as fleet_replica and uses our slot.
  as_pg tee -a "$dir/postgresql.auto.conf" >/dev/null <<EOF
primary_conninfo = 'host=$PG_HOST port=$PG_PORT user=postgres application_name=$REPLICA_NAME'
primary_slot_name = '$REPLICA_NAME'
EOF
}

rebuild_replica() {
  can_act || need_root "building the replica"
  stop_replica immediate
  local tmp=$REPLICA_DIR.building
  rm -rf "$REPLICA_DIR" "$tmp"
  mkdir -p "$(dirname "$REPLICA_DIR")" "$(dirname "$REPLICA_LOG")"
  ensure_slot
  say "$REPLICA_LABEL: pg_basebackup from $PG_HOST:$PG_PORT into $REPLICA_DIR (slot $REPLICA_NAME)"
  if ! as_pg timeout 300 "$PG_BIN/pg_basebackup" -D "$tmp" -X stream -R -S "$REPLICA_NAME" -c fast --no-password \
    -d "host=$PG_HOST port=$PG_PORT user=postgres application_name=$REPLICA_NAME" 2>&1 | sed 's/^/[services]   /'; then
    rm -rf "$tmp"
    die "pg_basebackup failed (does pg_hba.conf of the primary allow replication from 127.0.0.1?)"
  fi
  [[ -f $tmp/PG_VERSION ]] || { rm -rf "$tmp"; die "pg_basebackup produced no data directory"; }
  write_replica_conf "$tmp"
  chmod 700 "$tmp"
  mv "$tmp" "$REPLICA_DIR"
}

start_replica() {
  can_act || need_root "starting the replica" "sudo -u postgres $PG_BIN/pg_ctl -D $REPLICA_DIR -l $REPLICA_LOG start"
  stop_replica fast # clears an orphan holding the port, if any
  if [[ $ME == root && ! -e $REPLICA_LOG ]]; then touch "$REPLICA_LOG" && chown postgres:postgres "$REPLICA_LOG"; fi
  say "$REPLICA_LABEL: starting on $PG_HOST:$REPLICA_PORT (log $REPLICA_LOG)"
  as_pg "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_LOG" -o "-p $REPLICA_PORT" -w -t 30 start >/dev/null 2>&1 9>&-
}

# the replica dir is usable: a standby of *this* primary
replica_dir_valid() {
  [[ -f $REPLICA_DIR/PG_VERSION && -f $REPLICA_DIR/standby.signal && -f $REPLICA_DIR/postgresql.conf ]] || return 1
  local mine theirs
  mine=$(as_pg "$PG_BIN/pg_controldata" "$REPLICA_DIR" 2>/dev/null | awk -F: '/Database system identifier/ {gsub(/ /, "", $2); print $2}')
  theirs=$(pq "$PG_PORT" postgres "select system_identifier from pg_control_system()")
  [[ -n $mine && $mine == "$theirs" ]]
}

wait_streaming() {
  local i st
  for ((i = 0; i < STREAM_WAIT * 5; i++)); do
    st=$(replica_state)
    if [[ $st == t\|t\|* ]]; then
      pq_quiet "$REPLICA_PORT" postgres "select pg_wal_replay_resume()" >/dev/null || true
    fi
    [[ $st == f\|* ]] && return 1 # promoted: not a standby any more
    replica_streaming && return 0
    sleep 0.2
  done
  return 1
}

ensure_replica() {
  ensure_slot
  local fresh=0
  # Fast path: already a streaming standby of this primary.
  local st
  st=$(replica_state)
  # (the data dir is only readable by root/postgres; others trust the server's answers)
  if [[ $st == t\|*\|t ]] && { ! can_act || [[ -f $REPLICA_DIR/PG_VERSION ]]; } && [[ $(sender_state) == streaming ]]; then
    if [[ $st == t\|t\|* ]]; then
      say "$REPLICA_LABEL: WAL replay was paused, resuming"
      pq "$REPLICA_PORT" postgres "select pg_wal_replay_resume()" >/dev/null
    fi
    return 0
  fi

  can_act || need_root "repairing the replica on port $REPLICA_PORT (state: '${st:-down}')" \
    "sudo -u postgres $PG_BIN/pg_ctl -D $REPLICA_DIR -l $REPLICA_LOG start"

  if [[ ! -d $REPLICA_DIR ]] || ! replica_dir_valid; then
    [[ -d $REPLICA_DIR ]] && say "$REPLICA_LABEL: $REPLICA_DIR is not a standby of this primary, rebuilding" ||
      say "$REPLICA_LABEL: $REPLICA_DIR missing, building it"
    rebuild_replica
    fresh=1
  fi

  if [[ $fresh -eq 0 && $st == f\|* ]]; then
    say "$REPLICA_LABEL: server on port $REPLICA_PORT is not in recovery (promoted?), rebuilding"
    rebuild_replica
    fresh=1
  fi

  if ! replica_running; then
    if ! start_replica; then
      [[ $fresh -eq 1 ]] && { log_tail; die "$REPLICA_LABEL failed to start from a fresh base backup"; }
      say "$REPLICA_LABEL: failed to start, wiping and rebuilding"
      log_tail
      rebuild_replica
      fresh=1
      start_replica || { log_tail; die "$REPLICA_LABEL failed to start from a fresh base backup"; }
    fi
  fi

  if ! wait_streaming; then
    [[ $fresh -eq 1 ]] && { log_tail; die "fresh $REPLICA_LABEL is not streaming after ${STREAM_WAIT}s"; }
    say "$REPLICA_LABEL: not streaming after ${STREAM_WAIT}s, wiping and rebuilding"
    log_tail
    rebuild_replica
    start_replica || { log_tail; die "$REPLICA_LABEL failed to start from a fresh base backup"; }
    wait_streaming || { log_tail; die "fresh $REPLICA_LABEL is not streaming after ${STREAM_WAIT}s"; }
  fi
  say "$REPLICA_LABEL: streaming from primary (slot $REPLICA_NAME)"
}

# A test holds the fault replica (acquireFaultReplica): its paused replay or stopped server is on purpose.
fault_replica_in_use() {
  [[ $(pq_quiet "$PG_PORT" postgres "select exists(select 1 from pg_locks where locktype = 'advisory' and granted
    and classid = $FAULT_LOCK_CLASSID and objid = $FAULT_LOCK_OBJID and objsubid = 2)" || true) == t ]]
}

ensure_fault_replica() {
  use_replica faults
  if fault_replica_in_use; then
    say "fault replica: in use by a test (advisory lock held), left as it is"
    FAULT_REPLICA_BUSY=1
  else
    FAULT_REPLICA_BUSY=0
    ensure_replica
  fi
  use_replica main
}

# End-to-end check: a write on the primary must become visible on the replica.
probe_replication() {
  local token i got
  token="$(date +%s%N)-$$"
  pq "$PG_PORT" postgres "create table if not exists fleet_services_probe(id int primary key, token text not null, updated_at timestamptz not null default now());
    insert into fleet_services_probe(id, token) values (1, '$token')
    on conflict (id) do update set token = excluded.token, updated_at = now()" >/dev/null ||
    die "probe: cannot write to the primary"
  for ((i = 0; i < PROBE_WAIT * 20; i++)); do
    got=$(pq_quiet "$REPLICA_PORT" postgres "select token from fleet_services_probe where id = 1" || true)
    [[ $got == "$token" ]] && return 0
    if ((i % 20 == 19)) && [[ $(replica_state) == t\|t\|* ]]; then
      pq_quiet "$REPLICA_PORT" postgres "select pg_wal_replay_resume()" >/dev/null || true
    fi
    sleep 0.05
  done
  log_tail
  die "probe: a row written on the primary did not reach the replica within ${PROBE_WAIT}s (replica state: '$(replica_state)', walsender: '$(sender_state)')"
}

# ---------------------------------------------------------------------------- redis

rcli() { timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

# pid of whatever redis-server listens on our port (empty if none)
redis_pid() {
  ss -Hltnp "sport = :$REDIS_PORT" 2>/dev/null | grep -o 'redis-server",pid=[0-9]*' | head -1 | cut -d= -f2 || true
}

start_redis() {
  local cmd=(redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no
    --dir "$REDIS_DIR" --logfile "$REDIS_LOGDIR/ci.log")
  [[ $ME == root ]] || need_root "starting Redis" "sudo mkdir -p $REDIS_DIR $REDIS_LOGDIR && sudo ${cmd[*]}"
  mkdir -p "$REDIS_DIR" "$REDIS_LOGDIR"
  "${cmd[@]}" 9>&- || die "redis-server failed to start; see $REDIS_LOGDIR/ci.log"
  local i
  for ((i = 0; i < 25; i++)); do
    [[ $(timeout 1 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && { say "redis: up"; return 0; }
    sleep 0.2
  done
  die "redis did not answer PING within 5s; see $REDIS_LOGDIR/ci.log"
}

ensure_redis() {
  command -v redis-cli >/dev/null && command -v redis-server >/dev/null ||
    die "Redis is missing. Install: apt-get install -y redis-server redis-tools"
  # Always unpause: a test may have left CLIENT PAUSE on. This lifts a WRITE pause, but under
  # `CLIENT PAUSE ... ALL` Redis 7 postpones every command, UNPAUSE included, so the call times out.
  local rc=0
  rcli CLIENT UNPAUSE >/dev/null 2>&1 || rc=$?
  if [[ $rc -eq 0 && $(rcli ping 2>/dev/null) == PONG ]]; then
    return 0
  fi
  if [[ $rc -eq 124 ]]; then
    # Accepting connections but answering nothing: paused with ALL (or wedged). Restart it;
    # this Redis keeps no data on disk (--save "" --appendonly no), so nothing is lost that tests rely on.
    local pid
    pid=$(redis_pid)
    [[ -n $pid ]] || die "redis on 127.0.0.1:$REDIS_PORT does not answer (CLIENT PAUSE ALL?) and its pid is unknown; restart it by hand"
    [[ $ME == root ]] || need_root "restarting the unresponsive Redis (pid $pid)" "sudo kill $pid, then sudo $SELF up"
    say "redis: not answering (left in CLIENT PAUSE ... ALL?), restarting pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 25; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.3; fi
  else
    say "redis: not running on 127.0.0.1:$REDIS_PORT, starting it"
  fi
  start_redis
  rcli CLIENT UNPAUSE >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------------------- commands

cmd_up() {
  local lockfile=${TMPDIR:-/tmp}/fleet-services.lock
  { exec 9>>"$lockfile"; } 2>/dev/null || { exec 9<"$lockfile"; } 2>/dev/null || true
  flock -w 120 9 2>/dev/null || say "could not take $lockfile, continuing anyway"
  ensure_primary
  ensure_replica
  ensure_fault_replica
  ensure_redis
  probe_replication
  if [[ $FAULT_REPLICA_BUSY -eq 0 ]]; then use_replica faults; probe_replication; use_replica main; fi
  say "ok: primary $PG_HOST:$PG_PORT, replica $PG_HOST:$REPLICA_PORT (streaming), fault replica $PG_HOST:5434 ($([[ $FAULT_REPLICA_BUSY -eq 0 ]] && echo streaming || echo 'in use by a test')), redis 127.0.0.1:$REDIS_PORT"
}

# one status line for the replica the REPLICA_* variables name; non-zero when it is not healthy
replica_status_line() {
  local st lag paused label busy=""
  label=$(printf '%-8s' "${REPLICA_LABEL/fault replica/faults}")
  st=$(replica_state)
  if [[ $REPLICA_NAME == fleet_replica_faults ]] && fault_replica_in_use; then busy=", in use by a test"; fi
  if [[ -z $st ]]; then
    echo "$label 127.0.0.1:$REPLICA_PORT  DOWN (data dir $REPLICA_DIR $([[ -d $REPLICA_DIR ]] && echo present || echo missing))$busy"
    [[ -n $busy ]]; return
  fi
  lag=$(pq_quiet "$PG_PORT" postgres "select state || ' lag=' || coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint::text, '?') || ' bytes'
    from pg_stat_replication where application_name = '$REPLICA_NAME' limit 1" || true)
  IFS='|' read -r _ paused _ <<<"$st"
  if [[ $st == f\|* ]]; then
    echo "$label 127.0.0.1:$REPLICA_PORT  NOT A STANDBY (promoted)"; return 1
  elif [[ -z $lag ]]; then
    echo "$label 127.0.0.1:$REPLICA_PORT  up, NOT STREAMING (replay paused=$paused)$busy"; [[ -n $busy ]]; return
  fi
  echo "$label 127.0.0.1:$REPLICA_PORT  up, $lag, replay $([[ $paused == t ]] && echo PAUSED || echo running)$busy"
  [[ $paused != t || -n $busy ]]
}

cmd_status() {
  find_pg
  local rc=0 v
  if pg_ready "$PG_PORT" && v=$(pq_quiet "$PG_PORT" postgres "select current_setting('server_version')"); then
    echo "primary  127.0.0.1:$PG_PORT  up (PostgreSQL $v)"
  else
    echo "primary  127.0.0.1:$PG_PORT  DOWN"; rc=1
  fi
  local which
  for which in main faults; do
    use_replica "$which"
    replica_status_line || rc=1
  done
  use_replica main
  local pong prc=0
  pong=$(timeout 2 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) || prc=$?
  if [[ $pong == PONG ]]; then
    echo "redis    127.0.0.1:$REDIS_PORT  up ($(rcli info server 2>/dev/null | tr -d '\r' | awk -F: '/^redis_version/ {print "Redis " $2}'))"
  elif [[ $prc -eq 124 ]]; then
    echo "redis    127.0.0.1:$REDIS_PORT  UNRESPONSIVE (paused with CLIENT PAUSE ... ALL?)"; rc=1
  else
    echo "redis    127.0.0.1:$REDIS_PORT  DOWN"; rc=1
  fi
  return $rc
}

cmd_down_replica() {
  find_pg
  [[ ${1:-main} == faults ]] && use_replica faults
  if replica_running || [[ -f $PG_SOCKET_DIR/.s.PGSQL.$REPLICA_PORT.lock ]]; then
    stop_replica fast
    say "$REPLICA_LABEL: stopped (data dir kept: $REPLICA_DIR; slot $REPLICA_NAME keeps WAL on the primary until it is back)"
  else
    say "$REPLICA_LABEL: not running"
  fi
}

case "${1:-}" in
  up) cmd_up ;;
  status) cmd_status ;;
  down-replica) cmd_down_replica main ;;
  down-fault-replica) cmd_down_replica faults ;;
  *) echo "usage: bash scripts/services.sh up|status|down-replica|down-fault-replica" >&2; exit 2 ;;
esac
