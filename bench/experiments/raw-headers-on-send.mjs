// Raw Fastify with Fleet's security headers: variant 'on-send' of raw-headers-variants.mjs.
import { starter } from './raw-headers-variants.mjs';
export const start = starter('on-send');
