import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { clientErrorHandlers } from './client-errors.js';
import { installCors, resolveCors, type CorsOptions, type ResolvedCors } from './cors.js';
import { FailureRedaction } from './failure-redaction.js';
import { installJsonStringGuard } from './json-strings.js';
import { resolveRedactedHeaders, secureLogger } from './log-redaction.js';
import { Problems } from './problems.js';
import { SecretValues } from './secret-values.js';
import { secureServerFactory } from './secure-response.js';
import { computeSecurityHeaders, type SecurityHeadersOptions } from './security-headers.js';
import { resolveTimeouts, timeoutServerOptions, type ResolvedTimeouts, type ServerTimeoutOptions } from './server-timeouts.js';
import { resolveTrustProxy, type ResolvedTrustProxy, type TrustProxySetting } from './trust-proxy.js';

/** The security-related fields of `AppOptions`. */
export interface SecurityOptions {
  securityHeaders?: SecurityHeadersOptions | false;
  cors?: CorsOptions | false;
  timeouts?: ServerTimeoutOptions;
  trustProxy?: TrustProxySetting | boolean;
  redactHeaders?: readonly string[];
  strictJsonStrings?: boolean;
  env?: Record<string, string | undefined>;
}

/** Everything resolved and validated once, before Fastify is created. @internal */
export interface SecuritySettings {
  /** The frozen headers every response gets (empty when `securityHeaders: false`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly cors: ResolvedCors | undefined;
  readonly timeouts: ResolvedTimeouts;
  readonly trustProxy: ResolvedTrustProxy;
  /** Header names redacted in logs (credentials plus `redactHeaders`). */
  readonly redactedHeaders: readonly string[];
  /** Config secret values, filled once the container has loaded the config. */
  readonly secrets: SecretValues;
  readonly failures: FailureRedaction;
  /** Refuse U+0000 and lone surrogates in JSON body strings. */
  readonly strictJsonStrings: boolean;
}

/**
 * Resolves every security default and option at boot. Problems are collected and thrown as one
 * FLEET_ERR_SECURITY_INVALID_OPTIONS; the two CORS decisions (a wildcard with credentials, a
 * wildcard in production) throw their own codes.
 */
export function resolveSecurity(options: SecurityOptions, production: boolean): SecuritySettings {
  const env = options.env ?? process.env;
  const problems = new Problems();
  let headers: Readonly<Record<string, string>> = Object.freeze({});
  if (options.securityHeaders !== false) {
    const cacheControl = options.securityHeaders?.cacheControl;
    if (cacheControl !== undefined && cacheControl !== false && (typeof cacheControl !== 'string' || !/^[\t\x20-\x7e]+$/.test(cacheControl))) {
      problems.add(`securityHeaders.cacheControl must be a header value (printable ASCII) or false; got ${JSON.stringify(cacheControl)}.`);
    } else {
      try {
        headers = computeSecurityHeaders(options.securityHeaders);
      } catch (e) {
        problems.add(`securityHeaders: ${(e as Error).message} (helmet's option names and values apply: https://helmetjs.github.io).`);
      }
    }
  }
  const cors = resolveCors(options.cors, production, problems);
  const timeouts = resolveTimeouts(options.timeouts, env, problems);
  const trustProxy = resolveTrustProxy(options.trustProxy, env, problems);
  const redactedHeaders = resolveRedactedHeaders(options.redactHeaders, problems);
  problems.throwIfAny();
  const secrets = new SecretValues();
  return Object.freeze({
    headers, cors, timeouts, trustProxy, redactedHeaders, secrets, failures: new FailureRedaction(secrets, redactedHeaders), strictJsonStrings: options.strictJsonStrings !== false,
  });
}

/**
 * The Fastify server options the settings decide: logger redaction, proxies, timeouts, client
 * errors, and the Node server whose responses carry the security headers (`secureServerFactory`).
 */
export function securityServerOptions(settings: SecuritySettings, logger: NonNullable<FastifyServerOptions['logger']>): FastifyServerOptions {
  const serverFactory = secureServerFactory(settings.headers);
  return {
    logger: secureLogger(logger, settings.redactedHeaders, settings.secrets),
    trustProxy: settings.trustProxy,
    ...timeoutServerOptions(settings.timeouts),
    ...clientErrorHandlers(settings.headers),
    // With a serverFactory Fastify would close idle keep-alive sockets itself when closing; without
    // one it leaves that to server.close(), which the graceful shutdown is built around: keep that.
    ...(serverFactory ? { serverFactory, forceCloseConnections: false } : {}),
  };
}

/**
 * Installs what runs per request, before the app's own setup and routes: the JSON string check,
 * then CORS when configured. The security headers are written by the Node server's responses
 * (`securityServerOptions`); only where that is unavailable does a synchronous `onRequest` hook
 * copy them (so routes, errors and 404s all get them, and a handler's own `reply.header()` wins).
 */
export async function installSecurity(fastify: FastifyInstance, settings: SecuritySettings): Promise<void> {
  const headers = settings.headers;
  if (Object.keys(headers).length > 0 && !secureServerFactory(headers)) {
    fastify.addHook('onRequest', function securityHeaders(_request, reply, done) {
      reply.headers(headers);
      done();
    });
  }
  if (settings.strictJsonStrings) installJsonStringGuard(fastify);
  if (settings.cors) await installCors(fastify, settings.cors);
}

/** Collects the config secrets once the container has built the config instances. */
export function collectSecrets(settings: SecuritySettings, instances: Iterable<unknown>): void {
  settings.secrets.collect(instances);
}
