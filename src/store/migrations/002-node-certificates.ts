/** The node key's self-issued X.509 certificate, published beside the key. */
export const sql = `
alter table node_keys add column certificate text;
`;
