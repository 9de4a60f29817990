/**
 * The Zaozhuang interface (DB3704/T 0042): OAuth2 clients, users with their interface roles, and
 * tokens; and the caller's stated context on every usage record.
 *
 * Numbered 8 because 6 and 7 are being written on other branches; the migrations touch different
 * tables, so they apply in any order.
 */
export const sql = `
create table oauth_clients (
  client_id    text primary key,
  name         text not null,
  secret_hash  text not null,                          -- scrypt, like passwords
  scopes       text[] not null default '{read,write}',
  created_at   timestamptz not null default now()
);

create table oauth_users (
  username       text primary key,
  name           text not null,
  password_hash  text not null,                        -- scrypt: memory-hard
  roles          text[] not null default '{}',         -- interface roles (3.2): retrieve, download, info, view
  dept_name      text,
  disabled       boolean not null default false,
  failed_logins  int not null default 0,
  locked_until   timestamptz,
  created_at     timestamptz not null default now()
);

create table oauth_tokens (
  access_hash         bytea primary key,               -- SM3 of the access token: a stolen table opens nothing
  refresh_hash        bytea not null unique,           -- SM3 of the refresh token
  client_id           text not null references oauth_clients (client_id),
  username            text not null references oauth_users (username),
  scope               text not null,
  expires_at          timestamptz not null,
  refresh_expires_at  timestamptz not null,
  created_at          timestamptz not null default now(),
  revoked_at          timestamptz,
  revoked_reason      text                             -- refreshed | revoked
);
create index oauth_tokens_username on oauth_tokens (username);

alter table usage_records add column context jsonb;
`;
