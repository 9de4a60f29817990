/** Using certificates on the issuing side (Beijing 6.7-6.8): the case number of each use, and who may see sensitive fields. */
export const sql = `
alter table usage_records add column biz_num text;
alter table operators add column sensitive_access boolean not null default false;
`;
