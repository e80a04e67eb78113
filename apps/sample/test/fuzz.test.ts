/**
 * Property-based fuzzing of the sample's HTTP surface (fast-check): arbitrary path parameters,
 * query strings, headers and bodies (wrong types, huge numbers, deep nesting, unicode, lone
 * surrogates, NUL, prototype-pollution keys) against the real app on PostgreSQL and Redis.
 * Properties: no 5xx, every error in Fleet's body with the security headers, and
 * `Object.prototype` untouched.
 *
 * Replay a failure with the seed and path it prints:
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run apps/sample/test/fuzz.test.ts -t '<route>'
 * More cases: FUZZ_RUNS=3000 (default 300 per route).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request as httpRequest, validateHeaderName, validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '@fleet/testing';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config.js';
import { sampleEnv } from '../src/env.js';
import { startFakePartners, type FakePartners } from '../src/partners/fake-partners.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const BASE_SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : randomBytes(4).readInt32LE(0);

// ------------------------------------------------------------------------------------ inputs

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isAdmin'];
const EDGE_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud83d', '\u202e', '\ufeff', '\r\n', '%', '%00', '%zz', '..', '../../etc/passwd', '\\', "'", '"',
  "'; drop table users; --", '<script>alert(1)</script>', '${7*7}', '{{7*7}}', 'null', 'undefined', 'NaN', 'Infinity', '-Infinity', '-0', '0', '1',
  '1e309', '-1e309', '1e-400', '0x1F', '0b11', '0o7', ' 7', '7 ', '+7', '007', '7.0', '2147483647', '2147483648', '-2147483649',
  '9007199254740993', '9'.repeat(400), 'a'.repeat(5000), '𝕏'.repeat(300), ...PROTO_KEYS,
];

const weirdString = fc.oneof(
  { arbitrary: fc.constantFrom(...EDGE_STRINGS), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 1 },
  { arbitrary: fc.bigInt().map(String), weight: 1 },
  { arbitrary: fc.double().map(String), weight: 1 },
  { arbitrary: fc.integer().map(String), weight: 1 },
);

const key = fc.oneof({ arbitrary: fc.constantFrom(...PROTO_KEYS, 'name', 'email', 'userId', 'id'), weight: 2 }, { arbitrary: weirdString, weight: 1 });

/** JSON text (not values: a JS object cannot hold an own `__proto__` key the way JSON text can). */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string; leaf: string; array: string; object: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('array'), tie('object')),
  leaf: fc.oneof(
    fc.constantFrom('null', 'true', 'false', '0', '-0', '1e400', '-1e400', '1e-400', '123456789012345678901234567890', '0.1', '-1', '2147483648'),
    fc.double().filter(Number.isFinite).map((d) => JSON.stringify(d)),
    weirdString.map((s) => JSON.stringify(s)),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
  object: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
})).value;

const hostileJson = fc.oneof(
  fc.constantFrom(
    '{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '{"a":{"__proto__":{"polluted":"yes"}}}',
    '[{"__proto__":{"polluted":"yes"}}]', '{"name":"x","email":"a@b.co","__proto__":{"isAdmin":true}}', '{"userId":{"toString":"x"}}',
    '', ' ', '{', '}', '[', '{"a":', 'nul', 'NaN', 'Infinity', '\ufeff{}', '{"a":1}garbage', '{"a":1,}', "{'a':1}", '"\\ud800"', '"\\u0000"',
  ),
  fc.integer({ min: 1, max: 50_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.integer({ min: 1, max: 20_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.integer({ min: 1, max: 20_000 }).map((n) => `{"name":${'['.repeat(n)}${']'.repeat(n)},"email":"a@b.co"}`),
);

/** Characters that break parsers, databases and terminals, put into otherwise valid values. */
const NASTY = ['\u0000', '\ud800', '\udfff', '\u202e', '\ufeff', '\u2028', '\u0085', '\u00a0', '\r\n', '\t', '%00', "'", '"', '\\', '`', '$', '𝕏', '\u{10ffff}', 'é'];
/** A valid value with one nasty character inserted: these reach the handler (and the database) rather than the validator. */
const twisted = (valid: readonly string[]) => fc.tuple(fc.constantFrom(...valid), fc.constantFrom(...NASTY), fc.nat())
  .map(([base, nasty, at]) => { const i = at % (base.length + 1); return base.slice(0, i) + nasty + base.slice(i); });
/** A field: mostly near-valid (valid, or valid with a twist), sometimes anything at all. */
const field = (valid: readonly string[]) => fc.oneof(
  { arbitrary: fc.constantFrom(...valid).map((v) => JSON.stringify(v)), weight: 2 },
  { arbitrary: twisted(valid).map((v) => JSON.stringify(v)), weight: 3 },
  { arbitrary: fc.oneof(jsonText, weirdString.map((v) => JSON.stringify(v))), weight: 2 },
);
const extras = fc.array(fc.tuple(key, jsonText), { maxLength: 2 }).map((extra) => extra.map(([k, v]) => `,${JSON.stringify(k)}:${v}`).join(''));
/** Bodies shaped like the route's, with near-valid or arbitrary values and extra keys. */
const usersBody = fc.tuple(field(['Ada Lovelace', 'G', 'x'.repeat(199)]), field(['ada@example.com', 'a@b.co']), extras)
  .map(([name, email, extra]) => `{"name":${name},"email":${email}${extra}}`);
const orderBody = fc.tuple(fc.array(fc.tuple(field(['SKU-1', 'a'.repeat(64)]), fc.oneof(fc.constantFrom('1', '1000'), field(['2']), jsonText))
  .map(([sku, qty]) => `{"sku":${sku},"qty":${qty}}`), { minLength: 1, maxLength: 3 }), extras)
  .map(([items, extra]) => `{"items":[${items.join(',')}]${extra}}`);
const loginBody = fc.tuple(field(['ada', 'u'.repeat(64)]), extras).map(([userId, extra]) => `{"userId":${userId}${extra}}`);

const contentType = fc.constantFrom(
  'application/json', 'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json;charset="utf-16"',
  'application/vnd.api+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', undefined,
);

/** A path segment, percent-encoded (lone surrogates as UTF-8 of U+FFFD) or raw latin-1 bytes. */
const segment = fc.oneof(
  weirdString.map((s) => [...Buffer.from(s)].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('')),
  fc.string({ unit: fc.integer({ min: 0x21, max: 0xff }).filter((c) => c !== 0x2f && c !== 0x3f && c !== 0x23).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 30 }),
  fc.constantFrom('%', '%E0%A4%A', '%00', '%2e%2e', '..', '.', '%2F', '1', '7', '-1', '0'),
);

const queryString = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(key, weirdString), { maxLength: 4 }).map((pairs) => `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`),
  fc.constantFrom('?', '?&&', '?=', '?a', '?a[b]=1', '?a=1&a=2', '?__proto__[polluted]=yes', '?constructor[prototype][polluted]=yes', '?%', '?a=%E0%A4%A'),
);

const HEADER_NAMES = ['x-request-id', 'x-fleet-lsn', 'cookie', 'authorization', 'accept', 'accept-encoding', 'origin', 'x-forwarded-for', 'content-encoding', 'if-none-match', 'range', 'x-http-method-override', 'accept-version', '__proto__', 'constructor'];
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
  fc.constantFrom('fleet.sid=abc.def', 'fleet.sid=', 'fleet.sid=.', 'fleet.sid=x'.padEnd(4000, 'x'), 'fleet_lsn=0/0', 'fleet_lsn=FFFFFFFF/FFFFFFFF', 'fleet_lsn=zz',
    '0/0', 'FFFFFFFFFFFFFFFF/FFFFFFFF', '-1/-1', 'Bearer ', 'Basic Og==', 'gzip', 'bytes=0-1', '*', 'null', ' ', '\t'),
);
const headers = fc.dictionary(fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/)), headerValue, { maxKeys: 4 })
  .map((h) => Object.fromEntries(Object.entries(h).filter(([n, v]) => validHeader(n, v))));

function validHeader(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return !['host', 'content-length', 'transfer-encoding', 'connection', 'expect', 'upgrade', 'content-type'].includes(name);
  } catch {
    return false;
  }
}

function encode(s: string): string {
  return [...Buffer.from(s)].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
}

// ------------------------------------------------------------------------------------ sending

interface Case { method: string; path: string; headers: Record<string, string>; contentType?: string; body?: string }
interface Answer { status: number; headers: Record<string, string | string[] | undefined>; text: string }

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function send(base: string, c: Case): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.contentType !== undefined) headers['content-type'] = c.contentType;
    const req = httpRequest(`${base}${c.path}`, { method: c.method, headers, agent, timeout: 15_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within 15 s to ${c.method} ${c.path}`)));
    req.on('error', reject);
    req.end(c.body);
  });
}

// Found by this fuzzer and fixed: U+0000 and lone surrogates in JSON strings reached PostgreSQL,
// which refused them (SQLSTATE 22021, 22P05, 22P02) with a 500. JSON bodies are now checked at
// parsing (FLEET_ERR_SECURITY_UNSAFE_JSON_STRING), and the data layer answers 400 for such text
// from anywhere else (FLEET_ERR_DB_INVALID_TEXT). A new 5xx found here is a bug to fix, not to skip.

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const pristine = PROTOTYPES.map((p) => Object.getOwnPropertyNames(p).sort().join(','));

/** The properties every answer must have. */
function check(c: Case, a: Answer): void {
  const where = `${c.method} ${c.path}`;
  expect(a.status, `${where} answered ${a.status}: ${a.text.slice(0, 500)}`).toBeLessThan(500);
  expect(a.headers['x-content-type-options'], `${where}: security headers`).toBe('nosniff');
  if (a.status >= 400 && c.method !== 'HEAD') {
    const body = JSON.parse(a.text) as { statusCode?: unknown; code?: unknown; message?: unknown };
    expect(body.statusCode, `${where}: error body ${a.text.slice(0, 300)}`).toBe(a.status);
    expect(String(body.code), `${where}: error code`).toMatch(/^FLEET_ERR_/);
  }
  expect(({} as Record<string, unknown>).polluted, 'Object.prototype polluted').toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin, 'Object.prototype polluted').toBeUndefined();
  PROTOTYPES.forEach((p, i) => expect(Object.getOwnPropertyNames(p).sort().join(','), 'a prototype changed').toBe(pristine[i]));
}

// ------------------------------------------------------------------------------------ the app

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', application_name: 'fleet-test-admin' });
  await client.connect();
  try { await client.query(text); } finally { await client.end(); }
}

describe('fuzzing the sample: no 5xx, no prototype pollution, every error in the common body', () => {
  const schema = `t_${randomBytes(5).toString('hex')}`;
  const search = `?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  let t: TestApp;
  let partners: FakePartners;

  beforeAll(async () => {
    await admin(`create schema ${schema}`);
    partners = await startFakePartners();
    t = await createTestApp(AppModule, {
      config: AppConfig,
      production: true,
      env: sampleEnv({
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/test${search}`,
        DATABASE_REPLICA_URLS: `postgres://postgres@127.0.0.1:5433/test${search}`,
        REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
        FLEET_APP: `fuzz${randomBytes(3).toString('hex')}`,
        PAYMENT_URL: partners.url,
        INVENTORY_URL: partners.url,
      }),
    });
  });
  afterAll(async () => {
    agent.destroy();
    await t?.close();
    await partners?.close();
    await admin(`drop schema if exists ${schema} cascade`);
  });

  /** Runs one property with its own seed; a failure names the seed and path to replay it. */
  async function fuzz(name: string, index: number, cases: fc.Arbitrary<Case>): Promise<void> {
    const seed = BASE_SEED + index;
    const property = fc.asyncProperty(cases, async (c) => {
      check(c, await send(t.url, c));
    });
    try {
      await fc.assert(property, { numRuns: RUNS, seed, ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}), interruptAfterTimeLimit: 120_000 });
    } catch (error) {
      const path = /path: "([^"]*)"/.exec(String((error as Error).message))?.[1];
      (error as Error).message = `${(error as Error).message}\n\nReplay: FUZZ_SEED=${BASE_SEED} FUZZ_PATH=${path ?? ''} npx vitest run apps/sample/test/fuzz.test.ts -t '${name}'`;
      throw error;
    }
  }

  /** A request to one route: shaped bodies mostly as JSON, anything else with any content type. */
  const route = (method: string, path: fc.Arbitrary<string>, shaped?: fc.Arbitrary<string>) => {
    const body = shaped === undefined
      ? fc.constant({ body: undefined, contentType: undefined })
      : fc.oneof(
        { arbitrary: fc.record({ body: shaped, contentType: fc.constant<string | undefined>('application/json') }), weight: 4 },
        { arbitrary: fc.record({ body: fc.oneof(shaped, jsonText, hostileJson), contentType }), weight: 2 },
      );
    return fc.record({ method: fc.constant(method), path, headers, body })
      .map((c): Case => ({ method: c.method, path: c.path, headers: c.headers, ...(c.body.body !== undefined ? { body: c.body.body, contentType: c.body.contentType } : {}) }));
  };
  const withQuery = (base: fc.Arbitrary<string>) => fc.tuple(base, queryString).map(([p, q]) => `${p}${q}`);

  it('GET /hello', () => fuzz('GET /hello', 0, route('GET', withQuery(fc.constant('/hello')))), 60_000);
  it('POST /login', () => fuzz('POST /login', 1, route('POST', withQuery(fc.constant('/login')), loginBody)), 60_000);
  it('GET /me and POST /logout', () => fuzz('GET /me and POST /logout', 2, fc.oneof(route('GET', withQuery(fc.constant('/me'))), route('POST', withQuery(fc.constant('/logout'))))), 60_000);
  it('GET /users/:id', () => fuzz('GET /users/:id', 3, route('GET', withQuery(segment.map((s) => `/users/${s}`)))), 60_000);
  it('PUT /users/:id', () => fuzz('PUT /users/:id', 4, route('PUT', fc.tuple(fc.oneof({ arbitrary: segment, weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 1000 }).map(String), weight: 3 }), fc.oneof({ arbitrary: fc.constant(''), weight: 3 }, { arbitrary: queryString, weight: 1 })).map(([id, q]) => `/users/${id}${q}`), usersBody)), 60_000);
  it('POST /orders and GET /orders/:id', () => fuzz('POST /orders and GET /orders/:id', 8, fc.oneof(
    route('POST', fc.constant('/orders'), orderBody),
    route('GET', fc.oneof(fc.uuid().map((u) => `/orders/${u}`), segment.map((s) => `/orders/${s}`))),
  )), 60_000);
  it('health probes', () => fuzz('health probes', 5, route('GET', withQuery(fc.constantFrom('/health/live', '/health/ready', '/health/startup')))), 60_000);

  it('refuses U+0000 and lone surrogates in JSON strings with 400, before they reach the database', async () => {
    for (const name of ['\\u0000Ada', 'Ada\\ud800']) {
      const c: Case = { method: 'PUT', path: '/users/1', headers: {}, contentType: 'application/json', body: `{"name":"${name}","email":"ada@example.com"}` };
      const answer = await send(t.url, c);
      check(c, answer);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text).code).toBe('FLEET_ERR_SECURITY_UNSAFE_JSON_STRING');
    }
  });

  // Every route the app compiles, including routes added after this file was written.
  it('every route of the app, generic inputs', () => fuzz('every route of the app, generic inputs', 7, fc.constantFrom(...t.app.routes).chain((r) => fc.record({
    segments: fc.array(segment, { minLength: 8, maxLength: 8 }),
    query: queryString,
    headers,
    body: fc.option(fc.oneof(jsonText, hostileJson), { nil: undefined }),
    contentType,
  }).map((x): Case => {
    let i = 0;
    const path = `${r.url.replace(/:[A-Za-z0-9_]+/g, () => x.segments[i++]!)}${x.query}`;
    const withBody = x.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
    return { method: r.method, path, headers: x.headers, ...(withBody ? { body: x.body, contentType: x.contentType } : {}) };
  }))), 60_000);

  it('any method, any path', () => fuzz('any method, any path', 6, route(
    'GET', fc.constant(''), undefined,
  ).chain((c) => fc.record({
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
    path: withQuery(fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`)),
    body: fc.option(fc.oneof(jsonText, hostileJson), { nil: undefined }),
  }).map((r): Case => ({ ...c, method: r.method, path: r.path, ...(r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD' ? { body: r.body, contentType: 'application/json' } : {}) })))), 60_000);
});
