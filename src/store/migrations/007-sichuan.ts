/**
 * System registration (DB51/T 2942 6.6): a calling system names itself, its address and department,
 * and gets an account ID at once, usable only after an administrator approves it. Kept apart from the
 * national accounts table: a registration's credential is a sealed, expiring token, not a secret.
 */
export const sql = `
create table registrations (
  account_id    text primary key,
  system_name   text not null,
  system_ip     text not null,
  dept_code     text not null,
  dept_name     text not null,
  status        text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  registered_at timestamptz not null default now(),
  decided_at    timestamptz,
  unique (system_name, system_ip)
);
`;
