/**
 * Who may write a certificate (seed 002 5.4.2.1.1 c): a draft remembers the calling system (app)
 * that made it, so that only that app of the issuing organisation edits, deletes or signs it.
 * Drafts made before this column have none and stay open to every app of their organisation.
 */
export const sql = `
alter table certificates add column made_by_app text;
`;
