import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import type pg from 'pg';

/** Options of `acquireFaultReplica`. */
export interface FaultReplicaOptions {
  /** The primary: the advisory lock is taken there, and WAL positions are read from it. @default 'postgres://postgres@127.0.0.1:5432/postgres' */
  primaryUrl?: string;
  /** The database `url` names. @default 'test' */
  database?: string;
  /** How long to wait while another test holds the replica, in ms. @default 120000 */
  acquireTimeoutMs?: number;
  /** The fault replica's port on 127.0.0.1. @default 5434 */
  port?: number;
  /** Its data directory (pg_ctl -D). @default FLEET_FAULT_REPLICA_DIR or '/var/lib/postgresql/fleet-replica-faults' */
  dataDir?: string;
  /** Its server log (pg_ctl -l). @default FLEET_FAULT_REPLICA_LOG or '/var/log/postgresql/fleet-replica-faults.log' */
  logFile?: string;
}

/** Exclusive use of the fault replica (127.0.0.1:5434, a streaming standby that nothing else reads from). */
export interface FaultReplica {
  /** `postgres://postgres@127.0.0.1:5434/<database>`: point DATABASE_REPLICA_URLS at it. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** `pg_wal_replay_pause()`, then waits until replay is paused: writes on the primary stop showing on the replica. */
  pauseReplay(): Promise<void>;
  /** `pg_wal_replay_resume()`, then waits until replay runs again. */
  resumeReplay(): Promise<void>;
  /** `pg_ctl stop -m fast`: connections to the replica fail until `start()`. */
  stop(): Promise<void>;
  /** Starts it and waits until it accepts connections and streams from the primary again. */
  start(): Promise<void>;
  /** Waits until the replica has replayed everything the primary has written so far. @default 15000 ms */
  waitForCatchUp(timeoutMs?: number): Promise<void>;
  /** Restores the replica (resumes replay, starts it if stopped), then lets the next test have it. Idempotent. */
  release(): Promise<void>;
}

/** The advisory lock key (two int4, in the primary's database `postgres`): scripts/services.sh checks the same one. */
const LOCK: number[] = [1718379891, 5434];
const SLOT = 'fleet_replica_faults';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the fault replica for this test, waiting while another test file has it: a session-level
 * `pg_advisory_lock` held on a dedicated primary connection until `release()` (or until this
 * process dies, which ends the session). Heals the replica first (a previous holder may have died
 * with it paused or stopped). The shared replica on 5433 is never touched. Tests run as root or
 * postgres: `stop()`/`start()` run pg_ctl as the postgres user.
 */
export async function acquireFaultReplica(options: FaultReplicaOptions = {}): Promise<FaultReplica> {
  const { default: pgm } = await import('pg');
  const primaryUrl = options.primaryUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const port = options.port ?? 5434;
  const host = '127.0.0.1';
  const dataDir = options.dataDir ?? process.env.FLEET_FAULT_REPLICA_DIR ?? '/var/lib/postgresql/fleet-replica-faults';
  const logFile = options.logFile ?? process.env.FLEET_FAULT_REPLICA_LOG ?? '/var/log/postgresql/fleet-replica-faults.log';
  const adminUrl = `postgres://postgres@${host}:${port}/postgres`;
  const query = async (url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> => {
    const c = new pgm.Client({ connectionString: url, application_name: 'fleet-fault-replica', connectionTimeoutMillis: 3000 });
    c.on('error', () => undefined);
    await c.connect();
    try { return await c.query(text, values); } finally { await c.end().catch(() => undefined); }
  };
  const onReplica = (text: string) => query(adminUrl, text);
  const pgCtl = (...args: string[]) => run(pgCtlCommand(['-D', dataDir, ...args]));

  const lock = new pgm.Client({ connectionString: primaryUrl, application_name: `fleet-fault-replica holder pid=${process.pid}`, connectionTimeoutMillis: 5000 });
  lock.on('error', () => undefined); // the session ends, and with it the lock: release() still restores
  await lock.connect();
  const deadline = Date.now() + (options.acquireTimeoutMs ?? 120_000);
  try {
    while (!(await lock.query('select pg_try_advisory_lock($1, $2) as ok', LOCK)).rows[0].ok) {
      if (Date.now() > deadline) {
        const holder = await lock.query(`select a.pid, a.application_name from pg_locks l join pg_stat_activity a using (pid)
          where l.locktype = 'advisory' and l.granted and l.classid = $1 and l.objid = $2 and l.objsubid = 2`, LOCK);
        const who = holder.rows[0] ? `backend pid ${holder.rows[0].pid} (${holder.rows[0].application_name})` : 'another session';
        throw new Error(`acquireFaultReplica(): the fault replica on ${host}:${port} stayed held by ${who} for ${options.acquireTimeoutMs ?? 120_000} ms. ` +
          'Fix: release() it in finally/afterAll in every test that acquires it; a test process that died released it with its session.');
      }
      await sleep(200);
    }
  } catch (error) {
    await lock.end().catch(() => undefined);
    throw error;
  }

  let stopped = false;
  let released = false;
  const exitHook = () => { if (!released) restoreSync(pgCtlCommand(['-D', dataDir, '-l', logFile, '-o', `-p ${port}`, '-w', '-t', '30', 'start']), port, stopped); };
  process.on('exit', exitHook);

  const pauseState = async () => (await onReplica('select pg_get_wal_replay_pause_state() as s')).rows[0].s as string;
  const waitFor = async (what: string, timeoutMs: number, check: () => Promise<boolean>) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (await check().catch(() => false)) return;
      if (Date.now() > until) throw new Error(`fault replica ${host}:${port}: ${what} within ${timeoutMs} ms (log: ${logFile}). Fix: bash scripts/services.sh up repairs it.`);
      await sleep(50);
    }
  };
  const handle: FaultReplica = {
    url: `postgres://postgres@${host}:${port}/${options.database ?? 'test'}`,
    host,
    port,
    async pauseReplay() {
      await onReplica('select pg_wal_replay_pause()');
      // Replay pauses at its next WAL record: a transaction id on the primary makes one if it is idle.
      await waitFor('replay did not pause', 10_000, async () => {
        if ((await pauseState()) === 'paused') return true;
        await query(primaryUrl, 'select txid_current()');
        return false;
      });
    },
    async resumeReplay() {
      await onReplica('select pg_wal_replay_resume()');
      await waitFor('replay did not resume', 10_000, async () => (await pauseState()) === 'not paused');
    },
    async stop() {
      stopped = true;
      await pgCtl('-m', 'fast', '-w', '-t', '30', 'stop');
    },
    async start() {
      await pgCtl('-l', logFile, '-o', `-p ${port}`, '-w', '-t', '30', 'start');
      stopped = false;
      await waitFor('did not accept connections and stream from the primary', 30_000, async () => {
        await onReplica('select 1');
        const r = await query(primaryUrl, 'select state from pg_stat_replication where application_name = $1', [SLOT]);
        return r.rows.some((row) => row.state === 'streaming');
      });
    },
    async waitForCatchUp(timeoutMs = 15_000) {
      const target = (await query(primaryUrl, 'select pg_current_wal_lsn()::text as lsn')).rows[0].lsn as string;
      if ((await pauseState()) !== 'not paused') throw new Error(`fault replica ${host}:${port}: replay is paused, so it cannot catch up. Fix: resumeReplay() first.`);
      await waitFor(`did not replay up to the primary's ${target}`, timeoutMs, async () =>
        (await query(adminUrl, 'select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok', [target])).rows[0].ok === true);
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await restore();
      } finally {
        process.off('exit', exitHook);
        await lock.query('select pg_advisory_unlock($1, $2)', LOCK).catch(() => undefined);
        await lock.end().catch(() => undefined);
      }
    },
  };
  /** Running, replaying and streaming: what the next holder (and services.sh) expects. */
  const restore = async () => {
    const up = await onReplica('select 1').then(() => true, () => false);
    if (!up) await handle.start();
    if ((await pauseState()) !== 'not paused') await handle.resumeReplay();
  };
  try {
    await restore();
    await handle.waitForCatchUp();
  } catch (error) {
    await handle.release().catch(() => undefined);
    throw error;
  }
  return handle;
}

/** pg_ctl of the newest installed PostgreSQL, as the postgres OS user (tests run as root or postgres). */
function pgCtlCommand(args: string[]): string[] {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const pgCtl = versions.map((v) => `/usr/lib/postgresql/${v}/bin/pg_ctl`).find((p) => existsSync(p)) ?? 'pg_ctl';
  const uid = process.getuid?.();
  if (uid === 0) return ['runuser', '-u', 'postgres', '--', pgCtl, ...args];
  return [pgCtl, ...args];
}

/** Runs a command to its end (detached, output kept for the error), rejecting with its output when it fails. */
function run([cmd, ...args]: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // Detached: the postmaster pg_ctl starts must not be in this process's group (or hold its pipes).
    const child = spawn(cmd!, args, { cwd: '/', detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${out.trim()}` +
      `${process.getuid?.() === 0 ? '' : '. Fix: run the tests as root or postgres (pg_ctl acts on a data directory only they can read).'}`)));
  });
}

/** The exit hook: synchronous, best effort (the next acquireFaultReplica and services.sh up heal the rest). */
function restoreSync(start: string[], port: number, stopped: boolean): void {
  if (stopped) spawnSync(start[0]!, start.slice(1), { cwd: '/', stdio: 'ignore', timeout: 30_000 });
  spawnSync('psql', ['-X', '-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', 'select pg_wal_replay_resume()'], { stdio: 'ignore', timeout: 5000 });
}
