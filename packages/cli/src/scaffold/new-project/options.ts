/** Package managers `fleet new` can install with. */
export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/** Optional parts of a new project; the default project has none and needs no services. */
export const FEATURES = {
  database: 'PostgreSQL: DatabaseModule with migrations at boot, and a sample repository with its test',
  redis: 'Redis: RedisModule, and a fleet-wide @RateLimit on GET /hello',
} as const;
export type Feature = keyof typeof FEATURES;

/** A local Fleet checkout whose packages the project depends on until they are published. */
export interface FleetCheckout {
  /** The checkout's root folder. */
  root: string;
  /** Folders of packages/core, packages/testing, packages/cli. */
  core: string;
  testing: string;
  cli: string;
}

/** Everything `fleet new` decided, from flags or prompts. */
export interface NewProjectOptions {
  /** The package name (npm rules), e.g. `orders-api` or `@acme/orders-api`. */
  name: string;
  /** Where the project is written (absolute). */
  directory: string;
  packageManager: PackageManager;
  features: readonly Feature[];
  install: boolean;
  /** Depend on this checkout's packages (file: links); otherwise on the published versions. */
  link?: FleetCheckout;
  /** The @fleet/* version range used without a link, e.g. `^0.1.0`. */
  fleetRange: string;
}

/** `npm run dev`, `pnpm dev`, `yarn dev`. */
export function runScript(pm: PackageManager, script: string): string {
  if (script === 'test' || script === 'start') return `${pm} ${script}`;
  return pm === 'npm' ? `npm run ${script}` : `${pm} ${script}`;
}

/** `npx fleet`, `pnpm exec fleet`, `yarn fleet`: the project's own fleet binary. */
export function execBin(pm: PackageManager, bin: string): string {
  return pm === 'npm' ? `npx ${bin}` : pm === 'pnpm' ? `pnpm exec ${bin}` : `yarn ${bin}`;
}
