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

/**
 * What the zod schemas cannot say about a route or a controller, for the OpenAPI document
 * (`@ApiDoc`). On a route, each field replaces the controller's; on a controller, it applies to
 * every route of it.
 */
export interface ApiDocOptions {
  /** One line saying what the operation does. Routes only. */
  summary?: string;
  /** Longer text (CommonMark). On a controller: the description of its tags. */
  description?: string;
  /** Marks the operation (on a controller: every route of it) as deprecated. */
  deprecated?: boolean;
  /**
   * Security schemes, by their name in `openapi.securitySchemes`; any one of them grants access:
   * `['session']`. A requirement object needs all its schemes: `[{ oauth: ['orders:read'] }]`.
   * `[]` makes the route public. A route that needs one can also answer 401.
   * @default the app's `openapi.security` (none)
   */
  security?: Array<string | Record<string, string[]>>;
  /** Tags grouping the operation. @default the controller's name without `Controller` (`UsersController` => `Users`) */
  tags?: string[];
  /** Routes only. @default `<Controller>_<method>` (`UsersController_get`) */
  operationId?: string;
  /**
   * Error statuses the handler itself raises (e.g. `[401, 409]` for `UnauthorizedError` and
   * `ConflictError`), each answered with the common error body. The statuses Fleet can tell on its
   * own (validation, body limits, 404 on paths with parameters, resilience decorators, 500) are added anyway.
   */
  errors?: number[];
  /** Leaves the route (on a controller: all its routes) out of the document. */
  hidden?: boolean;
}

export interface ControllerMeta {
  prefix: string;
  routes: RouteMeta[];
  params: Map<string, ParamMeta[]>;
  /** `@ApiDoc` on the class. */
  doc?: ApiDocOptions;
  /** `@ApiDoc` on methods, by method name. */
  docs: Map<string, ApiDocOptions>;
}

const controllers = new WeakMap<Function, ControllerMeta>();

export function controllerMeta(target: Function): ControllerMeta {
  let meta = controllers.get(target);
  if (!meta) {
    meta = { prefix: '', routes: [], params: new Map(), docs: new Map() };
    controllers.set(target, meta);
  }
  return meta;
}

export function readControllerMeta(target: Function): ControllerMeta | undefined {
  return controllers.get(target);
}
