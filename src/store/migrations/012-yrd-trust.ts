/**
 * Trusted access of the Yangtze River Delta interface (seed 004, 5.2 and tables 8-9): trusted apps
 * (an operator allocates appID and appSecret; the app registers, binding its organisation and
 * receiving an SM2 application certificate), the trusted tokens this node issued (kept for
 * revocation: the token itself is self-contained and signed), and the nonces of signed app
 * requests (replay refusal shared by every process on one database).
 *
 * Numbered 12: 13 is the peer channel of the same issue, written on another branch; the two touch
 * different tables, so they apply in either order.
 */
export const sql = `
create table trusted_apps (
  app_id          text primary key,
  name            text not null,
  secret_hash     text not null,                 -- scrypt, see crypto/password.ts; the secret is shown once
  corp_name       text,                          -- bound by registration (table 8)
  corp_code       text,                          -- GB 32100
  public_key      text,                          -- the application certificate's SM2 key (04 || x || y, hex)
  certificate     text,                          -- PEM, issued by this node's key
  registered_at   timestamptz,
  disabled        boolean not null default false,
  created_at      timestamptz not null default now()
);
create table trusted_tokens (
  id              text primary key,              -- the token's jti
  app_id          text not null references trusted_apps (app_id),
  holder_bidx     bytea not null,                -- blind index of the holder code, never the code itself
  location        text,                          -- table 9 location: where the device stood
  permission      text not null,
  auth_type       text not null,
  transaction_id  text not null,
  issued_at       timestamptz not null,
  expires_at      timestamptz not null,
  revoked_at      timestamptz
);
create index trusted_tokens_revoked on trusted_tokens (revoked_at) where revoked_at is not null;
create table trusted_request_nonces (
  app_id          text not null,
  nonce           text not null,
  seen_at         timestamptz not null default now(),
  primary key (app_id, nonce)
);
create index trusted_request_nonces_seen on trusted_request_nonces (seen_at);
`;
