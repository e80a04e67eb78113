import { FleetError, throwAll } from '../errors.js';
import { readControllerMeta, type ApiDocOptions, type HttpMethod } from '../http/metadata.js';
import { ERROR_BODY, ERROR_BODY_SCHEMA } from './error-responses.js';
import { buildOperation, type OperationSource } from './operation.js';
import { normalizeRequirement, type ResolvedOpenApiOptions } from './options.js';
import { SchemaCollector, rewriteRefs } from './schema-collector.js';
import type { JsonSchema, OpenApiDocument, OpenApiMethod, OpenApiPathItem, OpenApiSecurityRequirement, OpenApiTag } from './types.js';

/** The order of operations within a path, as the OpenAPI specification lists them. */
const METHOD_ORDER: readonly OpenApiMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The OpenAPI 3.1 document of the app's controllers (in the order the container lists them),
 * from their decorator metadata alone: the same zod schemas the routes validate with, `@ApiDoc`,
 * and the resilience decorators. Everything is sorted (paths, methods, statuses, components,
 * tags), so two boots of the same code write the same bytes. Every problem is reported at once.
 */
export function generateOpenApi(controllers: readonly Function[], options: ResolvedOpenApiOptions): OpenApiDocument {
  const collector = new SchemaCollector();
  const problems: FleetError[] = [];
  const paths = new Map<string, OpenApiPathItem>();
  const operationIds = new Set<string>();
  const tagDescriptions = new Map(options.tags.map((t) => [t.name, t.description]));
  const usedTags = new Set<string>();
  const schemes = options.securitySchemes;
  const checkSecurity = (where: string, security: ApiDocOptions['security']): OpenApiSecurityRequirement[] | undefined => {
    const normalized = security?.map(normalizeRequirement);
    const unknown = (normalized ?? []).flatMap((r) => Object.keys(r)).filter((n) => !(n in schemes));
    if (unknown.length) {
      problems.push(invalid(`@ApiDoc on ${where} names the security scheme${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}, ` +
        `which openapi.securitySchemes does not declare (it declares ${Object.keys(schemes).map((n) => `'${n}'`).join(', ') || 'none'}). ` +
        'Fix: declare it in createApp({ openapi: { securitySchemes } }) (and pass the same options to fleet openapi --options), or correct the name.'));
    }
    return normalized;
  };

  for (const cls of new Set(controllers)) {
    const meta = readControllerMeta(cls);
    if (!meta) continue;
    const classDoc = meta.doc ?? {};
    for (const field of ['summary', 'operationId'] as const) {
      if (classDoc[field] !== undefined) problems.push(invalid(`@ApiDoc on the class ${cls.name} sets ${field}, which only a route has. Fix: move it to the route's method.`));
    }
    if (classDoc.hidden) continue;
    const classTags = classDoc.tags ?? [defaultTag(cls.name)];
    if (classDoc.description) for (const tag of classTags) if (!tagDescriptions.has(tag)) tagDescriptions.set(tag, classDoc.description);
    const classSecurity = checkSecurity(cls.name, classDoc.security);
    for (const route of meta.routes) {
      const doc = meta.docs.get(route.handler) ?? {};
      if (doc.hidden) continue;
      const where = `${cls.name}.${route.handler}`;
      const security = doc.security ? checkSecurity(where, doc.security) : classSecurity;
      const errors = [...(classDoc.errors ?? []), ...(doc.errors ?? [])];
      const badStatus = errors.filter((s) => !Number.isInteger(s) || s < 400 || s > 599);
      if (badStatus.length) problems.push(invalid(`@ApiDoc on ${where}: errors lists ${badStatus.join(', ')}, which ${badStatus.length > 1 ? 'are' : 'is'} no error status (400-599). Fix: list the error statuses the handler raises.`));
      let operationId = doc.operationId ?? `${cls.name}_${route.handler}`;
      if (operationIds.has(operationId)) {
        if (doc.operationId !== undefined) {
          problems.push(invalid(`@ApiDoc on ${where}: the operationId '${operationId}' is already used by another route. Fix: give each route its own operationId.`));
          continue;
        }
        // One method behind several routes: the second one is <Controller>_<method>_2, and so on.
        let n = 2;
        while (operationIds.has(`${operationId}_${n}`)) n++;
        operationId = `${operationId}_${n}`;
      }
      operationIds.add(operationId);
      const source: OperationSource = {
        cls, prefix: meta.prefix, route, params: meta.params.get(route.handler) ?? [], operationId,
        tags: doc.tags ?? classTags,
        ...(doc.summary !== undefined ? { summary: doc.summary } : {}),
        ...(doc.description !== undefined ? { description: doc.description } : {}),
        ...((doc.deprecated ?? classDoc.deprecated) !== undefined ? { deprecated: doc.deprecated ?? classDoc.deprecated } : {}),
        ...(security ? { security } : {}),
        secured: (security ?? options.security ?? []).some((r) => Object.keys(r).length > 0),
        errors: [...new Set(errors.filter((s) => !badStatus.includes(s)))],
      };
      try {
        const { template, operation } = buildOperation(source, collector);
        const item = paths.get(template) ?? {};
        item[route.method.toLowerCase() as Lowercase<HttpMethod>] = operation;
        paths.set(template, item);
        for (const tag of source.tags) usedTags.add(tag);
      } catch (e) {
        problems.push(e instanceof FleetError ? e : invalid(`${where}: ${(e as Error).message}`, e));
      }
    }
  }
  throwAll(problems);

  const document: OpenApiDocument = {
    openapi: '3.1.0',
    info: options.info,
    ...(options.servers ? { servers: [...options.servers] } : {}),
    ...(options.security ? { security: [...options.security] } : {}),
    ...(usedTags.size ? { tags: tagList(usedTags, tagDescriptions) } : {}),
    paths: Object.fromEntries([...paths].sort(([a], [b]) => compare(a, b)).map(([path, item]) => [path, sortMethods(item)])),
    components: { schemas: {} },
  };
  const schemas = collector.finish(document);
  if (ERROR_BODY in schemas) {
    throw new FleetError('FLEET_ERR_OPENAPI_SCHEMA_CONFLICT', `OpenAPI component '${ERROR_BODY}': a zod schema is registered with .meta({ id: '${ERROR_BODY}' }), the name of Fleet's error body. Fix: give it another id.`);
  }
  document.components.schemas = reachable(document, { ...schemas, [ERROR_BODY]: ERROR_BODY_SCHEMA });
  if (Object.keys(schemes).length) document.components.securitySchemes = Object.fromEntries(Object.entries(schemes).sort(([a], [b]) => compare(a, b)));
  return document;
}

/** `UsersController` => `Users`. */
function defaultTag(className: string): string {
  return className.replace(/Controller$/, '') || className;
}

function tagList(used: Set<string>, descriptions: Map<string, string | undefined>): OpenApiTag[] {
  return [...used].sort(compare).map((name) => {
    const description = descriptions.get(name);
    return description ? { name, description } : { name };
  });
}

function sortMethods(item: OpenApiPathItem): OpenApiPathItem {
  return Object.fromEntries(METHOD_ORDER.filter((m) => item[m]).map((m) => [m, item[m]]));
}

/** Only the components the paths use (directly or through other components), in name order. */
function reachable(document: OpenApiDocument, schemas: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const used = new Set<string>();
  const visit = (node: unknown) => rewriteRefs(node, (ref) => {
    const name = ref.startsWith('#/components/schemas/') ? ref.slice('#/components/schemas/'.length).replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
    if (name !== undefined && !used.has(name) && schemas[name]) { used.add(name); visit(schemas[name]); }
    return ref;
  });
  visit(document.paths);
  return Object.fromEntries(Object.keys(schemas).filter((n) => used.has(n)).sort(compare).map((n) => [n, schemas[n]!]));
}

function invalid(message: string, cause?: unknown): FleetError {
  return new FleetError('FLEET_ERR_OPENAPI_INVALID_METADATA', message, cause === undefined ? {} : { cause });
}
