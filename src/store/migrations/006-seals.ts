/**
 * Electronic seals (GB/T 38540): one or more per issuing organisation, the newest valid one in use.
 * The SESeal is kept as the exact DER its maker signed; the picture beside it saves parsing it for
 * every layout file.
 */
export const sql = `
create table seals (
  es_id        text primary key,
  org_code     text not null,                         -- unified social credit code (GB 32100)
  org_name     text not null,
  seal_der     bytea not null,
  picture_png  bytea not null,
  valid_from   timestamptz not null,
  valid_to     timestamptz not null,
  maker_kid    text not null references node_keys (kid),
  created_at   timestamptz not null default now()
);
create index seals_by_org on seals (org_code, valid_to desc);
`;
