import type { RouteInfo } from '@fleet/core';

/** One line of `fleet routes`. */
export interface RouteRow {
  method: string;
  path: string;
  /** `Controller.method` */
  handler: string;
}

/** The routes sorted by path, then method (by code point, so the order does not depend on the locale). */
export function routeRows(routes: readonly RouteInfo[]): RouteRow[] {
  return routes
    .map((r) => ({ method: r.method, path: r.url, handler: `${r.controller}.${r.handler}` }))
    .sort((a, b) => compare(a.path, b.path) || compare(a.method, b.method));
}

export function formatRouteTable(rows: readonly RouteRow[]): string {
  const table: Array<[string, string, string]> = [['METHOD', 'PATH', 'HANDLER'], ...rows.map((r): [string, string, string] => [r.method, r.path, r.handler])];
  const methodWidth = Math.max(...table.map((r) => r[0].length));
  const pathWidth = Math.max(...table.map((r) => r[1].length));
  return table.map(([m, p, h]) => `${m.padEnd(methodWidth)}  ${p.padEnd(pathWidth)}  ${h}`).join('\n') + '\n';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
