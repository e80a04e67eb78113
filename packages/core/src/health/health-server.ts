import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { FleetError } from '../errors.js';
import type { HealthOptions } from './health-routes.js';

/** The probes' own listener (`health.port`). */
export interface HealthServer {
  /** `http://host:port` it listens on. */
  readonly address: string;
  /** Closes the listener; idle probe connections are closed with it. */
  close(): Promise<void>;
}

/**
 * The port of the probes' own listener, from `health.port` or `FLEET_HEALTH_PORT`; undefined when
 * the probes share the app's port. Checked at boot.
 */
export function healthPortSetting(health: HealthOptions | false | undefined, env: Record<string, string | undefined>): number | undefined {
  if (health === false) return undefined;
  const raw = health?.port ?? env['FLEET_HEALTH_PORT'];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    const where = health?.port !== undefined ? 'health.port' : 'FLEET_HEALTH_PORT';
    throw new FleetError('FLEET_ERR_CONFIG_INVALID', `Invalid configuration: ${where} must be a TCP port (an integer from 0 to 65535); got ${JSON.stringify(raw)}.`);
  }
  return port;
}

/**
 * Starts a bare Fastify instance that serves only the probes. It logs through the app's logger
 * and answers unknown paths with Fleet's error body; request logs are off (probes every few
 * seconds would drown the app's own).
 */
export async function startHealthServer(
  register: (fastify: FastifyInstance) => void,
  options: { port: number; host: string; appPort: number | undefined; log: FastifyBaseLogger },
): Promise<HealthServer> {
  if (options.port !== 0 && options.port === options.appPort) {
    throw new FleetError('FLEET_ERR_CONFIG_INVALID', `Invalid configuration: health.port (${options.port}) is the app's own port; give the probes another port, or leave health.port unset to serve them on the app's port.`);
  }
  // A child at warn: request logs (info) are dropped, the listener's warnings and errors are not.
  const fastify = Fastify({ loggerInstance: options.log.child({ listener: 'health' }, { level: 'warn' }) });
  register(fastify);
  fastify.setNotFoundHandler((request, reply) => reply.code(404).send({
    statusCode: 404, code: 'FLEET_ERR_HTTP_ROUTE_NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?', 1)[0]} on the health port`,
  }));
  try {
    const address = await fastify.listen({ port: options.port, host: options.host });
    return { address, close: () => fastify.close() };
  } catch (error) {
    await fastify.close();
    throw new FleetError('FLEET_ERR_CONFIG_INVALID', `The health probes could not listen on ${options.host}:${options.port}: ${(error as Error).message}. Choose a free port for health.port / FLEET_HEALTH_PORT.`, { cause: error });
  }
}
