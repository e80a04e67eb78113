-- POST /orders/:id/pay charges the order through the payment service and records the charge.
alter table orders add column charge_id text;

-- A @Scheduled job snapshots the order counts every few seconds, once per tick for the whole
-- fleet: `tick` is the tick's due time, so a tick that ran twice would show as two rows.
create table order_stats (
  tick timestamptz not null,
  processing integer not null,
  paid integer not null,
  expired integer not null,
  taken_by text not null,
  taken_at timestamptz not null default now()
);

create index order_stats_tick on order_stats (tick);
