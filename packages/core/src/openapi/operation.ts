import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { FleetError } from '../errors.js';
import type { ParamMeta, RouteMeta } from '../http/metadata.js';
import { joinPath, locationSchema } from '../http/route-compiler.js';
import { errorResponse, errorStatuses } from './error-responses.js';
import { pathTemplate } from './path-template.js';
import type { SchemaCollector } from './schema-collector.js';
import type { JsonSchema, OpenApiOperation, OpenApiParameter, OpenApiRequestBody, OpenApiResponse, OpenApiSecurityRequirement } from './types.js';

/** One route, with the `@ApiDoc` of its method and class already merged. */
export interface OperationSource {
  cls: Function;
  prefix: string;
  route: RouteMeta;
  params: readonly ParamMeta[];
  operationId: string;
  tags: string[];
  summary?: string;
  description?: string;
  deprecated?: boolean;
  /** The route's or its controller's security; undefined falls back to the document's. */
  security?: OpenApiSecurityRequirement[];
  /** Whether a security scheme guards the route (its own, or the document's). */
  secured: boolean;
  errors: readonly number[];
}

// Header parameters OpenAPI ignores: content negotiation and security schemes describe them.
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);
const NO_CONTENT = new Set([204, 205, 304]);

/**
 * The OpenAPI operation of one route, from the same zod schemas the route compiler validates
 * with (`locationSchema` merges named and whole-object parameters exactly as at serving time).
 */
export function buildOperation(source: OperationSource, collector: SchemaCollector): { template: string; operation: OpenApiOperation } {
  const { route, operationId: id } = source;
  const url = joinPath(source.prefix, route.path);
  const { template, params: pathNames, patterns } = pathTemplate(url);
  const invalid = (m: string) => new FleetError('FLEET_ERR_HTTP_INVALID_ROUTE', `${source.cls.name}.${route.handler}: ${m}`);
  const of = (kind: ParamMeta['kind']) => source.params.filter((p) => p.kind === kind);
  const parts = {
    path: locationSchema('param', of('param'), pathNames, invalid),
    query: locationSchema('query', of('query'), pathNames, invalid),
    header: locationSchema('headers', of('headers'), pathNames, invalid),
    body: locationSchema('body', of('body'), pathNames, invalid),
  };

  const parameters: OpenApiParameter[] = [];
  const pathProps = parts.path ? objectParts(collector, collector.convert(parts.path, 'input', `${id}_params`)) : undefined;
  for (const name of pathNames) {
    const schema = pathProps?.properties[name] ?? { type: 'string', ...(patterns.has(name) ? { pattern: patterns.get(name) } : {}) };
    parameters.push(parameter(name, 'path', true, schema));
  }
  for (const location of ['query', 'header'] as const) {
    const zodSchema = parts[location];
    if (!zodSchema) continue;
    const json = collector.convert(zodSchema, 'input', `${id}_${location}`, location === 'header');
    const object = objectParts(collector, json);
    if (!object) {
      // Not a plain object (a union, a record): one free-form parameter, serialised as `?a=1&b=2`.
      if (location === 'query') parameters.push({ name: 'query', in: 'query', style: 'form', explode: true, schema: json });
      continue;
    }
    for (const [name, schema] of Object.entries(object.properties)) {
      if (location === 'header' && IGNORED_HEADERS.has(name.toLowerCase())) continue;
      parameters.push(parameter(name, location, object.required.includes(name), schema));
    }
  }

  const readsBody = of('body').length > 0;
  const requestBody: OpenApiRequestBody | undefined = !readsBody ? undefined : {
    ...(parts.body && !parts.body.isOptional() ? { required: true } : {}),
    content: { 'application/json': { schema: parts.body ? collector.convert(parts.body, 'input', `${id}_body`) : {} } },
  };

  const responses = successResponses(source, collector);
  const errors = errorStatuses({
    cls: source.cls, handler: route.handler, readsBody, secured: source.secured, declared: source.errors,
    validates: Object.values(parts).some((p) => p !== undefined), hasPathParams: pathNames.length > 0,
  });
  for (const [status, codes] of errors) responses[status] ??= errorResponse(status, codes);

  const operation: OpenApiOperation = {
    ...(source.tags.length ? { tags: source.tags } : {}),
    ...(source.summary ? { summary: source.summary } : {}),
    ...(source.description ? { description: source.description } : {}),
    operationId: id,
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: sortByStatus(responses),
    ...(source.deprecated ? { deprecated: true } : {}),
    ...(source.security ? { security: source.security } : {}),
  };
  return { template, operation };
}

/** The route's successful responses: one per status of its `response` option, or its status without a schema. */
function successResponses(source: OperationSource, collector: SchemaCollector): Record<number, OpenApiResponse> {
  const { options, method } = source.route;
  const status = options.status ?? 200;
  const r = options.response;
  const byStatus: Record<number, z.ZodType> = r instanceof z.ZodType ? { [status]: r } : r ?? {};
  const responses: Record<number, OpenApiResponse> = {};
  const replyManaged = source.params.some((p) => p.kind === 'res');
  if (!(status in byStatus)) {
    // Without a schema the body is some JSON, unless the status has none or the handler sends the reply itself.
    const empty = NO_CONTENT.has(status) || method === 'HEAD' || replyManaged;
    responses[status] = { description: STATUS_CODES[status] ?? 'Success', ...(empty ? {} : { content: { 'application/json': { schema: {} } } }) };
  }
  for (const [code, zodSchema] of Object.entries(byStatus)) {
    const schema = collector.convert(zodSchema, 'output', `${source.operationId}_${code}`);
    const described = collector.resolve(schema).description;
    responses[Number(code)] = {
      description: typeof described === 'string' ? described : STATUS_CODES[Number(code)] ?? 'Response',
      content: { 'application/json': { schema } },
    };
  }
  return responses;
}

/** Properties of an object schema (following a component reference), or undefined when it is no plain object. */
function objectParts(collector: SchemaCollector, json: JsonSchema): { properties: Record<string, JsonSchema>; required: string[] } | undefined {
  const object = collector.resolve(json);
  if (object.type !== 'object' || typeof object.properties !== 'object' || object.anyOf || object.oneOf || object.allOf) return undefined;
  return { properties: object.properties as Record<string, JsonSchema>, required: (object.required as string[] | undefined) ?? [] };
}

/** A parameter; the schema's description and deprecation move up to the parameter, where tools show them. */
function parameter(name: string, location: OpenApiParameter['in'], required: boolean, schema: JsonSchema): OpenApiParameter {
  const { description, deprecated, ...rest } = schema;
  const own = schema.$ref ? schema : rest;
  return {
    name,
    in: location,
    ...(typeof description === 'string' && !schema.$ref ? { description } : {}),
    ...(required ? { required: true } : {}),
    ...(deprecated === true && !schema.$ref ? { deprecated: true } : {}),
    schema: own,
  };
}

function sortByStatus(responses: Record<number, OpenApiResponse>): Record<string, OpenApiResponse> {
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)));
}
