import type { Services } from '../../core/services.js';
import type { CertificateSummary } from '../../domain/model.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { HopError } from '../../federation/hop-channel.js';
import type { YrdCallMeta } from './contract.js';
import { summaryFromItem } from './mapping.js';

/**
 * Table 1 over the direct channel (seed 004 flow f/g): the request, as this node's app presented it
 * (its trusted token and scene travel on, each province checks them again), sent to every province
 * of the region in SM2 envelopes; their answers merged. A province with nothing answers 10, which is
 * no failure; when every province failed, the first failure is the answer (no answer at all: 1).
 */
export function directRetrieval(s: Services, body: Readonly<Record<string, unknown>>, meta: YrdCallMeta): () => Promise<CertificateSummary[]> {
  return async () => {
    const peers = await s.peers.list();
    const outcomes = await Promise.allSettled(peers.map((p) => s.peerClient.call(p.areaCode, 'Retrieval', body, { correlationId: meta.correlationId })));
    const found: CertificateSummary[] = [];
    let failure: ServiceError | undefined;
    let answered = false;
    for (const o of outcomes) {
      if (o.status === 'fulfilled') {
        answered = true;
        const list = typeof o.value.dataList === 'string' ? (JSON.parse(o.value.dataList) as unknown[]) : [];
        for (const item of list) {
          const c = summaryFromItem(item);
          if (c) found.push(c);
        }
      } else if (o.reason instanceof ServiceError && o.reason.code === ReturnCode.NotFound) {
        answered = true;
      } else {
        failure ??= o.reason instanceof ServiceError ? o.reason
          : new ServiceError(ReturnCode.ThirdPartyTimeout, o.reason instanceof HopError ? o.reason.message : 'the province did not answer');
      }
    }
    if (found.length === 0 && !answered && failure) throw failure;
    return found;
  };
}
