import { createApp, type AppOptions, type FleetApp, type Provider, type Token } from '@fleet/core';
import supertest from 'supertest';

/** Options of `createTestApp`: the same as `createApp`, with quieter defaults. */
export interface TestAppOptions<C = unknown> extends AppOptions<C> {
  /** Replace providers by token wherever they are declared, including inside imported and dynamic modules. */
  overrides?: Provider[];
}

/** A test application: the production app, listening on an ephemeral loopback port. */
export interface TestApp<C = unknown> {
  /** The application itself. */
  readonly app: FleetApp<C>;
  /** The base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** supertest bound to the running server. */
  request(): ReturnType<typeof supertest>;
  get<T>(token: Token<T>): T;
  close(): Promise<void>;
}

/**
 * Boots the app exactly as production does (`createApp`, the same module, the same global
 * setup), listening on 127.0.0.1 on a free port, so tests go through real HTTP.
 */
export async function createTestApp<C = unknown>(rootModule: unknown, options: TestAppOptions<C> = {}): Promise<TestApp<C>> {
  const app = await createApp<C>(rootModule, { logger: false, ...options, shutdown: { signals: false, ...options.shutdown } });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    url,
    request: () => supertest(url),
    get: (token) => app.get(token),
    close: async () => { await app.close(); },
  };
}
