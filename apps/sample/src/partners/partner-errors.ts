import { HttpError } from '@fleet/core';

/** A network failure (refused, reset) is a 502 like a 5xx; an abort by the timeout stays what it is. */
export function unreachable(error: unknown, signal: AbortSignal | undefined, service: 'payment' | 'inventory'): never {
  if (signal?.aborted) throw error;
  throw new HttpError(502, `the ${service} service is unreachable`, { code: `${service.toUpperCase()}_UNAVAILABLE`, cause: error });
}
