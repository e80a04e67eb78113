import { Bulkhead, CircuitBreaker, HttpError, Injectable, Signal, Timeout } from '@fleet/core';
import { unreachable } from '../partners/partner-errors.js';
import { PartnersConfig } from '../partners/partners.config.js';


export interface Stock { sku: string; available: number }

/**
 * The inventory service, over HTTP, in its own `@Bulkhead` compartment: whatever the payment
 * service does (hang, time out, fill its 10 slots), stock checks keep their own 20 slots.
 */
@Injectable()
export class InventoryClient {
  constructor(private readonly partners: PartnersConfig) {}

  @CircuitBreaker({ failureThreshold: 5, windowSize: 10, recoveryTimeout: '5s' })
  @Timeout('1s')
  @Bulkhead({ maxConcurrent: 20, maxQueue: 20, queueTimeout: '500ms' })
  async stock(sku: string, @Signal() signal?: AbortSignal): Promise<Stock> {
    const res = await fetch(new URL(`/stock/${encodeURIComponent(sku)}`, this.partners.INVENTORY_URL), { signal })
      .catch((error: unknown) => unreachable(error, signal, 'inventory'));
    if (!res.ok) {
      await res.body?.cancel();
      throw res.status === 404
        ? new HttpError(404, `unknown sku ${sku}`, { code: 'INVENTORY_UNKNOWN_SKU' })
        : new HttpError(502, `the inventory service failed (${res.status})`, { code: 'INVENTORY_UNAVAILABLE' });
    }
    return (await res.json()) as Stock;
  }
}
