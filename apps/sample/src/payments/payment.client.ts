import { Bulkhead, CircuitBreaker, HttpError, Injectable, Retry, Signal, Timeout } from '@fleet/core';
import { unreachable } from '../partners/partner-errors.js';
import { PartnersConfig } from '../partners/partners.config.js';

export interface Charge { chargeId: string }

/**
 * The payment service's answer when it is not a charge: its 4xx is the caller's problem (422
 * `PAYMENT_REJECTED`, neither retried nor counted by the breaker); its 5xx is ours (502
 * `PAYMENT_UNAVAILABLE`, retried and counted).
 */
function paymentError(status: number): HttpError {
  return status < 500
    ? new HttpError(422, `the payment service rejected the charge (${status})`, { code: 'PAYMENT_REJECTED' })
    : new HttpError(502, `the payment service failed (${status})`, { code: 'PAYMENT_UNAVAILABLE' });
}

/**
 * The payment service, over HTTP. A failing or slow payment service must not take the orders
 * service down with it:
 * - `@Retry`: 3 attempts with exponential backoff and full jitter, at most 5 s in all; the
 *   `Idempotency-Key` makes a retried charge the same charge;
 * - `@CircuitBreaker`: 5 failures among the last 10 calls open it for the whole fleet (through
 *   Redis); callers then get 503 at once for 5 s, when one instance sends a trial call;
 * - `@Timeout('2s')` per attempt, aborting the request through the `@Signal()`;
 * - `@Bulkhead`: at most 10 charges in flight per instance (10 more may queue 1 s), so a hanging
 *   payment service holds 10 slots, not every request's memory and sockets. Inventory calls have
 *   their own compartment and are not affected.
 */
@Injectable()
export class PaymentClient {
  constructor(private readonly partners: PartnersConfig) {}

  @Retry({ maxAttempts: 3, maxTime: '5s', base: '100ms' })
  @CircuitBreaker({ failureThreshold: 5, windowSize: 10, recoveryTimeout: '5s' })
  @Timeout('2s')
  @Bulkhead({ maxConcurrent: 10, maxQueue: 10, queueTimeout: '1s' })
  async charge(orderId: string, cents: number, @Signal() signal?: AbortSignal): Promise<Charge> {
    const res = await fetch(new URL('/charges', this.partners.PAYMENT_URL), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': orderId },
      body: JSON.stringify({ orderId, cents }),
      signal,
    }).catch((error: unknown) => unreachable(error, signal, 'payment'));
    if (!res.ok) {
      await res.body?.cancel();
      throw paymentError(res.status);
    }
    return (await res.json()) as Charge;
  }
}
