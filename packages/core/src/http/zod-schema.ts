import { z } from 'zod';

/** Which part of the request a schema validates; bodies are never type-coerced, the rest are strings coerced by type. */
export type SchemaLocation = 'params' | 'querystring' | 'headers' | 'body' | 'response';

export interface CompiledSchema {
  /** Draft-07 JSON Schema for Fastify's compiled validator or serializer. */
  json: Record<string, unknown>;
  /**
   * Set when the zod schema says more than JSON Schema can (refinements, transforms, dates,
   * strict objects in bodies...): the handler then runs zod on the already-validated value.
   */
  zod?: z.ZodType;
}

const AJV_FORMATS = new Set(['date', 'time', 'date-time', 'iso-time', 'iso-date-time', 'duration', 'uri', 'uri-reference',
  'uri-template', 'url', 'email', 'hostname', 'regex', 'uuid', 'json-pointer', 'relative-json-pointer', 'byte', 'ipv4', 'ipv6']);
const ZOD_ONLY_TYPES = new Set(['transform', 'pipe', 'custom', 'catch', 'date', 'map', 'set', 'promise', 'bigint', 'symbol',
  'nan', 'file', 'success', 'undefined', 'void', 'function']);

type Def = { type: string; checks?: Array<{ _zod: { def: { check: string; format?: string; pattern?: unknown } } }>; coerce?: boolean; [k: string]: any };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Converts a zod schema once, at boot; see `CompiledSchema` for when zod also runs per request. */
export function compileSchema(schema: z.ZodType, location: SchemaLocation): CompiledSchema {
  const io = location === 'response' ? 'output' : 'input';
  let inUnion = false;
  const json = z.toJSONSchema(schema, {
    target: 'draft-07', io, unrepresentable: 'any', reused: 'inline',
    override: ({ zodSchema, jsonSchema, path }) => {
      const def = defOf(zodSchema as unknown as z.ZodType);
      // ajv removes unknown keys while it tries each branch of a union, so the next branch would
      // see a stripped object: inside unions, objects stay open and zod (which runs) strips them.
      if (def.type === 'object' && location !== 'response' && path.some((p) => p === 'anyOf' || p === 'oneOf')) { inUnion = true; return; }
      if (def.type === 'object' && location !== 'response') {
        const catchall = def.catchall ? defOf(def.catchall).type : undefined;
        // zod strips unknown keys: so does Fastify's ajv (removeAdditional) where additionalProperties is false.
        // Strict objects must fail instead, so they get a schema no value matches.
        if (catchall === 'never') (jsonSchema as Record<string, unknown>).additionalProperties = { not: {} };
        else if (catchall === undefined && location !== 'headers') (jsonSchema as Record<string, unknown>).additionalProperties = false;
      }
      if (def.coerce && location === 'body') for (const k of Object.keys(jsonSchema)) delete (jsonSchema as Record<string, unknown>)[k];
    },
  }) as Record<string, unknown>;
  delete json.$schema;
  return inUnion || needsZod(schema, location, new Set()) ? { json, zod: schema } : { json };
}

function needsZod(schema: z.ZodType, location: SchemaLocation, seen: Set<unknown>): boolean {
  if (seen.has(schema)) return false;
  seen.add(schema);
  const def = defOf(schema);
  if (ZOD_ONLY_TYPES.has(def.type)) return true;
  if (def.coerce && location === 'body') return true;
  for (const c of def.checks ?? []) {
    const check = c._zod.def;
    if (check.check === 'custom' || check.check === 'overwrite') return true;
    if (check.check === 'string_format' && check.format && !AJV_FORMATS.has(check.format) && !check.pattern) return true;
  }
  const children: unknown[] = [];
  switch (def.type) {
    case 'object': children.push(...Object.values(def.shape as object), def.catchall); break;
    case 'array': children.push(def.element); break;
    case 'tuple': children.push(...(def.items as unknown[]), def.rest); break;
    case 'union': children.push(...(def.options as unknown[])); break;
    case 'intersection': children.push(def.left, def.right); break;
    case 'record': children.push(def.keyType, def.valueType); break;
    case 'lazy': children.push(def.getter()); break;
    default: children.push(def.innerType);
  }
  return children.some((c) => c !== undefined && needsZod(c as z.ZodType, location, seen));
}
