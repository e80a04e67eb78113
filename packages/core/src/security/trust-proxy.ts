import { isIP } from 'node:net';
import type { Problems } from './problems.js';

/**
 * Which peers may tell Fleet the client's address through `X-Forwarded-For` (and the protocol
 * and host through `X-Forwarded-Proto` / `-Host`):
 * - `false`: nobody; `request.ip` is the TCP peer (the default: safe when clients connect directly);
 * - addresses or CIDRs, as an array or a comma-separated string (`'10.0.0.0/8, 127.0.0.1'`),
 *   or the names `loopback`, `linklocal`, `uniquelocal`: hops from these addresses are skipped,
 *   and the client is the nearest address that is not one of them;
 * - a number of hops (`1` behind one load balancer): the client is that many hops back. Only when
 *   nothing can reach the app except through those proxies (any direct client could spoof);
 * - a function `(address, hop) => boolean` deciding per hop.
 * `true` (trust anyone) is refused: it would let every client choose its own address.
 */
export type TrustProxySetting = false | number | string | readonly string[] | ((address: string, hop: number) => boolean);

/** What Fastify gets: never `true`, never a bare number (Fastify refuses hop counts). */
export type ResolvedTrustProxy = false | string[] | ((address: string, hop: number) => boolean);

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const ENV = 'FLEET_TRUST_PROXY';

/** The option, else `FLEET_TRUST_PROXY` (`1`, `10.0.0.0/8,127.0.0.1`, `loopback`, `false`), else off. */
export function resolveTrustProxy(option: TrustProxySetting | boolean | undefined, env: Record<string, string | undefined>, problems: Problems): ResolvedTrustProxy {
  if (option !== undefined) return resolveSetting(option, 'trustProxy', problems);
  const raw = env[ENV]?.trim();
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return resolveSetting(true, ENV, problems);
  return resolveSetting(/^\d+$/.test(raw) ? Number(raw) : raw, ENV, problems);
}

function resolveSetting(value: TrustProxySetting | boolean, where: string, problems: Problems): ResolvedTrustProxy {
  if (value === false) return false;
  if (value === true) {
    problems.add(`${where}: true would trust X-Forwarded-For from any peer, so every client could choose its own address (and rate-limit key). ` +
      `Fix: list the addresses or CIDRs of your proxies ('10.0.0.0/8'), or give the number of proxies in front of the app (1).`);
    return false;
  }
  if (typeof value === 'function') return value;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      problems.add(`${where} as a hop count must be a non-negative integer; got ${value}.`);
      return false;
    }
    if (value === 0) return false;
    const hops = value;
    return (_address, hop) => hop < hops;
  }
  const entries = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : [...(value as readonly unknown[])];
  const bad = entries.filter((e) => typeof e !== 'string' || !isAddressOrRange(e));
  if (bad.length > 0) {
    problems.add(`${where}: ${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not an IP address, a CIDR (address/prefix) or one of loopback, linklocal, uniquelocal.`);
    return false;
  }
  if (entries.length === 0) return false;
  return entries as string[];
}

export function isAddressOrRange(entry: string): boolean {
  if (NAMES.has(entry)) return true;
  const slash = entry.indexOf('/');
  if (slash < 0) return isIP(entry) !== 0;
  const family = isIP(entry.slice(0, slash));
  const prefix = entry.slice(slash + 1);
  return family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
