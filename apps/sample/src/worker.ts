import { createApp, exitOnBootFailure } from '@fleet/core';
import { AppModule } from './app.module.js';
import { AppConfig } from './config.js';
import { sampleEnv } from './env.js';

// A worker-only instance of the sample (FLEET_ROLE=worker): the same module and providers as
// main.ts, but it runs the @Async jobs and @Scheduled ticks instead of serving the API. It listens
// on WORKER_PORT (default 3010, off the web ports) for the health probes only. `fleet worker` does the same for any app.
const env = { ...sampleEnv(), FLEET_ROLE: 'worker', PORT: process.env.WORKER_PORT ?? '3010' };
const app = await createApp(AppModule, { config: AppConfig, env }).catch(exitOnBootFailure);
const url = await app.listen({ port: app.config.PORT, host: app.config.HOST });
console.log(`Fleet sample worker running jobs (health on ${url}/health/ready)`);

// SIGTERM: no new jobs; running ones finish (or go back to the queue after FLEET_JOBS_DRAIN_MS); exit.
