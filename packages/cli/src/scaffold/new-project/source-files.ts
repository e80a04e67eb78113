import type { NewProjectOptions } from './options.js';

/** The expression that wires PostgreSQL in a root module, migrations applied at boot. */
export function databaseImport(migrationsUrl: string): string {
  return `DatabaseModule.forRoot({ migrateOnBoot: { dir: new URL('${migrationsUrl}', import.meta.url) } })`;
}

export function mainTs(options: NewProjectOptions): string {
  return `import { existsSync } from 'node:fs';
import { createApp, exitOnBootFailure } from '@fleet/core';
import { AppModule } from './app.module.js';
import { AppConfig } from './config.js';

// A .env file is for local development; in production the platform sets the environment.
if (existsSync('.env')) process.loadEnvFile('.env');

// Boot validates the config, builds every provider and compiles the routes, or exits with the reason.
const app = await createApp(AppModule, { config: AppConfig }).catch(exitOnBootFailure);
const url = await app.listen({ port: app.config.PORT, host: app.config.HOST });
console.log(\`${options.name} listening on \${url}  (try \${url}/hello)\`);

// SIGTERM or SIGINT: readiness turns 503, in-flight requests finish, shutdown hooks run, then exit.
`;
}

export function appModuleTs(options: NewProjectOptions): string {
  const database = options.features.includes('database');
  const redis = options.features.includes('redis');
  const core = ['Module', ...(database ? ['DatabaseModule'] : []), ...(redis ? ['RedisModule'] : [])].sort();
  const imports = [
    ...(database ? [databaseImport('../migrations/')] : []),
    ...(redis ? ['RedisModule'] : []),
    'HelloModule',
  ];
  const metadata = [`imports: [${imports.join(', ')}]`, ...(database ? ['providers: [NotesRepository]'] : [])];
  return `import { ${core.join(', ')} } from '@fleet/core';
import { HelloModule } from './hello/hello.module.js';
${database ? "import { NotesRepository } from './notes/notes.repository.js';\n" : ''}
/** The root module, booted by main.ts. \`fleet generate\` registers new classes in the nearest module. */
@Module({
  ${metadata.join(',\n  ')},
})
export class AppModule {}
`;
}

export function configTs(): string {
  return `import { Config } from '@fleet/core';
import { z } from 'zod';

/** The app's settings: read from environment variables at boot, validated, then frozen (see .env.example). */
export class AppConfig extends Config(z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port'),
  HOST: z.string().default('127.0.0.1').describe('Interface to listen on (0.0.0.0 in a container)'),
})) {}
`;
}

export function helloModuleTs(): string {
  return `import { Module } from '@fleet/core';
import { HelloController } from './hello.controller.js';
import { HelloService } from './hello.service.js';

@Module({ controllers: [HelloController], providers: [HelloService] })
export class HelloModule {}
`;
}

export function helloControllerTs(options: NewProjectOptions): string {
  const redis = options.features.includes('redis');
  return `import { Controller, Get, Query${redis ? ', RateLimit' : ''} } from '@fleet/core';
import { z } from 'zod';
import { HelloService } from './hello.service.js';

const Greeting = z.object({ message: z.string() });

@Controller('/hello')
export class HelloController {
  constructor(private readonly hello: HelloService) {}

  /** GET /hello?name=Ada answers { "message": "Hello, Ada!" }; the query and the response are validated. */
  @Get('/', { response: Greeting })
${redis ? "  @RateLimit('100/minute', { key: 'ip' }) // counted in Redis: the limit holds across every instance\n" : ''}  ${redis ? 'async ' : ''}greet(@Query('name', z.string().min(1).max(100).optional()) name?: string) {
    return this.hello.greet(name ?? 'world');
  }
}
`;
}

export function helloServiceTs(): string {
  return `import { Injectable } from '@fleet/core';

export interface Greeting {
  message: string;
}

/**
 * One instance serves every request of the process, and every instance of the fleet answers
 * alike: keep data in PostgreSQL or Redis, never in fields (the app refuses to boot with it).
 */
@Injectable()
export class HelloService {
  greet(name: string): Greeting {
    return { message: \`Hello, \${name}!\` };
  }
}
`;
}

/** The unit test: the service alone, constructed by hand. */
export function helloServiceTestTs(): string {
  return `import { describe, expect, it } from 'vitest';
import { HelloService } from './hello.service.js';

describe('HelloService', () => {
  const hello = new HelloService(); // a unit test: pass fakes for whatever the constructor injects

  it('greets by name', () => {
    expect(hello.greet('Ada')).toEqual({ message: 'Hello, Ada!' });
  });
});
`;
}

/** The HTTP test: the whole app, booted as production boots it, on a free port. */
export function helloHttpTestTs(options: NewProjectOptions): string {
  const services = [...(options.features.includes('database') ? ['PostgreSQL'] : []), ...(options.features.includes('redis') ? ['Redis'] : [])];
  return `import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '@fleet/testing';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config.js';

// The whole app over real HTTP: the same validation, serialization and errors as production.${services.length ? `\n// It needs ${services.join(' and ')} (\`docker compose up -d --wait\`).` : ''}
describe('GET /hello', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(AppModule, { config: AppConfig }); });
  afterAll(async () => { await t?.close(); });

  it('greets the world by default', async () => {
    const res = await t.request().get('/hello').expect(200);
    expect(res.body).toEqual({ message: 'Hello, world!' });
  });

  it('greets by name', async () => {
    const res = await t.request().get('/hello').query({ name: 'Ada' }).expect(200);
    expect(res.body).toEqual({ message: 'Hello, Ada!' });
  });

  it('answers 400 in Fleet\\'s error shape for an empty name', async () => {
    const res = await t.request().get('/hello?name=').expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'FLEET_ERR_HTTP_VALIDATION' });
  });

  it('reports ready on /health/ready', async () => {
    await t.request().get('/health/ready').expect(200);
  });
});
`;
}
