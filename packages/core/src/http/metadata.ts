import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** Options of a route decorator (`@Get(path, options)`). */
export interface RouteOptions {
  /** Status code of a successful response. @default 200 */
  status?: number;
  /**
   * Response schema: one zod schema (for `status`), or one per status code. Responses are
   * serialised by Fastify's compiled serializer and fields not in the schema are dropped.
   */
  response?: z.ZodType | Record<number, z.ZodType>;
  /** Maximum request body size in bytes for this route. @default the app's `bodyLimit` (1 MiB) */
  bodyLimit?: number;
}

export type ParamKind = 'param' | 'query' | 'body' | 'headers' | 'req' | 'res';

export interface ParamMeta {
  index: number;
  kind: ParamKind;
  /** A single named value (`@Param('id')`); absent for the whole object. */
  name?: string;
  schema?: z.ZodType;
}

export interface RouteMeta {
  method: HttpMethod;
  path: string;
  handler: string;
  options: RouteOptions;
}

export interface ControllerMeta {
  prefix: string;
  routes: RouteMeta[];
  params: Map<string, ParamMeta[]>;
}

const controllers = new WeakMap<Function, ControllerMeta>();

export function controllerMeta(target: Function): ControllerMeta {
  let meta = controllers.get(target);
  if (!meta) {
    meta = { prefix: '', routes: [], params: new Map() };
    controllers.set(target, meta);
  }
  return meta;
}

export function readControllerMeta(target: Function): ControllerMeta | undefined {
  return controllers.get(target);
}
