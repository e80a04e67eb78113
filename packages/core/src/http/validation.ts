import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import type { ErrorDetail } from '../errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: true,
    allErrors: true,
    strict: false,
    logger: false,
  });
  addFormats(ajv);
  return ajv;
}

/**
 * Fastify validator compiler: request parts that arrive as strings (params, query, headers) are
 * coerced by type; JSON bodies are not (a string "42" is not the number 42, as in zod).
 * Every issue is reported (`allErrors`), not just the first.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const coercing = makeAjv(true);
  const exact = makeAjv(false);
  return ({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema as object) as any;
}

const LOCATION: Record<string, string> = { querystring: 'query', params: 'params', headers: 'headers', body: 'body' };

/** Turns ajv errors into `details`: the path and the rule, never the offending value. */
export function ajvDetails(errors: ErrorObject[], context: string): ErrorDetail[] {
  return errors.map((e) => {
    const path = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') path.push(String(params.missingProperty));
    if (e.keyword === 'additionalProperties') path.push(String(params.additionalProperty));
    const unknownKey = e.keyword === 'not' && e.schemaPath.endsWith('/additionalProperties/not');
    return {
      path: [LOCATION[context] ?? context, ...path].join('.'),
      message: unknownKey ? 'unknown property' : e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid'),
      rule: unknownKey ? 'unknown_key' : e.keyword,
    };
  });
}

/** Turns zod issues into `details`, in the same shape as ajv's. */
export function zodDetails(error: z.ZodError, location: string): ErrorDetail[] {
  return error.issues.map((i) => ({
    path: [LOCATION[location] ?? location, ...i.path.map(String)].join('.'),
    message: i.message,
    rule: i.code,
  }));
}
