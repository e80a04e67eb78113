import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Async, ConflictError, CurrentJob, Injectable, Jobs, Logger, NotFoundError, Scheduled, enqueued, type JobContext, type JobStatus } from '@fleet/core';
import { PaymentClient } from '../payments/payment.client.js';
import { OrdersRepository, type OrderItem, type OrderRow } from './orders.repository.js';

/** How long the simulated work takes: an email about 2 s, an invoice PDF about 3 s, the warehouse about 1 s. */
export const WORK_MS = { confirmationEmail: 2000, invoicePdf: 3000, warehouse: 1000 } as const;
/** The simulated price of one item, in cents. */
export const ITEM_PRICE_CENTS = 1000;
/** Orders still unpaid after this many minutes are expired by the scheduled job. */
export const PAYMENT_WINDOW_MINUTES = 30;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface OrderView {
  orderId: string;
  status: OrderRow['status'];
  items: OrderItem[];
  confirmationSentAt: string | null;
  invoicePdf: string | null;
  warehouseNotifiedAt: string | null;
  jobs: Record<'confirmationEmail' | 'invoicePdf' | 'warehouse', Pick<JobStatus, 'id' | 'state' | 'attemptsMade' | 'attempts' | 'progress'> | null>;
}

/**
 * Orders: `place` answers in milliseconds (one insert on the primary, three enqueues); the slow
 * work runs on workers as @Async jobs. Each job is keyed by the order (dedupeKey), so placing
 * the same order's jobs twice enqueues nothing more, and each records its result idempotently.
 */
@Injectable()
export class OrdersService {
  constructor(private readonly orders: OrdersRepository, private readonly jobs: Jobs, private readonly payments: PaymentClient, private readonly log: Logger) {}

  async place(items: OrderItem[]): Promise<{ orderId: string; status: 'processing' }> {
    const orderId = randomUUID();
    await this.orders.insert(orderId, items);
    const [confirmationEmail, invoicePdf, warehouse] = await Promise.all([
      enqueued(this.sendConfirmationEmail(orderId)),
      enqueued(this.generateInvoicePdf(orderId)),
      enqueued(this.notifyWarehouse(orderId)),
    ]);
    await this.orders.setJobs(orderId, { confirmationEmail: confirmationEmail.jobId, invoicePdf: invoicePdf.jobId, warehouse: warehouse.jobId });
    return { orderId, status: 'processing' };
  }

  async find(orderId: string): Promise<OrderView> {
    const order = await this.orders.byId(orderId);
    if (!order) throw new NotFoundError(`order ${orderId} not found`);
    const status = async (id: string | undefined) => {
      const s = id === undefined ? undefined : await this.jobs.status(id);
      return s ? { id: s.id, state: s.state, attemptsMade: s.attemptsMade, attempts: s.attempts, progress: s.progress } : null;
    };
    const [confirmationEmail, invoicePdf, warehouse] = await Promise.all([status(order.jobs.confirmationEmail), status(order.jobs.invoicePdf), status(order.jobs.warehouse)]);
    return {
      orderId: order.orderId, status: order.status, items: order.items,
      confirmationSentAt: order.confirmationSentAt?.toISOString() ?? null, invoicePdf: order.invoicePdf,
      warehouseNotifiedAt: order.warehouseNotifiedAt?.toISOString() ?? null,
      jobs: { confirmationEmail, invoicePdf, warehouse },
    };
  }

  /**
   * Charges the order through the payment service (retried, breaker, timeout, bulkhead: see
   * PaymentClient) and marks it paid. Paying a paid order again answers the same charge: the
   * payment service sees the same Idempotency-Key.
   */
  async pay(orderId: string): Promise<{ orderId: string; status: 'paid'; chargeId: string }> {
    const order = await this.orders.byId(orderId);
    if (!order) throw new NotFoundError(`order ${orderId} not found`);
    if (order.status === 'expired') throw new ConflictError(`order ${orderId} expired unpaid; place it again`, { code: 'ORDER_EXPIRED' });
    const cents = order.items.reduce((sum, item) => sum + item.qty * ITEM_PRICE_CENTS, 0);
    const { chargeId } = await this.payments.charge(orderId, cents);
    if ((await this.orders.markPaid(orderId, chargeId)) === 0) throw new ConflictError(`order ${orderId} changed while it was being paid`, { code: 'ORDER_CHANGED' });
    return { orderId, status: 'paid', chargeId };
  }

  @Async({ attempts: 5, backoff: { type: 'exponential', delay: '1s' }, dedupeKey: (orderId: string) => orderId })
  async sendConfirmationEmail(orderId: string): Promise<void> {
    await pause(WORK_MS.confirmationEmail);
    await this.orders.confirmationSent(orderId);
  }

  @Async({ timeout: '30s', dedupeKey: (orderId: string) => orderId })
  async generateInvoicePdf(orderId: string): Promise<{ url: string }> {
    await pause(WORK_MS.invoicePdf);
    const url = `https://invoices.example.com/${orderId}.pdf`;
    await this.orders.invoiceStored(orderId, url);
    return { url };
  }

  @Async({ dedupeKey: (orderId: string) => orderId })
  async notifyWarehouse(orderId: string): Promise<void> {
    await pause(WORK_MS.warehouse);
    await this.orders.warehouseNotified(orderId);
  }

  /** Once a minute, on one instance of the fleet: orders left unpaid past the payment window expire. */
  @Scheduled('* * * * *')
  async expireUnpaidOrders(): Promise<number> {
    const expired = await this.orders.expireUnpaid(PAYMENT_WINDOW_MINUTES);
    if (expired > 0) this.log.info({ expired }, `expired ${expired} unpaid order(s)`);
    return expired;
  }

  /** Every 5 s, once in the fleet: a snapshot of the order counts, stamped with its tick. */
  @Scheduled({ every: '5s' })
  async snapshotOrderStats(@CurrentJob() job?: JobContext): Promise<void> {
    await this.orders.snapshotStats(new Date(job?.dueAt ?? Date.now()), `${hostname()}:${process.pid}`);
  }
}
