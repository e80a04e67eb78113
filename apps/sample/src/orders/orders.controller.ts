import { Body, Controller, Get, Param, Post } from '@fleet/core';
import { z } from 'zod';
import { OrderItem } from './orders.repository.js';
import { OrdersService } from './orders.service.js';

const NewOrder = z.object({ items: z.array(OrderItem).min(1).max(100) });
const Paid = z.object({ orderId: z.string(), status: z.literal('paid'), chargeId: z.string() });
const Accepted = z.object({ orderId: z.string(), status: z.literal('processing') });
const JobView = z.object({
  id: z.string(), state: z.enum(['waiting', 'active', 'completed', 'failed']), attemptsMade: z.number(), attempts: z.number(),
  progress: z.union([z.number(), z.record(z.string(), z.unknown())]),
}).nullable();
const Order = z.object({
  orderId: z.string(),
  status: z.enum(['processing', 'paid', 'expired']),
  items: z.array(OrderItem),
  confirmationSentAt: z.string().nullable(),
  invoicePdf: z.string().nullable(),
  warehouseNotifiedAt: z.string().nullable(),
  jobs: z.object({ confirmationEmail: JobView, invoicePdf: JobView, warehouse: JobView }),
});

/**
 * `POST /orders` answers 202 in milliseconds: the order is saved, and the email, the invoice and
 * the warehouse notification are queued for workers. `GET /orders/:id` shows each job's status.
 */
@Controller('/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post('/', { status: 202, response: Accepted })
  create(@Body(NewOrder) body: z.infer<typeof NewOrder>) {
    return this.orders.place(body.items);
  }

  /** Charges the order through the payment service: 503 at once while its breaker is open. */
  @Post('/:id/pay', { response: Paid })
  pay(@Param('id', z.uuid()) id: string) {
    return this.orders.pay(id);
  }

  @Get('/:id', { response: Order })
  get(@Param('id', z.uuid()) id: string) {
    return this.orders.find(id);
  }
}
