import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  Body, Controller, Get, Headers, Injectable, Module, NotFoundError, Param, Post, Query, UnprocessableEntityError,
} from '@fleet/core';

// Request schemas: Fastify validates them (compiled from zod at boot) before the handler runs.
const Sku = z.string().regex(/^[A-Z]+-\d+$/);
const Line = z.object({ sku: Sku, qty: z.number().int().positive() });

const NewOrder = z.object({
  customerId: z.uuid(),
  items: z.array(Line).min(1).max(20),
  note: z.string().trim().max(200).optional(),                     // trim: zod runs after ajv
}).refine((o) => new Set(o.items.map((i) => i.sku)).size === o.items.length,
  { message: 'list each SKU once', path: ['items'] });
const QuoteRequest = z.strictObject({ items: z.array(Line).min(1), couponCode: z.string().optional() });
const ListQuery = z.object({
  status: z.enum(['processing', 'paid', 'shipped']).optional(),
  limit: z.number().int().min(1).max(100).default(20),            // "?limit=2" arrives as a string: coerced
});
const OrderId = z.string().regex(/^ord_[0-9a-z]+$/);
const IdempotencyKey = z.string().min(8).max(64);

// Response schemas: Fastify serialises through them, so fields they do not name never leave the process.
const Order = z.object({
  id: z.string(),
  status: z.enum(['processing', 'paid', 'shipped']),
  items: z.array(z.object({ sku: z.string(), qty: z.number().int() })),
  totalCents: z.number().int(),
  note: z.string().optional(),
});
const Quote = z.object({ totalCents: z.number().int() });
const OrderList = z.object({ orders: z.array(Order) });

type OrderRow = z.infer<typeof Order> & { customerId: string; marginCents: number };

/** Prices in cents. A constant here; a table behind a repository in a real service. */
const PRICES: Readonly<Record<string, number>> = { 'MUG-1': 1200, 'TEE-2': 2500, 'CAP-3': 1800 };

/** Stands in for the orders table, so that the example runs without a database. */
const ORDERS: readonly OrderRow[] = Object.freeze([
  { id: 'ord_1001', status: 'shipped', items: [{ sku: 'TEE-2', qty: 1 }], totalCents: 2500, customerId: '5b0e6f7c-3c55-4a36-9d1e-2f4f3f6c1a01', marginCents: 900 },
  { id: 'ord_1002', status: 'paid', items: [{ sku: 'MUG-1', qty: 2 }], totalCents: 2400, customerId: '5b0e6f7c-3c55-4a36-9d1e-2f4f3f6c1a01', marginCents: 700 },
]);

@Injectable()
export class OrdersService {
  place(input: z.infer<typeof NewOrder>, idempotencyKey: string): OrderRow {
    // The same key always names the same order, so a retried POST cannot create a second one.
    const id = `ord_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 10)}`;
    const totalCents = this.price(input.items);
    return { id, status: 'processing', items: input.items, totalCents, note: input.note, customerId: input.customerId, marginCents: 0 };
  }

  price(items: ReadonlyArray<z.infer<typeof Line>>): number {
    let total = 0;
    items.forEach((item, index) => {
      const unit = PRICES[item.sku];
      if (unit === undefined) {
        throw new UnprocessableEntityError(`unknown SKU ${item.sku}`, {
          code: 'ORDERS_UNKNOWN_SKU',
          details: [{ path: `body.items.${index}.sku`, message: 'no such product', rule: 'known_sku' }],
        });
      }
      total += unit * item.qty;
    });
    return total;
  }

  find(id: string): OrderRow | undefined {
    return ORDERS.find((o) => o.id === id);
  }

  list(query: z.infer<typeof ListQuery>): OrderRow[] {
    return ORDERS.filter((o) => query.status === undefined || o.status === query.status).slice(0, query.limit);
  }
}

@Controller('/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post('/', { status: 201, response: Order })
  place(@Body(NewOrder) body: z.infer<typeof NewOrder>, @Headers('idempotency-key', IdempotencyKey) key: string) {
    return this.orders.place(body, key);
  }

  @Post('/quote', { response: Quote })
  quote(@Body(QuoteRequest) body: z.infer<typeof QuoteRequest>) {
    return { totalCents: this.orders.price(body.items) };
  }

  @Get('/', { response: OrderList })
  list(@Query(ListQuery) query: z.infer<typeof ListQuery>) {
    return { orders: this.orders.list(query) };
  }

  @Get('/:id', { response: Order })
  get(@Param('id', OrderId) id: string) {
    const order = this.orders.find(id);
    if (!order) throw new NotFoundError(`order ${id} not found`);
    return order;                                                  // customerId and marginCents are dropped
  }
}

@Module({ providers: [OrdersService], controllers: [OrdersController] })
export class OrdersModule {}
