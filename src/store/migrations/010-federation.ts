/**
 * The hub's registry of member nodes (ZWFW C 0124 5.4 a: the hub creates an account for each
 * province or central department that joins, and binds its interface services). Each is named by
 * its appendix H DataSource code, the key the aggregated catalog carries for every certificate.
 *
 * Numbered 10 because 9 is the front-DB work of the same issue, written on another branch; the two
 * touch different tables, so they apply in either order.
 */
export const sql = `
create table member_nodes (
  data_source        text primary key,                 -- appendix H DataSource: 0xx central department, 1xx region
  name               text not null,
  area_codes         text[] not null default '{}',     -- GB/T 2260 divisions it answers for
  base_url           text not null,                    -- its national interface lives under base_url/elssp/v1
  account_id         text not null,                    -- the AccountId the hub calls it with
  scheme             text not null default 'hmac-sm3', -- hmac-sm3 or appendix-c
  secret_enc         bytea,                            -- the secret for that account, sealed (the hub computes tokens with it)
  inbound_account    text unique,                      -- the hub's account (accounts.id) it calls the hub with
  services           text[] not null default '{}',     -- national interfaces it offers; empty: all of them
  created_at         timestamptz not null default now()
);
`;
