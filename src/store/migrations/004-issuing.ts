/**
 * Issuing and the certificate lifecycle (Beijing 6.4-6.6): service items and the types each may
 * use, the lineage of changed certificates, an event per lifecycle write, and batch jobs that
 * survive a crash.
 */
export const sql = `
create table service_items (
  code        text primary key,
  name        text not null,
  org_name    text not null,
  org_code    text not null,                              -- unified social credit code: the issuer of what the item issues
  area_code   text,
  created_at  timestamptz not null default now()
);

create table service_item_types (
  item_code   text not null references service_items (code) on delete cascade,
  type_code   text not null references certificate_types (code),
  primary key (item_code, type_code)
);

-- A successor may keep its predecessor's number: uniqueness is per version.
alter table certificates drop constraint certificates_type_code_issuer_code_number_bidx_key;
alter table certificates add constraint certificates_number_version unique (type_code, issuer_code, number_bidx, version);
alter table certificates add column predecessor_id text references certificates (id);
alter table certificates add column successor_id text references certificates (id);
alter table certificates add column abolish_reason text;
alter table certificates add column seal_code text;
alter table certificates add column license_group text;
alter table certificates add column item_code text;
alter table certificates add column division_code text;
create index certificates_drafts on certificates (type_code, division_code) where status = 'draft';

create table certificate_events (
  id              bigserial primary key,
  certificate_id  text not null,                          -- no foreign key: a deleted draft keeps its history
  action          text not null check (action in ('create', 'update', 'delete', 'sign', 'change', 'abolish')),
  session_account text,
  operator        jsonb not null,
  item_code       text not null,
  item_name       text not null,
  biz_num         text,
  reason          text,
  related_id      text,
  at              timestamptz not null default now()
);
create index certificate_events_certificate on certificate_events (certificate_id);

create table batch_jobs (
  id          text primary key,
  kind        text not null check (kind in ('create', 'sign')),
  type_code   text not null,
  request     jsonb not null,                             -- operator, item, biz_num: what each step records
  total       int not null,
  done        int not null default 0,
  state       text not null default 'running' check (state in ('running', 'finished', 'failed')),
  created_at  timestamptz not null default now(),
  finished_at timestamptz
);

create table batch_job_items (
  job_id        text not null references batch_jobs (id) on delete cascade,
  seq           int not null,
  license_code  text,
  input         jsonb,                                     -- batch_create: the data fields, until processed
  result_code   text,                                      -- null until processed
  message       text,
  primary key (job_id, seq)
);
`;
