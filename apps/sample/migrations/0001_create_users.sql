-- Users of the sample app: PUT /users/:id creates or replaces one, GET /users/:id reads it from a replica.
create table users (
  id integer primary key check (id > 0),
  name text not null,
  email text not null,
  updated_at timestamptz not null default now()
);
