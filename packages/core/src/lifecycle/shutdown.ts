import type { FastifyBaseLogger } from 'fastify';
import type { Server } from 'node:http';

/** Options of graceful shutdown (`createApp(..., { shutdown })`); env variables override nothing set here. */
export interface ShutdownOptions {
  /**
   * Install handlers for SIGTERM and SIGINT (and log-then-shutdown for uncaught exceptions and
   * unhandled rejections) when `listen()` is called. @fleet/testing turns this off.
   * @default true
   */
  signals?: boolean;
  /**
   * After the signal, keep serving (readiness answers 503, every response says `Connection:
   * close`) for this long, so load balancers stop routing here before the listener closes.
   * Env `FLEET_DRAIN_DELAY_MS`. @default 5000 in production, 0 otherwise
   */
  drainDelayMs?: number;
  /**
   * The whole sequence must end within this; past it, what is still pending is logged by name
   * and the process exits 1. Keep it below the orchestrator's grace period (Kubernetes: 30 s).
   * Env `FLEET_SHUTDOWN_DEADLINE_MS`. @default 25000
   */
  deadlineMs?: number;
}

/** What the sequence needs from the application. */
export interface ShutdownHost {
  readonly log: FastifyBaseLogger;
  readonly server: Server;
  /** Flips readiness to 503. */
  markShuttingDown(): void;
  /** Stops listening, waits for in-flight requests, closes idle connections, runs onShutdown hooks. */
  close(onStep: (step: string) => void): Promise<void>;
}

/**
 * The shutdown sequence, owned end to end: readiness 503 -> drain delay with `Connection: close`
 * -> close the listener and finish in-flight requests -> onShutdown hooks in reverse dependency
 * order -> exit 0; past the deadline, log the pending step and exit 1; a second signal exits at once.
 */
export class GracefulShutdown {
  private running?: Promise<number>;
  private pendingStep = 'not started';

  constructor(private readonly host: ShutdownHost, private readonly drainDelayMs: number, private readonly deadlineMs: number) {}

  /** Runs the sequence once; resolves with the exit code it chose (0 or 1). */
  run(reason: string, exitCode = 0): Promise<number> {
    this.running ??= this.sequence(reason, exitCode);
    return this.running;
  }

  get started(): boolean { return this.running !== undefined; }

  /** Installs the process handlers; returns a function that removes them. */
  installProcessHandlers(exit: (code: number) => void): () => void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.started) {
        this.host.log.warn({ signal }, 'second signal during shutdown: exiting now');
        exit(1);
        return;
      }
      void this.run(signal).then(exit);
    };
    const onFatal = (error: unknown, kind: string) => {
      this.host.log.fatal({ err: error }, `${kind}: shutting down`);
      if (!this.started) void this.run(kind, 1).then(exit);
    };
    const onException = (e: unknown) => onFatal(e, 'uncaught exception');
    const onRejection = (e: unknown) => onFatal(e, 'unhandled rejection');
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('uncaughtException', onException);
    process.on('unhandledRejection', onRejection);
    return () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    };
  }

  private async sequence(reason: string, exitCode: number): Promise<number> {
    const { log, server } = this.host;
    let deadlineTimer: NodeJS.Timeout | undefined;
    const deadline = new Promise<number>((resolve) => {
      deadlineTimer = setTimeout(() => {
        log.error({ pending: this.pendingStep, deadlineMs: this.deadlineMs }, `shutdown deadline passed; still pending: ${this.pendingStep}`);
        resolve(1);
      }, this.deadlineMs);
    });
    const steps = (async () => {
      log.info({ reason, drainDelayMs: this.drainDelayMs }, 'shutting down: readiness is now 503');
      this.host.markShuttingDown();
      // From now on no connection stays open for reuse: each response closes its connection.
      server.prependListener('request', (_req, res) => { res.setHeader('connection', 'close'); });
      this.pendingStep = `drain delay (${this.drainDelayMs} ms)`;
      if (this.drainDelayMs > 0) await new Promise((r) => setTimeout(r, this.drainDelayMs));
      let failed = false;
      await this.host.close((step) => { this.pendingStep = step; }).catch((error: unknown) => {
        failed = true;
        log.error({ err: error }, 'shutdown step failed');
      });
      this.pendingStep = 'done';
      log.info('shutdown complete');
      return failed ? 1 : exitCode;
    })();
    try {
      return await Promise.race([steps, deadline]);
    } finally {
      clearTimeout(deadlineTimer);
    }
  }
}
