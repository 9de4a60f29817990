/**
 * The holder portal (issue 21): sign-ins under way (OpenID Connect state, nonce and PKCE verifier
 * between the redirect and the return), the holders' sessions (the cookie's SM3 only; the holder
 * sealed with the data key), and the trusted-token requests apps make for a holder to approve
 * (seed 004 section 4: the holder authorises a use). Every process on the database shares them.
 */
export const sql = `
create table portal_logins (
  state          text primary key,
  nonce          text not null,
  code_verifier  text not null,
  created_at     timestamptz not null default now()
);
create table portal_sessions (
  id_hash     bytea primary key,
  holder      bytea not null,                 -- sealed JSON: code, type, name, subject
  csrf        text not null,
  created_at  timestamptz not null default now(),
  last_seen   timestamptz not null default now(),
  expires_at  timestamptz not null
);
create table holder_consents (
  id              text primary key,
  app_id          text not null,
  holder_bidx     bytea not null,
  holder          bytea not null,             -- sealed JSON: code, type, name
  item_code       text not null,
  item_name       text not null,
  item_org        text not null,
  purpose         text not null,
  permission      text not null,
  transaction_id  text not null,
  valid_seconds   integer not null,
  status          text not null check (status in ('pending', 'approved', 'refused', 'revoked')),
  token_id        text,
  token           bytea,                      -- sealed: the approved token, until the app collects it
  token_expires   timestamptz,
  created_at      timestamptz not null default now(),
  request_expires timestamptz not null,
  decided_at      timestamptz
);
create index holder_consents_holder on holder_consents (holder_bidx, created_at desc);
`;
