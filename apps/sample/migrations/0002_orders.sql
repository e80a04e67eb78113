-- Orders of the sample: POST /orders inserts one on the primary and enqueues three jobs (the
-- confirmation email, the invoice PDF, the warehouse notification); workers fill in their columns.
-- A @Scheduled job expires orders left unpaid past the payment window.
create table orders (
  id uuid primary key,
  status text not null default 'processing' check (status in ('processing', 'paid', 'expired')),
  items jsonb not null,
  jobs jsonb not null default '{}',
  confirmation_sent_at timestamptz,
  invoice_pdf text,
  warehouse_notified_at timestamptz,
  paid_at timestamptz,
  created_at timestamptz not null default now()
);

create index orders_unpaid on orders (created_at) where status = 'processing';
