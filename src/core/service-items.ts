import { isValidCreditCode } from '../domain/holder-code.js';
import type { CertificateTypeRepo } from '../store/certificate-types.js';
import type { ServiceItem, ServiceItemRepo } from '../store/service-items.js';

/**
 * Service items (事项): every issuing write and every use names one. An item belongs to an
 * organisation (the issuer of what it issues) and lists the certificate types it may use.
 */
export class ServiceItemService {
  constructor(private readonly repo: ServiceItemRepo, private readonly types: CertificateTypeRepo) {}

  async add(item: ServiceItem): Promise<ServiceItem> {
    if (!/^[0-9A-Za-z_-]{1,64}$/.test(item.code)) throw new Error('code: 1-64 letters, digits, _ or -');
    if (!item.name.trim() || item.name.length > 256) throw new Error('name: 1-256 characters');
    if (!item.orgName.trim()) throw new Error('organisation name: required');
    if (!isValidCreditCode(item.orgCode)) throw new Error('organisation code: a valid unified social credit code (GB 32100)');
    if (item.areaCode !== undefined && !/^\d{6}$/.test(item.areaCode)) throw new Error('area code: 6 digits (GB/T 2260)');
    for (const t of item.typeCodes) if (!(await this.types.get(t))) throw new Error(`type ${t}: not in the catalog`);
    const clean = { ...item, name: item.name.trim(), orgName: item.orgName.trim(), typeCodes: [...new Set(item.typeCodes)].sort() };
    if (!(await this.repo.insert(clean))) throw new Error(`service item ${item.code} already exists`);
    return clean;
  }

  get(code: string): Promise<ServiceItem | undefined> {
    return this.repo.get(code);
  }

  list(): Promise<ServiceItem[]> {
    return this.repo.list();
  }
}

/**
 * The one rule of which certificate types a service item may use (its catalogue of types): the
 * issuing side (writes under the item), the using side (a holder's use for the item) and the YRD
 * scene check all ask it here, and each refuses in its own error (mapped by its dialect).
 */
export function itemMayUse(item: Pick<ServiceItem, 'typeCodes'>, typeCode: string): boolean {
  return item.typeCodes.includes(typeCode);
}
