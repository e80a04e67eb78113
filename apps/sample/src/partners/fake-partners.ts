import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How a simulated partner answers: `ok`, `fail` (HTTP 500), or `hang` (never answers). */
export interface PartnerBehaviour { mode: 'ok' | 'fail' | 'hang'; delayMs: number }

/** What the simulated partners have seen, for tests and the e2e suite. */
export interface PartnerCounters { charges: number; stockChecks: number }

/** A running pair of simulated partners (payments and inventory) on one port. */
export interface FakePartners {
  readonly url: string;
  readonly payments: PartnerBehaviour;
  readonly inventory: PartnerBehaviour;
  readonly counters: PartnerCounters;
  /** Changes behaviour; requests that hang are released (answered 500) when a mode stops being `hang`. */
  set(partner: 'payments' | 'inventory', behaviour: Partial<PartnerBehaviour>): void;
  close(): Promise<void>;
}

/**
 * The payment and inventory services the sample calls, simulated, so `npm start` works on a
 * fresh machine and the e2e suite can make them slow or failing on command. Not part of the
 * service: in production PAYMENT_URL and INVENTORY_URL point at the real ones.
 *
 * - `POST /charges` `{ orderId, cents }` -> `{ chargeId }` (the same charge for the same
 *   `Idempotency-Key`, as real payment APIs do, so the client's retries are safe);
 * - `GET /stock/:sku` -> `{ sku, available }`;
 * - `POST /_control` `{ payments?: {mode, delayMs}, inventory?: {...} }` and `GET /_control`
 *   (counters): how another process (the e2e suite) drives it.
 */
export async function startFakePartners(options: { port?: number; host?: string } = {}): Promise<FakePartners> {
  const behaviour = { payments: { mode: 'ok', delayMs: 0 } as PartnerBehaviour, inventory: { mode: 'ok', delayMs: 0 } as PartnerBehaviour };
  const counters: PartnerCounters = { charges: 0, stockChecks: 0 };
  const charges = new Map<string, string>(); // Idempotency-Key -> chargeId
  const hanging = { payments: new Set<ServerResponse>(), inventory: new Set<ServerResponse>() };

  const respond = (res: ServerResponse, status: number, body: unknown) => {
    hanging.payments.delete(res);
    hanging.inventory.delete(res);
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const behave = (name: 'payments' | 'inventory', res: ServerResponse, answer: () => unknown) => {
    const partner = behaviour[name];
    if (partner.mode === 'hang') { hanging[name].add(res); return; }
    const send = () => (partner.mode === 'fail' ? respond(res, 500, { error: 'simulated failure' }) : respond(res, 200, answer()));
    if (partner.delayMs > 0) setTimeout(send, partner.delayMs); else send();
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => { raw += chunk; });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://partners');
      if (req.method === 'POST' && url.pathname === '/charges') {
        counters.charges++;
        const key = String(req.headers['idempotency-key'] ?? `charge-${counters.charges}`);
        return behave('payments', res, () => {
          if (!charges.has(key)) charges.set(key, `ch_${charges.size + 1}_${key.slice(0, 8)}`);
          return { chargeId: charges.get(key) };
        });
      }
      const stock = /^\/stock\/([\w.-]+)$/.exec(url.pathname);
      if (req.method === 'GET' && stock) {
        counters.stockChecks++;
        const sku = stock[1]!;
        return behave('inventory', res, () => ({ sku, available: [...sku].reduce((n, c) => n + c.charCodeAt(0), 0) % 50 }));
      }
      if (url.pathname === '/_control') {
        if (req.method === 'POST') {
          const body = JSON.parse(raw || '{}') as Partial<Record<'payments' | 'inventory', Partial<PartnerBehaviour>>>;
          if (body.payments) partners.set('payments', body.payments);
          if (body.inventory) partners.set('inventory', body.inventory);
        }
        return respond(res, 200, { ...behaviour, counters });
      }
      respond(res, 404, { error: 'not found' });
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address() as AddressInfo;

  const partners: FakePartners = {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    payments: behaviour.payments,
    inventory: behaviour.inventory,
    counters,
    set(partner, next) {
      Object.assign(behaviour[partner], next);
      if (behaviour[partner].mode !== 'hang') for (const res of [...hanging[partner]]) respond(res, 500, { error: 'released' });
    },
    async close() {
      for (const res of [...hanging.payments, ...hanging.inventory]) respond(res, 500, { error: 'closing' });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return partners;
}
