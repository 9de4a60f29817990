/**
 * The YRD direct channel and the keys nodes learn of each other (seed 004 5.5: each province has
 * its own SM2 key pair for the business data, the public key published, the private key kept).
 *
 * Numbered 13 because 12 is the YRD trusted-access work of the same issue, written on another
 * branch; the two touch different tables, so they apply in either order.
 */
export const sql = `
create table exchange_keys (
  kid          text primary key,
  public_key   text not null,                 -- 04-prefixed hex
  private_enc  bytea not null,                -- sealed under the data key, like node_keys
  created_at   timestamptz not null default now(),
  retired_at   timestamptz                    -- kept after rotation: envelopes sealed to it still open
);
create table yrd_peers (
  area_code    text primary key,              -- GB/T 2260 division of the peer province (or city)
  name         text not null,
  base_url     text not null,                 -- its direct channel is base_url/yrd/v1/peer/{interface}
  created_at   timestamptz not null default now(),
  fetched_at   timestamptz                    -- when its published keys were last read
);
create table peer_keys (
  owner        text not null,                 -- peer:<area> (a YRD peer), member:<ds> (a hub's member), network:<ds> or hub (learned from the hub)
  kid          text not null,
  use          text not null,                 -- sign | encrypt
  public_key   text not null,                 -- 04-prefixed hex
  name         text,
  data_source  text,
  area_codes   text[] not null default '{}',
  valid_from   timestamptz,
  valid_to     timestamptz,
  learned_from text not null,                 -- the URL it was read from
  learned_at   timestamptz not null default now(),
  primary key (owner, kid, use)
);
create index peer_keys_kid on peer_keys (kid);
`;
