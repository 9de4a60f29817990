import type { IsoDate } from './dates.js';
import type { LayoutTemplate } from './layout-template.js';

/** The canonical model every dialect maps onto (DESIGN.md). Names here belong to no dialect. */

export type ValueType = 'string' | 'picture';

/**
 * What a field of a certificate type means to the core, when it carries one of the canonical
 * attributes: issuing reads the holder, number and dates out of the submitted fields by role.
 */
export const FIELD_ROLES = ['holderName', 'holderCode', 'holderCodeType', 'number', 'issueDate', 'validFrom', 'validTo', 'areaCode'] as const;
export type FieldRole = typeof FIELD_ROLES[number];

export interface FieldDefinition {
  columnName: string;
  name: string;
  valueType: ValueType;
  required: boolean;
  sensitive: boolean;
  role?: FieldRole;
}

export type TypeStatus = 'draft' | 'published' | 'withdrawn';

export interface CertificateType {
  code: string;
  name: string;
  defineAuthorityName?: string;
  defineAuthorityCode?: string;
  relatedItemName?: string;
  relatedItemCode?: string;
  holderCategory?: string;
  validityRange?: string;
  fields: FieldDefinition[];
  status: TypeStatus;
  isOpen: boolean;
  /** How its files look; the default layout when absent. */
  layout?: LayoutTemplate;
}

export interface SurfaceValue {
  columnName: string;
  name: string;
  valueType: ValueType;
  value: string;
}

export interface DetailValue extends SurfaceValue {
  orderNum: string;
}

export interface DetailGroup {
  group: string;
  values: DetailValue[];
}

/** Stored status; "expired" is not stored but derived from the validity end date. */
export type CertificateStatus = 'draft' | 'issued' | 'suspended' | 'abolished';

export interface Holder {
  name: string;
  code: string;
  /** Appendix B code type, e.g. 111 citizen ID number, 001 unified social credit code. */
  codeType: string;
}

export interface Issuer {
  name: string;
  code: string;
  areaCode?: string;
}

export interface Certificate {
  id: string;
  sourceId?: string;
  typeCode: string;
  typeName: string;
  name: string;
  number: string;
  holder: Holder;
  issuer: Issuer;
  issueDate: IsoDate;
  validFrom?: IsoDate;
  /** Undefined means long-term (长期). */
  validTo?: IsoDate;
  status: CertificateStatus;
  version: number;
  surface: SurfaceValue[];
  detail: DetailGroup[];
  digitalSign?: string;
  signKeyId?: string;
  dataSource?: string;
  /** Lifecycle (issuing side): the certificate this one replaced, and the one that replaced it. */
  predecessorId?: string;
  successorId?: string;
  abolishReason?: string;
  /** Issuing context: the seal and layout group asked for, the service item and division that made it. */
  sealCode?: string;
  licenseGroup?: string;
  itemCode?: string;
  divisionCode?: string;
  /** The calling system (app) that made the certificate, where one did: only it may edit, delete or sign the draft. */
  madeByApp?: string;
}

/** A catalog entry: what retrieval lists, without surface or detail. */
export type CertificateSummary = Omit<Certificate, 'surface' | 'detail'>;

/** Whether a certificate may be used today, and if not, why; expiry is derived, not stored. */
export type Usability = 'usable' | 'abolished' | 'expired' | 'suspended' | 'draft';

/**
 * What a verification reports about a certificate: its usability, and, for one that may be used
 * but whose validity has not begun, `not-yet-valid`. DB3704/T 0042 4.3.4 result 1 (信息正确且未激活)
 * and 4.3.5 result 3 (证照未激活) name both that and a draft.
 */
export type VerifiedState = Usability | 'not-yet-valid';

export function verifiedState(c: Pick<Certificate, 'status' | 'validFrom' | 'validTo'>, today: IsoDate): VerifiedState {
  const u = usability(c, today);
  return u === 'usable' && c.validFrom !== undefined && c.validFrom > today ? 'not-yet-valid' : u;
}

export function usability(c: Pick<Certificate, 'status' | 'validTo'>, today: IsoDate): Usability {
  if (c.status === 'abolished') return 'abolished';
  if (c.status === 'draft') return 'draft';
  if (c.status === 'suspended') return 'suspended';
  if (c.validTo !== undefined && c.validTo < today) return 'expired';
  return 'usable';
}
