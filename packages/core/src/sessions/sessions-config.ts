import { z } from 'zod';
import { LazyConfig, secret } from '../config/config.js';

/** Environment of `Sessions`. */
// The schema is built when the module is used, not when core is imported (decision 008).
export class SessionsConfig extends LazyConfig(() => z.object({
  /** Comma-separated secrets, each at least 32 characters: the first signs, all verify (rotate by prepending). */
  SESSION_SECRET: secret(z.string().refine((s) => s.split(',').every((x) => x.trim().length >= 32), 'each secret needs at least 32 characters')),
  SESSION_TTL_SECONDS: z.coerce.number().int().positive().default(86_400).describe('Idle lifetime; every read slides it'),
  SESSION_COOKIE: z.string().regex(/^[\w.-]+$/).default('fleet.sid').describe('Cookie name'),
})) {}
