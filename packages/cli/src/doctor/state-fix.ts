/** Where state of this name belongs in a fleet: the fix line of the state rules (as the boot guard words it). */
export function stateFix(name: string, isCache = false): string {
  const n = name.toLowerCase();
  if (/session/.test(n)) return 'keep sessions in Redis: inject Sessions from @fleet/core (sessions.start / get / destroy).';
  if (isCache || /cache|memo/.test(n)) return 'cache with @Cached({ ttl }) on the method that computes the value (L1 owned by Fleet and invalidated fleet-wide, L2 in Redis).';
  if (/lock|mutex|semaphore/.test(n)) return 'a lock must hold across instances: inject Locks from @fleet/core.';
  if (/rate|limit|attempt|throttl/.test(n)) return 'limit with @RateLimit on the route: the counters are fleet-wide, in Redis.';
  if (/upload|file|blob/.test(n)) return 'files belong in object storage (S3, GCS, Azure Blob, MinIO); keep only their keys in PostgreSQL.';
  return 'keep shared state in Redis (Sessions, Locks, @Cached, @RateLimit) or PostgreSQL; if it is a constant, freeze it ' +
    '(Object.freeze, `as const`); if it is truly per-instance, make it a provider field marked @AllowState(\'reason\').';
}
