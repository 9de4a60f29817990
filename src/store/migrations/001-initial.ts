/**
 * The first schema: catalog, certificates (personal data sealed with SM4, holder looked up by a
 * keyed SM3 blind index), calling systems, node signing keys and the usage log.
 */
export const sql = `
create table certificate_types (
  code                 text primary key,              -- ZWFW C 0123: authority code (18) + sequence (3)
  name                 text not null,
  define_authority_name text,
  define_authority_code text,
  related_item_name    text,
  related_item_code    text,
  holder_category      text,                          -- 自然人 / 法人或其他组织 / 混合 / 其他
  validity_range       text,
  fields               jsonb not null default '[]',   -- field definitions: columnName, name, valueType, required, sensitive
  status               text not null default 'published' check (status in ('draft', 'published', 'withdrawn')),
  is_open              boolean not null default true,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now()
);
create index certificate_types_name on certificate_types (name);

create table certificates (
  id            text primary key,                     -- GB/T 36904 identifier
  source_id     text,
  type_code     text not null references certificate_types (code),
  name          text not null,
  holder_type   text not null,                        -- appendix B code
  holder_bidx   bytea not null,                       -- HMAC-SM3 of the holder code
  number_bidx   bytea not null,                       -- HMAC-SM3 of the certificate number
  holder_enc    bytea not null,                       -- sealed {holderName, holderCode, number}
  content_enc   bytea not null,                       -- sealed {surface, detail}
  issuer_name   text not null,
  issuer_code   text not null,
  area_code     text,
  issue_date    date not null,
  valid_from    date,
  valid_to      date,                                 -- null: long-term (长期)
  status        text not null check (status in ('draft', 'issued', 'suspended', 'abolished')),
  version       int not null default 1,
  digital_sign  text,                                 -- base64 DER SM2 signature over the canonical data
  sign_key_id   text,
  data_source   text,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  unique (type_code, issuer_code, number_bidx)
);
create index certificates_holder on certificates (holder_bidx);

create table accounts (
  id          text primary key,
  name        text not null,
  scheme      text not null check (scheme in ('hmac-sm3', 'appendix-c')),
  secret_enc  bytea,                                  -- sealed: HMAC-SM3 needs the secret itself
  allowed_ips text[] not null default '{}',
  disabled    boolean not null default false,
  created_at  timestamptz not null default now()
);

create table node_keys (
  kid          text primary key,
  algorithm    text not null default 'SM2-SM3',
  public_key   text not null,                         -- 04-prefixed hex
  private_enc  bytea not null,                        -- sealed under the data key
  created_at   timestamptz not null default now(),
  retired_at   timestamptz
);

create table usage_records (
  id              bigserial primary key,
  at              timestamptz not null,
  dialect         text not null,
  interface       text not null,
  account_id      text,
  operator        text,
  item_code       text,
  item_name       text,
  reason          text,
  holder_bidx     bytea,
  certificate_ids text[] not null default '{}',
  result_code     text not null,
  client_ip       text,
  correlation_id  text,
  prev_hash       bytea,
  hash            bytea not null                      -- SM3(prev_hash ‖ record): a tamper-evident chain
);
create index usage_records_holder on usage_records (holder_bidx);
create index usage_records_at on usage_records (at);
`;
