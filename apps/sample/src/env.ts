/** Where `npm start` runs the simulated payment and inventory services (src/partners/fake-partners.ts). */
export const DEV_PARTNERS_URL = 'http://127.0.0.1:4010';

/** What `npm start` needs on a fresh machine: the local services that scripts/services.sh starts. */
const DEVELOPMENT: Record<string, string> = {
  SESSION_SECRET: 'development-only-session-secret-not-for-production',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
  DATABASE_REPLICA_URLS: 'postgres://postgres@127.0.0.1:5433/test',
  PAYMENT_URL: DEV_PARTNERS_URL,
  INVENTORY_URL: DEV_PARTNERS_URL,
};

/**
 * The environment the sample boots with: the process environment, plus development defaults for
 * what is unset (a session secret, the local primary and its streaming replica, the simulated partner services), so `npm start`
 * works on a fresh machine. In production (NODE_ENV=production) nothing is filled in: a missing
 * SESSION_SECRET stops the boot.
 */
export function sampleEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  if (source.NODE_ENV === 'production') return source;
  const filled: Record<string, string | undefined> = { ...source };
  for (const [name, value] of Object.entries(DEVELOPMENT)) filled[name] ??= value;
  return filled;
}
