/**
 * ZWFW C 0124 table H.2, row 18: `lic_data_error` has a `DataSource` column too (varchar(3),
 * required), after `cd_batch`, as in `lic_data`. Migration 009 left it out (015, after 014 of the write authority).
 *
 * Rows already there take it from the `lic_data` row they were refused from (same certificate,
 * Cd_time and Cd_batch: the hub copies its own row, an exchange brings back the province's own
 * row); a row with no such twin takes what a node reports for a certificate of its own: `1` and the
 * province of the row's area code (H.1 row 17: 1 = 地方, then the 行政区划代码).
 */
export const sql = `
alter table front.lic_data_error add column "DataSource" varchar(3);
update front.lic_data_error e set "DataSource" = d."DataSource"
  from front.lic_data d
  where d."CertificateSourceId" = e."CertificateSourceId" and d."Cd_time" = e.cd_time and d."Cd_batch" = e.cd_batch;
update front.lic_data_error set "DataSource" = '1' || substr("CertificateAreaCode", 1, 2) where "DataSource" is null;
alter table front.lic_data_error alter column "DataSource" set not null;
`;
