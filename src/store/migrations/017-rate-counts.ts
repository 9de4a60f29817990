/**
 * Request counts of the rate limit, per key (a SHA-256 of the address or the credential
 * a caller presents, so no address or token is stored) and fixed window, shared by every process on
 * the database. Unlogged: the counts need not survive a crash, and writing them skips the WAL.
 */
export const sql = `
create unlogged table rate_counts (
  key bytea not null,
  window_start bigint not null,
  hits integer not null,
  primary key (key, window_start)
);
`;
