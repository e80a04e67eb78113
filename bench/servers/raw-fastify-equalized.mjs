/**
 * Raw Fastify, heap-equalized: before building the same app as raw-fastify.mjs, it loads
 * everything @fleet/core loads at boot (packages/core/src: zod, ajv, the node: modules it
 * imports, and ajv-formats, which Fastify's serializer loads anyway; no longer reflect-metadata
 * and @opentelemetry/api, decision 008: core has its own Reflect.metadata and loads the API only
 * when an SDK is registered) and keeps zod schemas like
 * the Fleet app's, converted to JSON Schema as Fleet does at boot. The heap then holds the same modules, so
 * the comparison with Fleet shows the framework's own cost, not the cost of a larger heap
 * (merely importing zod raised raw Fastify's CPU per request by about 16%).
 *
 * The routes themselves still use the hand-written JSON Schemas of raw-fastify.mjs.
 * bench/run.mjs checks on every run that this list still covers what @fleet/core imports.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import * as diagnosticsChannel from 'node:diagnostics_channel';
import * as events from 'node:events';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as nodeModule from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as perfHooks from 'node:perf_hooks';
import * as url from 'node:url';
import { z } from 'zod';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { build } from './raw-fastify.mjs';

// Retained for the life of the process, like Fleet's route metadata and compiled schemas.
const retained = {
  modules: [AsyncLocalStorage, randomUUID, Ajv, addFormats, diagnosticsChannel, events, fs, http, nodeModule, net, os, path, perfHooks, url],
  zod: {
    id: z.number().int().positive(),
    user: z.object({ id: z.number().int(), name: z.string(), email: z.string() }),
  },
};
retained.json = {
  params: z.toJSONSchema(z.object({ id: retained.zod.id }), { target: 'draft-07', io: 'input' }),
  user: z.toJSONSchema(retained.zod.user, { target: 'draft-07', io: 'output' }),
};
globalThis.__benchRetained = retained;

export async function start({ port, host }) {
  const app = build();
  await app.listen({ port, host });
  return { close: () => app.close() };
}
