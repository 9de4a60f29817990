/** A certificate type may carry the layout template of its files (版式模板); null means the default layout. */
export const sql = `
alter table certificate_types add column layout jsonb;
`;
