import { createApp, exitOnBootFailure } from '@fleet/core';
import { AppModule } from './app.module.js';
import { AppConfig } from './config.js';
import { DEV_PARTNERS_URL, sampleEnv } from './env.js';
import { startFakePartners } from './partners/fake-partners.js';

const env = sampleEnv();
// Development only: the simulated payment and inventory services, so `npm start` works on a fresh
// machine. A second local instance finds the port taken and uses the first one's.
if (env.PAYMENT_URL === DEV_PARTNERS_URL || env.INVENTORY_URL === DEV_PARTNERS_URL) {
  const { port, hostname } = new URL(DEV_PARTNERS_URL);
  await startFakePartners({ port: Number(port), host: hostname }).then(
    (partners) => console.log(`simulated payment and inventory services on ${partners.url} (development only)`),
    (error: NodeJS.ErrnoException) => { if (error.code !== 'EADDRINUSE') throw error; },
  );
}

const app = await createApp(AppModule, { config: AppConfig, env }).catch(exitOnBootFailure);
const url = await app.listen({ port: app.config.PORT, host: app.config.HOST });
console.log(`Fleet sample listening on ${url}  (try ${url}/hello and ${url}/users/1)`);

// SIGTERM/SIGINT: readiness 503, drain, close, onShutdown hooks, exit (installed by listen()).
