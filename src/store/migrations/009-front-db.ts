/**
 * The front DB (前置库) of ZWFW C 0124 6.3 and appendix H, in a schema of its own: `lic_data` (H.1)
 * and `lic_data_error` (H.2) with exactly the table's names, columns and types, plus the
 * bookkeeping of the exchange and the aggregator beside them (never as extra columns).
 *
 * Names are quoted so PostgreSQL keeps their case as the tables write it; H.2 spells its sync
 * columns in lower case (cd_operation, cd_time, cd_batch) where H.1 writes Cd_operation, and each
 * table keeps its own spelling. Types: `longtext` is MySQL's; PostgreSQL's closest is `text`
 * (unbounded). `bigint` 自增长主键 is an identity column, GENERATED ALWAYS so nobody writes an ID by
 * hand: the exchange and the aggregator rely on IDs growing in the order rows are committed.
 * 必填项 是 becomes NOT NULL. Cd_time is a `timestamp` (no time zone), written in China Standard
 * Time.
 *
 * The catalog in a front DB is in clear text, as the standard's table is: the front DB must be
 * protected like the certificate store itself.
 */
export const sql = `
create schema if not exists front;

create table front.lic_data (
  "ID"                    bigint generated always as identity primary key,
  "CertificateSourceId"   varchar(128) not null,
  "CertificateName"       varchar(512) not null,
  "CertificateType"       varchar(256) not null,
  "CertificateTypeCode"   varchar(64) not null,
  "IssueDept"             text not null,          -- longtext
  "IssueDeptCode"         text not null,          -- longtext
  "CertificateAreaCode"   varchar(32) not null,
  "CertificateHolder"     text not null,          -- longtext
  "CertificateHolderCode" text not null,          -- longtext
  "CertificateHolderType" varchar(2000),
  "CertificateNumber"     varchar(128) not null,
  "IssueDate"             varchar(32) not null,
  "Cd_operation"          varchar(2) not null,
  "Cd_time"               timestamp not null,
  "Cd_batch"              varchar(32) not null,
  "DataSource"            varchar(3) not null
);
-- Re-reports and the error list look rows up by certificate.
create index lic_data_source_id on front.lic_data ("CertificateSourceId");

create table front.lic_data_error (
  "ID"                    bigint generated always as identity primary key,
  "CertificateSourceId"   varchar(128) not null,
  "CertificateName"       varchar(512) not null,
  "CertificateType"       varchar(256) not null,
  "CertificateTypeCode"   varchar(64) not null,
  "IssueDept"             text not null,
  "IssueDeptCode"         text not null,
  "CertificateAreaCode"   varchar(32) not null,
  "CertificateHolder"     text not null,
  "CertificateHolderCode" text not null,
  "CertificateHolderType" varchar(2000),
  "CertificateNumber"     varchar(128) not null,
  "IssueDate"             varchar(32) not null,
  cd_operation            varchar(2) not null,
  cd_time                 timestamp not null,
  "ErrorRemark"           varchar(512) not null,
  cd_batch                varchar(32) not null
);
create index lic_data_error_source_id on front.lic_data_error ("CertificateSourceId");

-- This front DB: its identity in exchanges, and the Cd_batch new rows get until the next exchange.
create table front.state (
  singleton  boolean primary key default true check (singleton),
  front_id   text not null,
  cd_batch   varchar(32) not null
);
insert into front.state (front_id, cd_batch) values (gen_random_uuid()::text,
  to_char(clock_timestamp() at time zone 'UTC' + interval '8 hours', 'YYYYMMDDHH24MISS') || substr(md5(random()::text || clock_timestamp()::text), 1, 16));

-- Receiving side of an exchange: how far each source front DB's lic_data has been moved here,
-- committed with the rows it moved.
create table front.exchange_in (
  front_id    text primary key,
  moved_upto  bigint not null default 0,
  rows        bigint not null default 0,
  updated_at  timestamptz not null default now()
);

-- Sending side: how far each hub's lic_data_error rows have come back here, committed with them.
create table front.errors_in (
  front_id    text primary key,
  moved_upto  bigint not null default 0,
  rows        bigint not null default 0,
  updated_at  timestamptz not null default now()
);

-- Reconciliation (对账) per Cd_batch at the hub: rows received by exchange, applied and rejected by the aggregator.
create table front.batch_ledger (
  cd_batch    varchar(32) primary key,
  front_id    text,
  received    bigint not null default 0,
  applied     bigint not null default 0,
  rejected    bigint not null default 0,
  first_at    timestamptz not null default now(),
  last_at     timestamptz not null default now()
);
create index batch_ledger_front on front.batch_ledger (front_id);

-- The aggregator's position in lic_data, committed with the rows it applied.
create table front.aggregation_state (
  singleton   boolean primary key default true check (singleton),
  position    bigint not null default 0,
  applied     bigint not null default 0,
  rejected    bigint not null default 0,
  updated_at  timestamptz not null default now()
);
insert into front.aggregation_state (position) values (0);

-- Province side: errors the hub sent back that a later report of the same certificate answered.
create table front.error_resolution (
  error_id     bigint primary key references front.lic_data_error ("ID") on delete cascade,
  resolved_at  timestamptz not null default now(),
  by_cd_time   timestamp not null
);
`;
