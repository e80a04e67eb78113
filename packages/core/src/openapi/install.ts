import type { FastifyInstance } from 'fastify';
import { appNameOf, resolveOpenApiOptions, type OpenApiOptions } from './options.js';
import type { OpenApiDocument } from './types.js';

/** What `createApp` gives the OpenAPI step. */
export interface OpenApiSetup {
  fastify: FastifyInstance;
  /** The controller classes, in the container's order. */
  controllers: readonly Function[];
  setting: boolean | OpenApiOptions | undefined;
  production: boolean;
  rootModule: unknown;
}

/**
 * The boot step of the OpenAPI document. When it is served, the document is generated now (a
 * problem fails the boot) and kept as one serialised string; otherwise nothing is generated or
 * even loaded until `app.openapi()` asks (as `fleet openapi` does). Returns `app.openapi`.
 */
export async function installOpenApi(setup: OpenApiSetup): Promise<() => Promise<OpenApiDocument>> {
  const options = resolveOpenApiOptions(setup.setting, setup.production, appNameOf(setup.rootModule));
  let text: string | undefined;
  const generate = async () => {
    const { generateOpenApi } = await import('./generate.js');
    return JSON.stringify(generateOpenApi(setup.controllers, options));
  };
  if (options.serve) {
    text = await generate();
    const { serveOpenApi } = await import('./serve.js');
    serveOpenApi(setup.fastify, text, options);
  }
  // A fresh copy per call: the caller may change it, the served bytes stay the same.
  return async () => JSON.parse(text ??= await generate()) as OpenApiDocument;
}
