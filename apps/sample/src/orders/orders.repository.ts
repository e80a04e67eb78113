import { Injectable, Repository, sql } from '@fleet/core';
import { z } from 'zod';

export const OrderItem = z.object({ sku: z.string().min(1).max(64), qty: z.number().int().positive().max(1000) });
export type OrderItem = z.infer<typeof OrderItem>;

/** The job ids of an order, by job (kept on the order so `GET /orders/:id` can show each job's status). */
export const OrderJobIds = z.object({ confirmationEmail: z.string(), invoicePdf: z.string(), warehouse: z.string() }).partial();

const OrderRow = z.object({
  orderId: z.string(),
  status: z.enum(['processing', 'paid', 'expired']),
  items: z.array(OrderItem),
  jobs: OrderJobIds,
  confirmationSentAt: z.date().nullable(),
  invoicePdf: z.string().nullable(),
  warehouseNotifiedAt: z.date().nullable(),
  createdAt: z.date(),
});
export type OrderRow = z.infer<typeof OrderRow>;

const COLUMNS = sql`id::text as "orderId", status, items, jobs, confirmation_sent_at as "confirmationSentAt",
  invoice_pdf as "invoicePdf", warehouse_notified_at as "warehouseNotifiedAt", created_at as "createdAt"`;

/** The orders table: inserts and job results on the primary, reads from a replica (read-your-writes aware). */
@Injectable()
export class OrdersRepository extends Repository {
  insert(orderId: string, items: OrderItem[]): Promise<OrderRow> {
    return this.write.one(sql`insert into orders (id, items) values (${orderId}, ${JSON.stringify(items)}::jsonb) returning ${COLUMNS}`, OrderRow);
  }

  byId(orderId: string): Promise<OrderRow | undefined> {
    return this.read.maybeOne(sql`select ${COLUMNS} from orders where id = ${orderId}`, OrderRow);
  }

  setJobs(orderId: string, jobs: z.infer<typeof OrderJobIds>): Promise<number> {
    return this.write.execute(sql`update orders set jobs = ${JSON.stringify(jobs)}::jsonb where id = ${orderId}`);
  }

  /** Each job records its result once (a job may run more than once: it is delivered at least once). */
  confirmationSent(orderId: string): Promise<number> {
    return this.write.execute(sql`update orders set confirmation_sent_at = coalesce(confirmation_sent_at, now()) where id = ${orderId}`);
  }

  invoiceStored(orderId: string, url: string): Promise<number> {
    return this.write.execute(sql`update orders set invoice_pdf = ${url} where id = ${orderId}`);
  }

  warehouseNotified(orderId: string): Promise<number> {
    return this.write.execute(sql`update orders set warehouse_notified_at = coalesce(warehouse_notified_at, now()) where id = ${orderId}`);
  }

  /** Marks the order paid with its charge (again with the same charge is a no-op); returns how many rows changed. */
  markPaid(orderId: string, chargeId: string): Promise<number> {
    return this.write.execute(sql`update orders set status = 'paid', paid_at = coalesce(paid_at, now()), charge_id = ${chargeId}
      where id = ${orderId} and (status = 'processing' or (status = 'paid' and charge_id = ${chargeId}))`);
  }

  /** Order counts by status, and one snapshot row for the tick (read on the primary: it is written right after). */
  async snapshotStats(tick: Date, takenBy: string): Promise<void> {
    await this.write.execute(sql`insert into order_stats (tick, processing, paid, expired, taken_by)
      select ${tick.toISOString()}::timestamptz, count(*) filter (where status = 'processing'), count(*) filter (where status = 'paid'),
             count(*) filter (where status = 'expired'), ${takenBy} from orders`);
    await this.write.execute(sql`delete from order_stats where tick < now() - interval '1 hour'`);
  }

  /** Unpaid orders older than `minutes` become expired; returns how many. */
  expireUnpaid(minutes: number): Promise<number> {
    return this.write.execute(sql`update orders set status = 'expired' where status = 'processing' and created_at < now() - make_interval(mins => ${minutes})`);
  }
}
