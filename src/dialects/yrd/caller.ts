import { ReachCall } from '../../core/reach/call.js';
import type { CallContext } from '../../core/usage.js';
import type { TokenBearer } from '../../core/trusted-access/access.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import type { YrdCaller, YrdCallMeta } from './contract.js';

/** What the use record says about the caller and the channel. */
export function callContext(name: string, caller: YrdCaller, meta: YrdCallMeta): CallContext {
  meta.call ??= new ReachCall();
  return {
    dialect: 'yrd', interface: name, clientIp: meta.clientIp, correlationId: meta.correlationId, call: meta.call,
    accountId: caller.kind === 'app' ? caller.appId : `peer:${caller.area}`,
    context: { path: meta.path, ...(caller.kind === 'app' ? { corpCode: caller.corpCode } : { area: caller.area }) },
  };
}

/** Who presents a trusted token, in the core's terms. */
export const bearerOf = (caller: YrdCaller): TokenBearer => (caller.kind === 'app' ? { appId: caller.appId } : { area: caller.area });

/** Interfaces of this node's own apps: a peer has no business with them. */
export function appOnly(caller: YrdCaller): asserts caller is Extract<YrdCaller, { kind: 'app' }> {
  if (caller.kind !== 'app') throw new ServiceError(ReturnCode.ServiceNotProvided, 'only for this node\'s trusted apps');
}

/** Interfaces only another province's node calls over the direct channel. */
export function peerOnly(caller: YrdCaller): asserts caller is Extract<YrdCaller, { kind: 'peer' }> {
  if (caller.kind !== 'peer') throw new ServiceError(ReturnCode.ServiceNotProvided, 'only for another province\'s node over the direct channel');
}
