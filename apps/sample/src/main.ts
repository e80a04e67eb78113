import { createApp, exitOnBootFailure } from '@fleet/core';
import { AppModule } from './app.module.js';
import { AppConfig } from './config.js';
import { sampleEnv } from './env.js';

const app = await createApp(AppModule, { config: AppConfig, env: sampleEnv() }).catch(exitOnBootFailure);
const url = await app.listen({ port: app.config.PORT, host: app.config.HOST });
console.log(`Fleet sample listening on ${url}  (try ${url}/hello and ${url}/users/1)`);

// SIGTERM/SIGINT: readiness 503, drain, close, onShutdown hooks, exit (installed by listen()).
