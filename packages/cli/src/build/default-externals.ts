/**
 * Packages `fleet build` leaves out of the bundle by default: at run time they are imported (or
 * required) from node_modules, as without the bundle. Each is here because bundling it would
 * break it: it loads a native addon, or finds files next to its own (`__dirname`, `__filename`,
 * `require.resolve`), which do not exist beside the bundle; or it must be the one installed copy.
 * A name matches the package and its subpaths (`pino` matches `pino/file`); `@scope/*` matches
 * the whole scope.
 */
export const DEFAULT_EXTERNALS: readonly { name: string; why: string }[] = [
  { name: 'pg-native', why: 'native addon; pg requires it only for `native` connections (optional)' },
  { name: 'msgpackr-extract', why: 'native addon msgpackr (used by bullmq) requires when installed' },
  { name: 'bullmq', why: 'sandboxed processors start main.js / main-worker.js from beside its own __filename' },
  { name: 'ioredis', why: 'reads its own package.json through __dirname (client info) and uses __dirname in error stacks' },
  { name: 'pino', why: 'transports run in worker threads started from files beside its own (__dirname)' },
  { name: 'thread-stream', why: 'starts a worker thread from a file beside its own (pino transports)' },
  { name: 'pino-pretty', why: 'a pino transport: loaded by name in a worker thread' },
  { name: '@opentelemetry/*', why: 'one installed copy: the API keeps its registry per major version, SDK instrumentations patch installed modules' },
];

/** Whether `id` (an import specifier) is the package `name` or one of its subpaths; `@scope/*` matches the scope. */
export function matchesExternal(id: string, name: string): boolean {
  if (name.endsWith('/*')) return id.startsWith(name.slice(0, -1));
  return id === name || id.startsWith(`${name}/`);
}
