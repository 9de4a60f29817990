/** Apps, operators and security sessions of the issuing-side interfaces (Beijing 6.2). */
export const sql = `
create table apps (
  app_key      text primary key,
  name         text not null,
  secret_hash  text not null,                          -- scrypt, like passwords
  created_at   timestamptz not null default now()
);

create table operators (
  account        text primary key,
  name           text not null,
  identity_num   text,
  role           text,
  service_org    text,
  division       text,
  division_code  text,
  password_hash  text not null,                        -- scrypt: memory-hard
  failed_logins  int not null default 0,
  locked_until   timestamptz,
  creator        text,
  created_at     timestamptz not null default now(),
  modifier       text,
  modified_at    timestamptz not null default now()
);

create table sessions (
  token_hash   bytea primary key,                      -- SM3 of the token: a stolen table opens no session
  app_key      text not null references apps (app_key),
  account      text not null references operators (account),
  org_code     text,
  created_at   timestamptz not null default now(),
  last_seen    timestamptz not null default now(),
  expires_at   timestamptz not null,
  ended_at     timestamptz
);
create index sessions_account on sessions (account);
`;
