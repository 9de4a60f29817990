/**
 * Imports and the hub's aggregation become certificate lifecycle events, so they are leaves of the
 * transparency log like every other lifecycle write (issue 19): `import` for a certificate a bulk
 * import brought, `catalog-insert` / `catalog-update` / `catalog-delete` for a lic_data row's
 * I/U/D the hub's aggregator applied to its catalog.
 */
export const sql = `
alter table certificate_events drop constraint certificate_events_action_check;
alter table certificate_events add constraint certificate_events_action_check
  check (action in ('create', 'update', 'delete', 'sign', 'change', 'abolish', 'suspend', 'resume',
                    'import', 'catalog-insert', 'catalog-update', 'catalog-delete'));
`;
