import type { Certificate } from '../domain/model.js';
import { withinArea } from '../domain/regions.js';
import type { ServiceItem } from '../store/service-items.js';

/**
 * Who a lifecycle write comes from, as the session authenticated it (never as the request describes
 * its operator): the calling system (app) the session was opened through, and the logged-in
 * operator's division where the operator has one.
 */
export interface WriteCaller {
  app: string;
  divisionCode?: string;
}

/** Why a caller may not write a certificate; each dialect words it in its own codes. */
export type AuthorityProblem = 'not-issuer' | 'not-maker' | 'outside-division';

/** Whether an organisation (its unified social credit code) is the one that issued a certificate. */
export function issuedBy(orgCode: string | undefined, cert: Pick<Certificate, 'issuer'>): boolean {
  return !!orgCode && cert.issuer.code === orgCode;
}

/**
 * Who may change a certificate (seed 002 5.4.2.1.1 c: a user performs only the operations its
 * rights allow). A certificate is written only by its issuing organisation, the issuer code it
 * carries, through a service item of that organisation; a draft only by the organisation and the
 * app that made it (drafts made before the app was recorded: by any app of the organisation); an
 * operator with a division acts only on certificates whose issuing area lies inside it.
 *
 * @example
 * authorityProblem({ app: 'app_1', divisionCode: '110105' }, item, certificate) // 'not-issuer' for a Chengdu certificate
 */
export function authorityProblem(
  caller: WriteCaller | undefined,
  item: Pick<ServiceItem, 'orgCode'>,
  cert: Pick<Certificate, 'status' | 'issuer' | 'madeByApp'>,
): AuthorityProblem | undefined {
  if (!issuedBy(item.orgCode, cert)) return 'not-issuer';
  if (cert.status === 'draft' && cert.madeByApp !== undefined && cert.madeByApp !== caller?.app) return 'not-maker';
  const division = caller?.divisionCode;
  if (division && !withinArea(division, areaOf(cert.issuer))) return 'outside-division';
  return undefined;
}

/** Whether an operator's division holds a service item's organisation (checked before any work). */
export function itemOutsideDivision(caller: WriteCaller | undefined, item: Pick<ServiceItem, 'orgCode' | 'areaCode'>): boolean {
  const division = caller?.divisionCode;
  return !!division && !withinArea(division, areaOf({ code: item.orgCode, areaCode: item.areaCode }));
}

/**
 * The area a certificate is issued in: the area it names, else the registration area its issuer's
 * unified social credit code carries (GB 32100: characters 3-8).
 */
function areaOf(issuer: { code: string; areaCode?: string }): string {
  return issuer.areaCode ?? issuer.code.slice(2, 8);
}
