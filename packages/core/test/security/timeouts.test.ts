import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Body, Controller, Get, Module, Post, createApp, type FleetError } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';

@Controller()
class EchoController {
  @Get('/hello')
  hello() { return { hello: 'world' }; }

  @Post('/upload')
  upload(@Body() body: unknown) { return { received: JSON.stringify(body).length }; }
}

@Module({ controllers: [EchoController] })
class AppModule {}

interface RawExchange {
  /** Everything the server sent before it closed. */
  response: string;
  /** Milliseconds from connecting until the server closed the socket. */
  closedAfterMs: number;
  /** Bytes this client managed to write before the server answered or closed. */
  sent: number;
}

/**
 * A raw TCP client that writes `chunks` with `gapMs` between them and stops writing as soon as
 * the server answers or closes: the test sees when and how the server gave up on it.
 */
function rawClient(port: number, chunks: Iterable<string | Buffer>, gapMs: number): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let response = '';
    let sent = 0;
    let answered = false;
    let timer: NodeJS.Timeout | undefined;
    const iterator = chunks[Symbol.iterator]();
    const writeNext = () => {
      if (answered || socket.destroyed) return;
      const next = iterator.next();
      if (next.done) return;
      socket.write(next.value, () => { sent += Buffer.byteLength(next.value); });
      timer = setTimeout(writeNext, gapMs);
    };
    socket.on('connect', writeNext);
    socket.on('data', (d) => { answered = true; response += d.toString('latin1'); });
    socket.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') reject(e); });
    socket.on('close', () => { clearTimeout(timer); resolve({ response, closedAfterMs: performance.now() - started, sent }); });
    // A bound for the test itself: a server that never cuts the client off fails here, not by hanging.
    setTimeout(() => { if (!socket.destroyed) { socket.destroy(); reject(new Error(`the server kept the connection open for 15 s (sent ${sent} bytes, got ${JSON.stringify(response.slice(0, 200))})`)); } }, 15_000).unref();
  });
}

function* trickle(text: string): Generator<string> {
  for (const ch of text) yield ch;
}

describe('server timeouts against slow clients', () => {
  let t: TestApp;
  const headersTimeoutMs = 1500;
  beforeAll(async () => { t = await createTestApp(AppModule, { timeouts: { headersTimeoutMs, requestTimeoutMs: 3000 } }); });
  afterAll(async () => { await t.close(); });
  const port = () => Number(new URL(t.url).port);

  it('cuts off a client that sends its headers one byte per second at headersTimeout, while serving others', async () => {
    const slow = rawClient(port(), trickle(`GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(100)}\r\n\r\n`), 1000);
    // Meanwhile other clients are served, one after another, until the slow one is gone.
    let served = 0;
    let done = false;
    void slow.finally(() => { done = true; });
    while (!done) {
      const res = await t.request().get('/hello').expect(200);
      expect(res.body).toEqual({ hello: 'world' });
      served++;
      await new Promise((r) => setTimeout(r, 100));
    }
    const exchange = await slow;
    expect(served).toBeGreaterThanOrEqual(3);
    expect(exchange.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(exchange.response).toContain('"code":"FLEET_ERR_SECURITY_REQUEST_TIMEOUT"');
    expect(exchange.response).toContain('x-content-type-options: nosniff');
    // Cut at about headersTimeout (checked every quarter of it), long before the headers were done.
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(headersTimeoutMs - 100);
    expect(exchange.sent).toBeLessThan(20);
  });

  it('cuts off a client that trickles its body at requestTimeout', async () => {
    const body = JSON.stringify({ data: 'x'.repeat(200) });
    const head = `POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const exchange = await rawClient(port(), [head, ...trickle(body)], 250);
    expect(exchange.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(3000 - 100);
  });
});

describe('body limit', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(AppModule); });
  afterAll(async () => { await t.close(); });
  const port = () => Number(new URL(t.url).port);

  it('answers 413 to a declared 64 MiB body before a byte of it is sent, and closes the connection', async () => {
    const head = `POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`;
    // Headers only, then silence: the answer cannot wait for the body.
    const exchange = await rawClient(port(), [head], 60_000);
    expect(exchange.response).toMatch(/^HTTP\/1\.1 413 /);
    expect(exchange.response).toContain('"code":"FLEET_ERR_HTTP_BODY_TOO_LARGE"');
    expect(exchange.sent).toBe(Buffer.byteLength(head));
  });

  it('answers 413 to a chunked body once it passes 1 MiB, without reading the rest', async () => {
    const head = 'POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const chunk = 64 * 1024;
    const frame = `${chunk.toString(16)}\r\n${'x'.repeat(chunk)}\r\n`;
    // Up to 32 MiB offered, 64 KiB at a time; the client stops at the server's answer.
    const exchange = await rawClient(port(), [head, ...Array.from({ length: 512 }, () => frame)], 10);
    expect(exchange.response).toMatch(/^HTTP\/1\.1 413 /);
    expect(exchange.sent).toBeLessThan(8 * 1024 * 1024);
  });

  it('keeps serving normal requests', async () => {
    expect((await t.request().post('/upload').send({ a: 1 }).expect(200)).body).toEqual({ received: 7 });
  });
});

describe('timeout options', () => {
  async function bootError(options: Parameters<typeof createApp>[1]): Promise<FleetError> {
    return createApp(AppModule, { logger: false, ...options }).then(async (a) => { await a.close(); throw new Error('booted'); }, (e: FleetError) => e);
  }

  it('are refused at boot when inconsistent or not integers, each named', async () => {
    const err = await bootError({ timeouts: { headersTimeoutMs: 60_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 0 }, env: { FLEET_REQUEST_TIMEOUT_MS: 'soon' } });
    expect(err.code).toBe('FLEET_ERR_SECURITY_INVALID_OPTIONS');
    expect(err.message).toContain('headersTimeoutMs (60000) must not exceed requestTimeoutMs (30000)');
    expect(err.message).toContain('keepAliveTimeoutMs must be at least 1 ms');
    const env = await bootError({ env: { FLEET_REQUEST_TIMEOUT_MS: 'soon' } });
    expect(env.message).toContain('FLEET_REQUEST_TIMEOUT_MS must be a non-negative integer of milliseconds; got "soon"');
  });

  it('reach the Node server, from options or the environment', async () => {
    const app = await createApp(AppModule, { logger: false, timeouts: { requestTimeoutMs: 20_000 }, env: { FLEET_KEEP_ALIVE_TIMEOUT_MS: '620000' } });
    try {
      await app.ready();
      const server = app.fastify.server;
      expect({ headers: server.headersTimeout, request: server.requestTimeout, keepAlive: server.keepAliveTimeout }).toEqual({ headers: 10_000, request: 20_000, keepAlive: 620_000 });
    } finally {
      await app.close();
    }
  });
});
