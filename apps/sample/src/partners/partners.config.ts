import { Config } from '@fleet/core';
import { z } from 'zod';

/** Where the partner services the sample calls live. */
export class PartnersConfig extends Config(z.object({
  PAYMENT_URL: z.url().describe('Base URL of the payment service (POST /charges)'),
  INVENTORY_URL: z.url().describe('Base URL of the inventory service (GET /stock/:sku)'),
})) {}
