// Raw Fastify with Fleet's security headers: variant 'handler-raw-set' of raw-headers-variants.mjs.
import { starter } from './raw-headers-variants.mjs';
export const start = starter('handler-raw-set');
