#!/usr/bin/env node
/**
 * Bundles @fleet/core's tsc output (packages/core/dist) into packages/core/dist/bundle/: one ES
 * module for everything `import '@fleet/core'` loads, plus one chunk per subsystem core loads
 * with `await import()` only when an app uses it (jobs, cache runtime, OpenAPI, pipelines...).
 * Dependencies stay external (the app shares them: zod, fastify, reflect-metadata...).
 *
 *   npx tsc -b tsconfig.build.json && node scripts/bundle-core.mjs
 *   npm run build -w @fleet/core        # the same for core alone
 *   node scripts/bundle-core.mjs --out /tmp/core-bundle   # elsewhere (packages/core/test/bundle.test.ts)
 *
 * Why (decision 006): Node 20 loads an ES module file by file; the 170 files of core's tsc
 * output took about 80 ms to import on the benchmark machine, the bundle about 20 ms.
 * The package entry (dist/package-entry.js) loads the bundle only when it was made from the
 * current tsc build (build.json records which); after `tsc -b` alone it loads the per-file
 * modules, so a stale bundle is never used. Types keep coming from tsc's .d.ts files.
 *
 * The bundler is rolldown (a dev dependency of the workspace, the one vite uses).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CORE = join(ROOT, 'packages', 'core');
const DIST = join(CORE, 'dist');
const outFlag = process.argv.indexOf('--out');
const OUT = outFlag > 0 && process.argv[outFlag + 1] ? process.argv[outFlag + 1] : join(DIST, 'bundle');
const BUILD_INFO = join(CORE, 'tsconfig.tsbuildinfo');

if (!existsSync(join(DIST, 'index.js'))) {
  console.error('bundle-core: packages/core/dist/index.js is missing: run `npx tsc -b tsconfig.build.json` first.');
  process.exit(1);
}

/** The tsc build a bundle is made from: a digest of core's .tsbuildinfo, which `tsc -b` rewrites on every emit (package-entry.ts compares it). */
function tscBuildStamp(file = BUILD_INFO) {
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'none';
}

const requireFromRoot = createRequire(join(ROOT, 'package.json'));
const { build } = await import(requireFromRoot.resolve('rolldown'));

const stamp = tscBuildStamp();
const t0 = performance.now();
rmSync(OUT, { recursive: true, force: true });
await build({
  input: { index: join(DIST, 'index.js') },
  platform: 'node',
  // Everything that is not one of core's own files stays an import: the app must share zod,
  // fastify and reflect-metadata with core, and pg, ioredis, bullmq load only when used.
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(id),
  treeshake: true,
  logLevel: 'warn',
  output: {
    dir: OUT,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    sourcemap: true,
  },
});
// Written last: a bundle interrupted halfway has no build.json and is never loaded.
writeFileSync(join(OUT, 'build.json'), `${JSON.stringify({ tscBuild: stamp, bundledAt: new Date().toISOString() }, null, 2)}\n`);
console.log(`bundle-core: ${OUT} written in ${(performance.now() - t0).toFixed(0)} ms (tsc build ${stamp.slice(0, 12)})`);
