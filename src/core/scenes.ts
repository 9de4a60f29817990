import { ReturnCode, ServiceError } from '../domain/return-codes.js';
import type { ServiceItem, ServiceItemRepo } from '../store/service-items.js';
import type { CallContext } from './usage.js';
import { TrustError } from './trusted-access/problems.js';
import { itemMayUse } from './service-items.js';

/**
 * The scene of a use (用证场景, seed 004 5.4): which service item, handled by which organisation and
 * operator, for which case, and why. "The called province checks the relation between the scene and
 * the certificate catalog before it hands out certificate data": an item may use only the types it
 * lists (service-items.ts), and an item this node does not know is refused.
 */
export interface Scene {
  itemCode?: string;
  itemName?: string;
  itemOrg?: string;
  operator?: string;
  bizNum?: string;
  reason?: string;
}

const REQUIRED = ['reason', 'itemName', 'itemCode', 'itemOrg', 'operator', 'bizNum'] as const;
const MAX = 256;

/** Every scene field is required (tables 1-7); 12 names the missing ones, 24 the overlong. */
export function checkScene(s: Scene): void {
  const missing = REQUIRED.filter((k) => !s[k]?.trim());
  if (missing.length > 0) throw new ServiceError(ReturnCode.RequiredMissing, undefined, missing);
  const long = REQUIRED.filter((k) => k !== 'reason' && [...s[k]!].length > MAX);
  if (long.length > 0) throw new ServiceError(ReturnCode.Unparseable, `at most ${MAX} characters`, long);
}

/** The scene as the use record keeps it: item, operator, case and reason in their columns, the organisation in the context. */
export function sceneContext(base: CallContext, s: Scene): CallContext {
  return {
    ...base, itemCode: s.itemCode?.trim(), itemName: s.itemName?.trim(), operator: s.operator?.trim(), bizNum: s.bizNum?.trim(), reason: s.reason?.trim(),
    context: { ...base.context, ...(s.itemOrg?.trim() ? { itemOrg: s.itemOrg.trim() } : {}) },
  };
}

export class SceneChecks {
  constructor(private readonly items: Pick<ServiceItemRepo, 'get'>) {}

  /**
   * The item the scene names; refused when this node does not know it. The scene's item name and
   * organisation, where given, must be that item's (seed 004 5.4: the called province checks the
   * scene against its catalog): a known code beside another item's name or another organisation
   * names no item known here. The organisation may be given by name or by its unified social
   * credit code.
   */
  async item(s: Scene): Promise<ServiceItem> {
    const code = s.itemCode?.trim();
    // Tables 6 and 7 reach here without checkScene: a scene without an item is incomplete, not an unknown item.
    if (!code) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['itemCode']);
    const item = await this.items.get(code);
    if (!item) throw new TrustError('item-unknown', `service item ${code} is not known here`, ['itemCode']);
    const name = s.itemName?.trim();
    if (name && name !== item.name) throw new TrustError('item-unknown', `service item ${code} is "${item.name}", not "${name}"`, ['itemName']);
    const org = s.itemOrg?.trim();
    if (org && org !== item.orgName && org.toUpperCase() !== item.orgCode.toUpperCase()) {
      throw new TrustError('item-unknown', `service item ${code} is handled by ${item.orgName}, not ${org}`, ['itemOrg']);
    }
    return item;
  }

  /** Refuses a certificate type the item may not use. */
  allow(item: ServiceItem, typeCode: string): void {
    if (!itemMayUse(item, typeCode)) throw new TrustError('item-not-allowed', `service item ${item.code} may not use type ${typeCode}`, ['itemCode']);
  }
}
