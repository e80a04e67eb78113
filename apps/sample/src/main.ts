import { createApp, exitOnBootFailure } from '@fleet/core';
import { AppModule } from './app.module.js';
import { AppConfig } from './config.js';
import { sampleEnv } from './env.js';

const app = await createApp(AppModule, { config: AppConfig, env: sampleEnv() }).catch(exitOnBootFailure);
const url = await app.listen({ port: app.config.PORT, host: app.config.HOST });
console.log(`Fleet sample listening on ${url}  (try ${url}/hello and ${url}/users/1)`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
  });
}
