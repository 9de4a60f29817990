/**
 * The operator console's people and their sessions (seed 002 5.4.2.1 a-c, 5.4.4): an operator is
 * an administrator of the node, the issuer of one organisation (acts on that organisation's
 * certificates only) or an auditor (reads only). Sessions are kept by the SM3 of their token, so
 * the table never holds a usable credential; logout and the idle timeout end them.
 */
export const sql = `
create table console_operators (
  account        text primary key,
  name           text not null,
  role           text not null check (role in ('administrator', 'issuer', 'auditor')),
  org_code       text,
  org_name       text,
  password_hash  text not null,
  failed_logins  integer not null default 0,
  locked_until   timestamptz,
  created_at     timestamptz not null default now(),
  check (role <> 'issuer' or org_code is not null)
);
create table console_sessions (
  token_hash  bytea primary key,
  account     text not null references console_operators (account) on delete cascade,
  created_at  timestamptz not null default now(),
  last_seen   timestamptz not null default now(),
  ended_at    timestamptz
);
create index console_sessions_account on console_sessions (account);
`;
