import { APP_FLAGS, bootAppModule } from '../app-loader.js';
import { ExitCode, defineCommand } from '../command.js';
import { usageError } from '../errors.js';

/**
 * Starts a worker-only instance of the app: createApp with FLEET_ROLE=worker (the same module,
 * the same providers; the @Async and @Scheduled methods run here, nothing else does work), and,
 * with --port, the health endpoints for the orchestrator's probes. SIGTERM/SIGINT run the graceful
 * shutdown: no new jobs, running ones finish (or go back to the queue past FLEET_JOBS_DRAIN_MS).
 */
export const workerCommand = defineCommand({
  name: 'worker',
  aliases: [],
  summary: 'Run a worker-only instance of the app: it runs @Async jobs and @Scheduled ticks (FLEET_ROLE=worker)',
  flags: {
    ...APP_FLAGS,
    port: { type: 'string', valueName: 'port', description: 'Serve the health endpoints (/health/live, /health/ready) on this port; none by default' },
    host: { type: 'string', valueName: 'host', default: '0.0.0.0', description: 'Interface of --port' },
  },
  async run({ values }, io) {
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw usageError(`--port: ${JSON.stringify(values.port)} is not a port.`, 'Pass an integer from 0 to 65535, e.g. --port 9464.');
    }
    // Logs on (a worker's logs are its output); signals handled below, to report the exit code.
    const booted = await bootAppModule({
      command: 'fleet worker', values, io,
      options: { logger: undefined, env: { ...process.env, FLEET_ROLE: 'worker' }, shutdown: { signals: false } },
    });
    if (booted === undefined) return ExitCode.Failure;
    const { app } = booted;
    // The workers start taking jobs when the app is ready.
    const address = port === undefined ? (await app.ready(), undefined) : await app.listen({ port, host: values.host });
    io.stdout.write(`fleet worker: running (FLEET_ROLE=worker)${address ? `; health on ${address}/health/ready` : ''}. Stop it with SIGTERM.\n`);
    return await new Promise<ExitCode>((done) => {
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) { io.stderr.write(`fleet worker: second ${signal}: exiting now\n`); process.exit(ExitCode.Failure); }
        stopping = true;
        void app.shutdown(signal).then((code) => {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          done(code === 0 ? ExitCode.Ok : ExitCode.Failure);
        });
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
  },
});
