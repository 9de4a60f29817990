/**
 * Personal data at rest, sealed (issue 15): an operator's ID number and a batch's pending input
 * (holder names and ID numbers until the batch has made the drafts) are kept SM4-sealed under the
 * node's data key. The plaintext columns stay for rows written before: the node seals what it finds
 * there on start (OperatorRepo.sealPlainIdentities) and reads either.
 */
export const sql = `
alter table operators add column identity_sealed bytea;
alter table batch_job_items add column input_sealed bytea;
alter table batch_jobs add column request_sealed bytea;
alter table batch_jobs alter column request drop not null;
`;
