import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions as FastifyRouteOptions } from 'fastify';
import { z } from 'zod';
import { FleetError } from '../errors.js';
import { contextStorage } from '../context/request-context.js';
import { readControllerMeta, type ParamMeta, type RouteMeta } from './metadata.js';
import { compileSchema, type CompiledSchema, type SchemaLocation } from './zod-schema.js';
import { zodDetails } from './validation.js';
import { inSpanContext } from '../telemetry/http-telemetry.js';

type Handler = (req: FastifyRequest, reply: FastifyReply) => unknown;
type Extractor = (req: FastifyRequest, reply: FastifyReply) => unknown;

/** A compiled route, as `app.routes` lists it. */
export interface RouteInfo {
  method: string;
  url: string;
  controller: string;
  handler: string;
}

export interface CompileOptions {
  /** Enter the RequestContext storage for each request (only when something injects it). */
  requestContext: boolean;
  /** Run handlers inside the request's OpenTelemetry span (only when an SDK is registered). */
  telemetry?: boolean;
}

const LOCATIONS = { param: 'params', query: 'querystring', headers: 'headers', body: 'body' } as const;
const kParsed = Symbol('fleet.parsed');
type ParsedReq = FastifyRequest & { [kParsed]?: Record<string, unknown> };

/**
 * Turns decorated controllers into Fastify routes, once, at boot: zod schemas become JSON
 * Schemas for Fastify's compiled validator and serializer, and each handler becomes a closure
 * specialised to its argument list, so a request does no reflection and no lookups.
 */
export function compileControllers(fastify: FastifyInstance, controllers: Array<{ cls: Function; instance: object; module: { name: string } }>, options: CompileOptions): RouteInfo[] {
  const errors: FleetError[] = [];
  const routes: RouteInfo[] = [];
  for (const { cls, instance, module } of controllers) {
    const meta = readControllerMeta(cls);
    if (!meta) {
      errors.push(new FleetError('FLEET_ERR_HTTP_INVALID_ROUTE', `${cls.name} is listed in the controllers of ${module.name} but has no @Controller() decorator. Fix: decorate it, or move it to providers.`));
      continue;
    }
    for (const route of meta.routes) {
      const where = `${cls.name}.${route.handler}`;
      try {
        const compiled = compileRoute(instance, meta.prefix, route, meta.params.get(route.handler) ?? [], where, options);
        fastify.route(compiled);
        routes.push({ method: route.method, url: compiled.url, controller: cls.name, handler: route.handler });
      } catch (e) {
        errors.push(e instanceof FleetError ? e : new FleetError('FLEET_ERR_HTTP_INVALID_ROUTE', `${where}: ${(e as Error).message}`, { cause: e }));
      }
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new FleetError('FLEET_ERR_HTTP_INVALID_ROUTE', errors.map((e) => e.message).join('\n'));
  return routes;
}

function compileRoute(instance: object, prefix: string, route: RouteMeta, params: ParamMeta[], where: string, options: CompileOptions): FastifyRouteOptions {
  const url = joinPath(prefix, route.path);
  const fn = (instance as Record<string, unknown>)[route.handler];
  if (typeof fn !== 'function') throw new FleetError('FLEET_ERR_HTTP_INVALID_ROUTE', `${where} is not a method.`);
  const invalid = (msg: string) => new FleetError('FLEET_ERR_HTTP_INVALID_ROUTE', `${where} (${route.method} ${url}): ${msg}`);

  const sorted = [...params].sort((a, b) => a.index - b.index);
  const arity = Math.max(fn.length, sorted.length ? sorted[sorted.length - 1]!.index + 1 : 0);
  for (let i = 0; i < arity; i++) {
    if (!sorted.some((p) => p.index === i)) throw invalid(`argument #${i + 1} has no parameter decorator. Fix: add @Param, @Query, @Body, @Headers, @Req or @Res.`);
  }
  const pathParams = [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  for (const p of sorted) {
    if (p.kind === 'param' && p.name !== undefined && !pathParams.includes(p.name)) {
      throw invalid(`@Param('${p.name}') names no parameter of the path (it has ${pathParams.length ? pathParams.map((n) => `:${n}`).join(', ') : 'none'}).`);
    }
  }
  if (sorted.filter((p) => p.kind === 'body' && p.schema).length > 1) throw invalid('more than one @Body(schema): give the whole body one schema.');

  const schemas: Partial<Record<SchemaLocation, CompiledSchema>> = {};
  for (const kind of ['param', 'query', 'headers', 'body'] as const) {
    const schema = locationSchema(kind, sorted.filter((p) => p.kind === kind), pathParams, invalid);
    if (schema) schemas[LOCATIONS[kind]] = compileSchema(schema, LOCATIONS[kind]);
  }
  const response = responseSchemas(route);

  const extractors = sorted.map((p) => extractor(p, schemas));
  let handler = specialise(fn as (...a: unknown[]) => unknown, instance, extractors);
  const zodParts = (Object.entries(schemas) as Array<[SchemaLocation, CompiledSchema]>).filter(([, s]) => s.zod);
  if (zodParts.length > 0) handler = withZod(handler, zodParts);
  handler = sorted.some((p) => p.kind === 'res') ? replyManaged(handler) : sendsEmptyOnUndefined(handler);
  if (route.options.status !== undefined) handler = withStatus(handler, route.options.status);
  if (options.telemetry) handler = withSpan(handler);
  if (options.requestContext) handler = withContext(handler);

  return {
    method: route.method,
    url,
    handler,
    ...(route.options.bodyLimit !== undefined ? { bodyLimit: route.options.bodyLimit } : {}),
    schema: {
      ...(schemas.params ? { params: schemas.params.json } : {}),
      ...(schemas.querystring ? { querystring: schemas.querystring.json } : {}),
      ...(schemas.headers ? { headers: schemas.headers.json } : {}),
      ...(schemas.body ? { body: schemas.body.json } : {}),
      ...(response ? { response } : {}),
    },
  };
}

/** One zod schema per request part: the whole-object schema, extended by named fields (the OpenAPI document reads the same one). */
export function locationSchema(kind: 'param' | 'query' | 'headers' | 'body', list: ParamMeta[], pathParams: string[], invalid: (m: string) => Error): z.ZodType | undefined {
  if (!list.some((p) => p.schema)) return undefined;
  if (kind === 'body') return list.find((p) => p.schema)!.schema;
  const whole = list.find((p) => p.name === undefined && p.schema)?.schema;
  const named = list.filter((p) => p.name !== undefined);
  if (whole && named.length === 0) return whole;
  if (whole && !(whole instanceof z.ZodObject)) throw invalid(`the whole-${kind} schema must be a z.object() when named ${kind} parameters are also declared.`);
  const shape: Record<string, z.ZodType> = {};
  if (kind === 'param') for (const n of pathParams) shape[n] = z.string();
  for (const p of named) shape[p.name!] = p.schema ?? (kind === 'param' ? z.string() : z.string().optional());
  return whole ? (whole as z.ZodObject).extend(shape) : kind === 'headers' ? z.looseObject(shape) : z.object(shape);
}

function responseSchemas(route: RouteMeta): Record<number, unknown> | undefined {
  const r = route.options.response;
  if (!r) return undefined;
  const byStatus: Record<number, z.ZodType> = r instanceof z.ZodType ? { [route.options.status ?? 200]: r } : r;
  const out: Record<number, unknown> = {};
  for (const [status, schema] of Object.entries(byStatus)) out[Number(status)] = compileSchema(schema, 'response').json;
  return out;
}

function extractor(p: ParamMeta, schemas: Partial<Record<SchemaLocation, CompiledSchema>>): Extractor {
  if (p.kind === 'req') return (req) => req;
  if (p.kind === 'res') return (_req, reply) => reply;
  const loc = LOCATIONS[p.kind];
  const name = p.name;
  if (schemas[loc]?.zod) {
    return name === undefined ? (req) => (req as ParsedReq)[kParsed]![loc] : (req) => ((req as ParsedReq)[kParsed]![loc] as Record<string, unknown>)[name];
  }
  switch (loc) {
    case 'params': return name === undefined ? (req) => req.params : (req) => (req.params as Record<string, unknown>)[name];
    case 'querystring': return name === undefined ? (req) => req.query : (req) => (req.query as Record<string, unknown>)[name];
    case 'headers': return name === undefined ? (req) => req.headers : (req) => req.headers[name];
    default: return (req) => req.body;
  }
}

/** Avoids building an argument array per request for the common arities. */
function specialise(fn: (...a: unknown[]) => unknown, self: object, ex: Extractor[]): Handler {
  const [a, b, c] = ex;
  switch (ex.length) {
    case 0: return () => fn.call(self);
    case 1: return (req, reply) => fn.call(self, a!(req, reply));
    case 2: return (req, reply) => fn.call(self, a!(req, reply), b!(req, reply));
    case 3: return (req, reply) => fn.call(self, a!(req, reply), b!(req, reply), c!(req, reply));
    default: return (req, reply) => fn.apply(self, ex.map((e) => e(req, reply)));
  }
}

const RAW: Record<SchemaLocation, (req: FastifyRequest) => unknown> = {
  params: (r) => r.params, querystring: (r) => r.query, headers: (r) => r.headers, body: (r) => r.body, response: () => undefined,
};

/** For schemas JSON Schema cannot express: zod runs after Fastify's validator, with the same error shape. */
function withZod(next: Handler, parts: Array<[SchemaLocation, CompiledSchema]>): Handler {
  return (req, reply) => {
    const parsed: Record<string, unknown> = {};
    for (const [loc, s] of parts) {
      const result = s.zod!.safeParse(RAW[loc](req));
      if (!result.success) {
        const details = zodDetails(result.error, loc);
        throw Object.assign(new FleetError('FLEET_ERR_HTTP_VALIDATION', `Invalid request: ${details.length} problem${details.length > 1 ? 's' : ''}`, { details }));
      }
      parsed[loc] = result.data;
    }
    (req as ParsedReq)[kParsed] = parsed;
    return next(req, reply);
  };
}

function withStatus(next: Handler, status: number): Handler {
  return (req, reply) => { reply.code(status); return next(req, reply); };
}

/**
 * A synchronous handler that returns nothing answers with an empty body (Fastify would wait for
 * a reply.send() that never comes); async handlers resolving to nothing already do.
 */
function sendsEmptyOnUndefined(next: Handler): Handler {
  return (req, reply) => {
    const result = next(req, reply);
    if (result === undefined) reply.send();
    return result;
  };
}

/** With @Res the handler sends the reply itself; returning the reply tells Fastify so. */
function replyManaged(next: Handler): Handler {
  return (req, reply) => {
    const result = next(req, reply) as { then?: unknown } | undefined;
    if (result && typeof result.then === 'function') return (result as Promise<unknown>).then((v) => (v === undefined ? reply : v));
    return result === undefined ? reply : result;
  };
}

function withSpan(next: Handler): Handler {
  return (req, reply) => inSpanContext(req, () => next(req, reply));
}

function withContext(next: Handler): Handler {
  return (req, reply) => contextStorage.run(req, next, req, reply);
}

export function joinPath(prefix: string, path: string): string {
  const joined = `/${[prefix, path].map((s) => s.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
  return joined;
}
