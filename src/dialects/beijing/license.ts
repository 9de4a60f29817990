import type { Certificate } from '../../domain/model.js';
import type { Authorship } from '../../store/certificates.js';
import { cstDate } from '../../domain/dates.js';
import { timestamp } from './envelope.js';

/**
 * A certificate as Beijing's License (G.1-G.3, H.1): `data_fields` holding the type's own fields by
 * column name (as `create` takes them) beside the catalog attributes the examples show, the record's
 * authorship among them (`creator`, `creation_time`, `last_modificator`, `last_modification_time`;
 * the examples write the times as dates, `2020-12-1`, which we zero-pad as their `issue_date` is).
 */
export function license(c: Certificate, a?: Authorship) {
  const fields: Record<string, string> = {};
  for (const s of c.surface) fields[s.columnName] = s.value;
  return {
    data_fields: {
      ...fields,
      license_code: c.id,
      name: c.typeName,
      license_item_code: c.typeCode,
      id_code: c.number,
      holder_name: c.holder.name,
      holder_identity_number: c.holder.code,
      issue_org_name: c.issuer.name,
      issue_org_code: c.issuer.code,
      issue_date: c.issueDate,
      expiry_date: c.validTo ?? '',
      status: c.status === 'issued' ? 'ISSUED' : c.status.toUpperCase(),
      version: String(c.version),
      ...(a ? {
        creator: a.creator, creation_time: cstDate(a.createdAt), last_modificator: a.modifier, last_modification_time: cstDate(a.modifiedAt),
      } : {}),
    },
  };
}

/** `yyyy-MM-dd HH:mm:ss.SSS` (table 15) or, for the mobile token (table 19), without milliseconds. */
export function expiry(epochSeconds: number, millis = true): string {
  const t = timestamp(new Date(epochSeconds * 1000));
  return millis ? t : t.slice(0, 19);
}
