import type { RouteInfo } from '@fleet/core';

/** One line of `fleet routes`. */
export interface RouteRow {
  method: string;
  path: string;
  /** `Controller.method` */
  handler: string;
  /** The handler's resilience decorators as compiled at boot, outermost first: `['RateLimit', 'Timeout']`. */
  decorators: string[];
}

/**
 * The routes sorted by path, then method (by code point, so the order does not depend on the
 * locale). `decoratorsOf` names the decorators of a controller method (none when it has none).
 */
export function routeRows(routes: readonly RouteInfo[], decoratorsOf: (controller: string, handler: string) => readonly string[] = () => []): RouteRow[] {
  return routes
    .map((r) => ({ method: r.method, path: r.url, handler: `${r.controller}.${r.handler}`, decorators: [...decoratorsOf(r.controller, r.handler)] }))
    .sort((a, b) => compare(a.path, b.path) || compare(a.method, b.method));
}

export function formatRouteTable(rows: readonly RouteRow[]): string {
  const table: string[][] = [['METHOD', 'PATH', 'HANDLER', 'DECORATORS'], ...rows.map((r) => [r.method, r.path, r.handler, r.decorators.join(', ')])];
  const widths = [0, 1, 2].map((k) => Math.max(...table.map((r) => r[k]!.length)));
  return table.map((r) => r.map((cell, k) => (k < 3 ? cell.padEnd(widths[k]!) : cell)).join('  ').trimEnd()).join('\n') + '\n';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
