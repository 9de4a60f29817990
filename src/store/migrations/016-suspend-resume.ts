/**
 * Suspension (暂时失效, 受限使用) as a lifecycle action of its own: the node's operator suspends an
 * issued certificate and resumes it, on behalf of the issuing organisation, and each is an event of
 * the certificate's audit trail like an abolition. Such administrative actions go through no
 * service item, so an event's item code and name may be absent (016; another branch may also
 * number a migration 016: renumber on merge).
 */
export const sql = `
alter table certificate_events drop constraint certificate_events_action_check;
alter table certificate_events add constraint certificate_events_action_check
  check (action in ('create', 'update', 'delete', 'sign', 'change', 'abolish', 'suspend', 'resume'));
alter table certificate_events alter column item_code drop not null;
alter table certificate_events alter column item_name drop not null;
`;
