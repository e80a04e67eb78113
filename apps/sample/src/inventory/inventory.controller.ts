import { Controller, Get, Param } from '@fleet/core';
import { z } from 'zod';
import { InventoryClient } from './inventory.client.js';

const Sku = z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, dot, dash or underscore, at most 64');
const Stock = z.object({ sku: z.string(), available: z.number().int() });

/** `GET /inventory/:sku`: the stock level, from the inventory service (bulkheaded apart from payments). */
@Controller('/inventory')
export class InventoryController {
  constructor(private readonly inventory: InventoryClient) {}

  @Get('/:sku', { response: Stock })
  get(@Param('sku', Sku) sku: string) {
    return this.inventory.stock(sku);
  }
}
