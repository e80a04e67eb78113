/**
 * PostgreSQL WAL positions (`pg_lsn`, printed as `XXXXXXXX/XXXXXXXX`) as plain numbers, so the
 * router compares them with `>=` on the hot path. A number holds every position exactly up to
 * 2^53 bytes of WAL (8 PiB written over the cluster's life).
 */
const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** The position as a number, or undefined when `text` is not an LSN. */
export function parseLsn(text: string | null | undefined): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = LSN.exec(text);
  if (!m) return undefined;
  return parseInt(m[1]!, 16) * 4294967296 + parseInt(m[2]!, 16);
}

/** The canonical text form (upper-case hex, as PostgreSQL prints it). */
export function formatLsn(lsn: number): string {
  const hi = Math.floor(lsn / 4294967296);
  const lo = lsn - hi * 4294967296;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}
