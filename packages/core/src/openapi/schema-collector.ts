import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { FleetError } from '../errors.js';
import type { JsonSchema } from './types.js';

export type SchemaIo = 'input' | 'output';

/** A `$ref` left in the document while schemas are collected; `finish()` turns each into `#/components/schemas/<name>`. */
const MARKER = 'fleet-openapi:';
const marker = (io: SchemaIo, id: string) => `${MARKER}${io}:${id}`;
const COMPONENTS = '#/components/schemas/';
const ROOT = '__fleet_root';

type Def = { type?: string; catchall?: unknown };
const defOf = (schema: unknown) => (schema as { _zod?: { def?: Def } })._zod?.def;
const isDate = (schema: unknown) => defOf(schema)?.type === 'date';

/**
 * Converts zod schemas to JSON Schema 2020-12 for the document, and keeps every schema registered
 * with `.meta({ id })` (at any depth) as one component. Requests are described by the schema's
 * input type, responses by its output type; when the two differ (a default makes a field optional
 * in requests only, a transform changes the type), the input form is a second component, `<id>Input`.
 */
export class SchemaCollector {
  private readonly defs: Record<SchemaIo, Map<string, JsonSchema>> = { input: new Map(), output: new Map() };

  /**
   * JSON Schema of `schema`, with named subschemas as references; `anonymous` names recursive
   * schemas that have no id. In requests, an object that strips unknown keys says
   * `additionalProperties: false`, as the server's own schema does (send only what is listed);
   * `open` keeps them open (headers, where other headers always come along).
   */
  convert(schema: z.ZodType, io: SchemaIo, anonymous: string, open = false): JsonSchema {
    let json: JsonSchema;
    try {
      json = z.toJSONSchema(schema, {
        target: 'draft-2020-12', io, cycles: 'ref', reused: 'inline',
        override: ({ zodSchema, jsonSchema }) => {
          const def = defOf(zodSchema);
          if (io === 'input' && !open && def?.type === 'object' && def.catchall === undefined && jsonSchema.type === 'object') jsonSchema.additionalProperties = false;
        },
        // As Fastify's serializer writes them: a Date leaves as an ISO string; the rest has no JSON form.
        unrepresentable: ({ zodSchema }) => (io === 'output' && isDate(zodSchema) ? { type: 'string', format: 'date-time' } : 'any'),
      }) as JsonSchema;
    } catch (e) {
      const id = /Duplicate schema id "([^"]+)"/.exec(String((e as Error)?.message))?.[1];
      if (id === undefined) throw e;
      throw conflict(id, `${anonymous} contains two different zod schemas with .meta({ id: '${id}' })`, e);
    }
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    const names = new Map<string, string>();
    let selfRef = false;
    rewriteRefs(json, (ref) => { if (ref === '#') selfRef = true; return ref; });
    if (selfRef) {
      // A recursive schema without an id refers to itself as `#`, which in a document means the document: it becomes a component.
      defs[ROOT] = rewriteRefs(json, (ref) => (ref === '#' ? `#/$defs/${ROOT}` : ref));
      names.set(ROOT, anonymous);
      json = { $ref: `#/$defs/${ROOT}` };
    }
    let counter = 0;
    for (const key of Object.keys(defs)) if (!names.has(key)) names.set(key, key.startsWith('__schema') ? `${anonymous}_${++counter}` : key);
    const rename = (node: unknown) => rewriteRefs(node, (ref) => {
      const key = ref.startsWith('#/$defs/') ? decodePointer(ref.slice('#/$defs/'.length)) : undefined;
      return key !== undefined && names.has(key) ? marker(io, names.get(key)!) : ref;
    });
    rename(json);
    for (const [key, def] of Object.entries(defs)) {
      rename(def);
      const name = names.get(key)!;
      const known = this.defs[io].get(name);
      if (known && !isDeepStrictEqual(known, def)) throw conflict(name, `two different zod schemas are registered with .meta({ id: '${name}' }) (seen again in ${anonymous})`);
      this.defs[io].set(name, def);
    }
    return json;
  }

  /** The definition behind a reference `convert` returned, to read an object's properties (parameters are listed one by one). */
  resolve(json: JsonSchema): JsonSchema {
    const ref = json.$ref;
    if (typeof ref !== 'string' || !ref.startsWith(MARKER) || Object.keys(json).length !== 1) return json;
    const [io, ...id] = ref.slice(MARKER.length).split(':');
    return this.resolve(this.defs[io as SchemaIo].get(id.join(':')) ?? json);
  }

  /**
   * Names the components and rewrites every reference in `document` (in place). An input form
   * equal to its output form (comparing what they reference too) shares the output's name.
   * Returns the components, sorted by name.
   */
  finish(document: object): Record<string, JsonSchema> {
    const { input, output } = this.defs;
    const refsOf = (def: JsonSchema) => { const ids: string[] = []; rewriteRefs(def, (r) => { if (r.startsWith(MARKER)) ids.push(r.slice(MARKER.length).replace(/^(input|output):/, '')); return r; }); return ids; };
    const neutral = (def: JsonSchema) => rewriteRefs(structuredClone(def), (r) => r.replace(/^fleet-openapi:(input|output):/, MARKER));
    const shared = new Set([...input.keys()].filter((id) => output.has(id) && isDeepStrictEqual(neutral(input.get(id)!), neutral(output.get(id)!))));
    for (let changed = true; changed;) {
      changed = false;
      for (const id of shared) {
        if (refsOf(input.get(id)!).some((r) => output.has(r) && !shared.has(r))) { shared.delete(id); changed = true; }
      }
    }
    const inputName = (id: string) => (shared.has(id) || !output.has(id) ? id : `${id}Input`);
    for (const id of input.keys()) {
      const name = inputName(id);
      if (name !== id && (input.has(name) || output.has(name))) throw conflict(name, `the input form of '${id}' (it differs from its output form) would be named '${name}', which another schema's .meta({ id }) already uses`);
    }
    const final = (ref: string) => {
      if (!ref.startsWith(MARKER)) return ref;
      const [io, ...rest] = ref.slice(MARKER.length).split(':');
      const id = rest.join(':');
      return COMPONENTS + encodePointer(io === 'input' ? inputName(id) : id);
    };
    const components: Record<string, JsonSchema> = {};
    for (const [id, def] of output) components[id] = def;
    for (const [id, def] of input) if (!shared.has(id)) components[inputName(id)] = def;
    for (const def of Object.values(components)) rewriteRefs(def, final);
    rewriteRefs(document, final);
    return Object.fromEntries(Object.entries(components).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

function conflict(id: string, what: string, cause?: unknown): FleetError {
  return new FleetError('FLEET_ERR_OPENAPI_SCHEMA_CONFLICT',
    `OpenAPI component '${id}': ${what}. Fix: give each schema its own id, or reuse one schema object (export it and import it where it is needed).`,
    cause === undefined ? {} : { cause });
}

/** Replaces every `$ref` string under `node` (in place) and returns `node`. */
export function rewriteRefs<T>(node: T, map: (ref: string) => string): T {
  if (Array.isArray(node)) for (const item of node) rewriteRefs(item, map);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') (node as Record<string, unknown>)[key] = map(value);
      else rewriteRefs(value, map);
    }
  }
  return node;
}

const decodePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');
const encodePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
