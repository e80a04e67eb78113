import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import {
  Body, Config, Controller, DatabaseModule, Get, Injectable, Logger, Module, Post, Query, RedisModule, Req, secret,
} from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';

/** What must never be printed: a bearer token the client sends, a config secret, a password inside a secret URL. */
const TOKEN = `tok_${randomBytes(12).toString('hex')}`;
const API_KEY = `sk_live_${randomBytes(12).toString('hex')}`;
const DB_PASSWORD = `pw${randomBytes(8).toString('hex')}`;
const SECRETS = [TOKEN, API_KEY, DB_PASSWORD];

class PaymentsConfig extends Config(z.object({
  PAYMENTS_API_KEY: secret(z.string().min(16)),
  PAYMENTS_URL: z.string().default('https://payments.example.com'),
})) {}

@Injectable()
class PaymentsClient {
  constructor(private readonly config: PaymentsConfig, private readonly log: Logger) {}

  /** Everything a careless service might do with its key. */
  charge(): never {
    this.log.info({ config: this.config }, 'payments config');
    this.log.info({ key: this.config.PAYMENTS_API_KEY }, 'payments key, logged by mistake');
    this.log.info(`calling ${this.config.PAYMENTS_URL} with key ${this.config.PAYMENTS_API_KEY}`);
    throw new Error(`payments refused key ${this.config.PAYMENTS_API_KEY}`);
  }
}

@Controller()
class LeakyController {
  constructor(private readonly payments: PaymentsClient) {}

  /** Logs the request headers every way an app might. */
  @Get('/headers')
  headers(@Req() req: FastifyRequest) {
    req.log.info(req.headers, 'headers as the merge object');
    req.log.info({ headers: req.headers }, 'headers under headers');
    req.log.info({ req: { headers: req.headers } }, 'headers one level down');
    req.log.info({ request: { raw: { headers: req.raw.headers, rawHeaders: req.raw.rawHeaders } } }, 'raw headers');
    return { ok: true };
  }

  @Get('/charge')
  charge() { return this.payments.charge(); }

  /** An unexpected error whose message carries the caller's own credential. */
  @Get('/token-error')
  tokenError(@Req() req: FastifyRequest) { throw new Error(`could not verify ${req.headers.authorization}`); }

  @Post('/keys')
  keys(@Body(z.object({ apiKey: z.string().regex(/^pk_[a-z]{4}$/).max(12) })) body: { apiKey: string }) { return body; }

  @Get('/search')
  search(@Query(z.object({ q: z.string().max(8) })) query: { q: string }) { return query; }
}

@Module({ imports: [RedisModule, DatabaseModule], providers: [PaymentsConfig, PaymentsClient], controllers: [LeakyController] })
class AppModule {}

function capture(): { stream: Writable; text: () => string } {
  const lines: string[] = [];
  return { stream: new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }), text: () => lines.join('') };
}

function expectNoSecret(where: string, text: string): void {
  for (const s of SECRETS) {
    const at = text.indexOf(s);
    expect(at, `${where} contains ${s}: ...${text.slice(Math.max(0, at - 300), at + 100)}...`).toBe(-1);
  }
}

for (const production of [false, true]) {
  describe(`secrets never reach logs, error bodies or health output (${production ? 'production' : 'development'})`, () => {
    const logs = capture();
    let t: TestApp;
    const bodies: string[] = [];
    beforeAll(async () => {
      t = await createTestApp(AppModule, {
        production,
        logger: { level: 'trace', stream: logs.stream },
        env: {
          PAYMENTS_API_KEY: API_KEY,
          DATABASE_URL: `postgres://postgres:${DB_PASSWORD}@127.0.0.1:5432/test`,
          FLEET_APP: `sec${randomBytes(3).toString('hex')}`,
          REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
        },
      });
    });
    afterAll(async () => { await t.close(); });
    const get = async (path: string, status: number) => {
      const res = await t.request().get(path).set('authorization', `Bearer ${TOKEN}`).set('cookie', `fleet.sid=${TOKEN}.sig; theme=dark`).expect(status);
      bodies.push(JSON.stringify(res.headers), res.text);
      return res;
    };

    it('redacts credential headers wherever a headers object is logged', async () => {
      await get('/headers', 200);
      expectNoSecret('logs', logs.text());
      const lines = logs.text().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const logged = lines.find((l) => l.msg === 'headers under headers');
      expect(logged.headers).toMatchObject({ authorization: '[Redacted]', cookie: '[Redacted]', host: expect.any(String) });
      expect(lines.find((l) => l.msg === 'headers as the merge object').authorization).toBe('[Redacted]');
      expect(lines.find((l) => l.msg === 'raw headers').request.raw.rawHeaders).toBe('[Redacted]');
    });

    it('replaces config secret values in every log line and in the 500 body, however they got there', async () => {
      const res = await get('/charge', 500);
      expect(res.body.code).toBe('FLEET_ERR_HTTP_INTERNAL');
      if (!production) expect(res.body.message).toBe('payments refused key [Redacted]');
      expect(logs.text()).toContain('payments key, logged by mistake');
      expect(logs.text()).toContain('with key [Redacted]');
      expect(logs.text()).toContain('payments refused key [Redacted]');
      expectNoSecret('logs', logs.text());
    });

    it("keeps the caller's own credential out of a 500 body and its log line", async () => {
      const res = await get('/token-error', 500);
      if (!production) expect(res.body.message).toBe('could not verify [Redacted]');
      expect(logs.text()).toContain('could not verify [Redacted]');
      expectNoSecret('logs', logs.text());
    });

    it('names the path and the rule in 4xx details, never the value that failed', async () => {
      const body = await t.request().post('/keys').set('authorization', `Bearer ${TOKEN}`).send({ apiKey: API_KEY }).expect(400);
      expect(body.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'body.apiKey', rule: 'pattern' })]));
      // (A credential in a URL would reach request logs, proxies and browser history: it belongs in a header.)
      const marker = `q${randomBytes(8).toString('hex')}`;
      const query = await t.request().get(`/search?q=${marker}`).expect(400);
      expect(query.body.details).toEqual([expect.objectContaining({ path: 'query.q', rule: 'maxLength' })]);
      bodies.push(body.text, query.text);
      expectNoSecret('4xx bodies', body.text);
      expect(query.text).not.toContain(marker);
    });

    it('shows no secret in health output (the database URL is shown with its password masked)', async () => {
      const ready = await get('/health/ready', 200);
      expect(ready.body.checks.postgres.detail.primary.url).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\//);
      await get('/health/live', 200);
      await get('/health/startup', 200);
    });

    it('leaves nothing behind in any body or header sent, nor in any log line', () => {
      expectNoSecret('responses', bodies.join('\n'));
      expectNoSecret('logs', logs.text());
      expect(logs.text()).toContain('[Redacted]');
    });
  });
}

describe('fleet routes and fleet doctor print no secret', () => {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const bin = `${root}packages/cli/dist/bin.js`;
  const SESSION_SECRET = `session-${randomBytes(16).toString('hex')}`;

  it('on the sample, with secrets in its environment and with a config error', async () => {
    expect(existsSync(bin), 'build first: npx tsc -b tsconfig.build.json').toBe(true);
    const run = async (args: string[], env: Record<string, string>) => {
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { cwd: `${root}apps/sample`, env: { ...process.env, ...env } });
        return stdout + stderr;
      } catch (e) {
        const failed = e as { stdout?: string; stderr?: string };
        return `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
      }
    };
    const env = { SESSION_SECRET, DATABASE_URL: `postgres://postgres:${DB_PASSWORD}@127.0.0.1:5432/test`, FLEET_APP: `cli${randomBytes(3).toString('hex')}`, PAYMENT_URL: 'http://127.0.0.1:4010', INVENTORY_URL: 'http://127.0.0.1:4010' };
    const routes = await run(['routes'], env);
    expect(routes).toContain('GET     /hello');
    // A secret that fails validation is named, never shown.
    const invalid = await run(['routes'], { ...env, SESSION_SECRET: 'short-secret-value' });
    expect(invalid).toContain('SESSION_SECRET');
    expect(invalid).toContain('<secret, not shown>');
    const doctor = await run(['doctor'], env);
    for (const out of [routes, invalid, doctor]) {
      for (const s of [SESSION_SECRET, 'short-secret-value', DB_PASSWORD]) expect(out.includes(s), `output contains ${s}:\n${out}`).toBe(false);
    }
  }, 60_000);
});
