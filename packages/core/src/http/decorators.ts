import { z } from 'zod';
import { Injectable } from '../di/decorators.js';
import { controllerMeta, type ApiDocOptions, type HttpMethod, type ParamKind, type RouteOptions } from './metadata.js';

/** Declares a controller: a singleton whose decorated methods become routes under `prefix`. */
export function Controller(prefix = ''): ClassDecorator {
  return (target) => {
    Injectable()(target);
    controllerMeta(target).prefix = prefix;
  };
}

function route(method: HttpMethod) {
  return (path = '', options: RouteOptions = {}): MethodDecorator => (target, key) => {
    controllerMeta(target.constructor).routes.push({ method, path, handler: String(key), options });
  };
}

export const Get = route('GET');
export const Post = route('POST');
export const Put = route('PUT');
export const Patch = route('PATCH');
export const Delete = route('DELETE');
export const Head = route('HEAD');
export const Options = route('OPTIONS');

function param(kind: ParamKind, name?: string, schema?: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    const meta = controllerMeta(target.constructor);
    const list = meta.params.get(String(key)) ?? [];
    list.push({ index, kind, ...(name !== undefined ? { name } : {}), ...(schema ? { schema } : {}) });
    meta.params.set(String(key), list);
  };
}

/** A path parameter (`@Param('id', z.coerce.number().int())`), or all of them (`@Param()` / `@Param(schema)`). */
export function Param(nameOrSchema?: string | z.ZodType, schema?: z.ZodType): ParameterDecorator {
  return typeof nameOrSchema === 'string' ? param('param', nameOrSchema, schema) : param('param', undefined, nameOrSchema);
}

/** The query string (`@Query(schema)`), or one field of it (`@Query('page', schema)`). */
export function Query(nameOrSchema?: string | z.ZodType, schema?: z.ZodType): ParameterDecorator {
  return typeof nameOrSchema === 'string' ? param('query', nameOrSchema, schema) : param('query', undefined, nameOrSchema);
}

/** The parsed JSON body, validated by `schema` when given. */
export function Body(schema?: z.ZodType): ParameterDecorator {
  return param('body', undefined, schema);
}

/** One request header (`@Headers('x-tenant', schema)`), or all of them. Names are case-insensitive. */
export function Headers(nameOrSchema?: string | z.ZodType, schema?: z.ZodType): ParameterDecorator {
  return typeof nameOrSchema === 'string' ? param('headers', nameOrSchema.toLowerCase(), schema) : param('headers', undefined, nameOrSchema);
}

/** The Fastify request. */
export function Req(): ParameterDecorator { return param('req'); }

/** The Fastify reply: the handler then sends the response itself (its return value is ignored unless it returns the reply). */
export function Res(): ParameterDecorator { return param('res'); }

/**
 * Adds to the OpenAPI document what the schemas cannot say: `@ApiDoc({ summary: 'Get a user' })`
 * on a route, `@ApiDoc({ security: ['session'] })` on a controller (for all its routes). Only
 * recorded here; it is read when the document is generated, never per request.
 */
export function ApiDoc(options: ApiDocOptions): ClassDecorator & MethodDecorator {
  return ((target: object, key?: string | symbol) => {
    if (key === undefined) controllerMeta(target as Function).doc = { ...options };
    else controllerMeta(target.constructor).docs.set(String(key), { ...options });
  }) as ClassDecorator & MethodDecorator;
}
