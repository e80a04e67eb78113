/**
 * The environment the sample boots with: the process environment, plus a development-only
 * session secret so `npm start` works on a fresh machine. In production (NODE_ENV=production)
 * nothing is filled in, and a missing SESSION_SECRET stops the boot.
 */
export function sampleEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  if (source.NODE_ENV === 'production' || source.SESSION_SECRET) return source;
  return { ...source, SESSION_SECRET: 'development-only-session-secret-not-for-production' };
}
