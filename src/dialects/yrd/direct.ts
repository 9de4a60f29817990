import type { Services } from '../../node/services.js';
import type { Certificate, CertificateSummary } from '../../domain/model.js';
import type { FileLink } from '../../core/sharing.js';
import { withinArea } from '../../domain/regions.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { HopError } from '../../federation/hop-channel.js';
import type { YrdCallMeta } from './contract.js';
import type { Decoded, HolderInfo } from '../../core/trusted-access/holder-sharing.js';
import type { VouchedHolder } from '../../core/trusted-access/access.js';
import { infoFromItem, summaryFromItem } from './mapping.js';
import type { FileVerdict } from '../../core/file-verification.js';
import { FILE_OUTCOME_TEXT, type FileOutcome } from '../../domain/file-outcome.js';
import { parseCertificateId } from '../../domain/identifier.js';

/**
 * Table 1 over the direct channel (seed 004 flow f/g): the request, as this node's app presented it
 * (its trusted token and scene travel on, each province checks them again), sent to every province
 * of the region in SM2 envelopes; their answers merged. A province with nothing answers 10, which is
 * no failure; when every province failed, the first failure is the answer (no answer at all: 1).
 */
export function directRetrieval(s: Services, body: Readonly<Record<string, unknown>>, meta: YrdCallMeta): () => Promise<CertificateSummary[]> {
  return directByHolder(s, 'Retrieval', body, meta, summaryFromItem);
}

/** Table 3 over the direct channel: each province's download links, its own URLs passed on. */
export function directFilesByHolder(s: Services, body: Readonly<Record<string, unknown>>, meta: YrdCallMeta): () => Promise<FileLink[]> {
  return directByHolder(s, 'FileByHolder', body, meta, linkFromItem);
}

/** Table 5 over the direct channel: each province's certificates with their data. */
export function directDataByHolder(s: Services, body: Readonly<Record<string, unknown>>, meta: YrdCallMeta): () => Promise<Certificate[]> {
  return directByHolder(s, 'InfoByHolder', body, meta, infoFromItem);
}

function directByHolder<T>(s: Services, iface: string, body: Readonly<Record<string, unknown>>, meta: YrdCallMeta, read: (item: unknown) => T | undefined): () => Promise<T[]> {
  return async () => {
    const peers = await s.peers.list();
    const outcomes = await Promise.allSettled(peers.map((p) => callPeer(s, p.areaCode, iface, body, meta)));
    const found: T[] = [];
    let failure: ServiceError | undefined;
    let answered = false;
    for (const o of outcomes) {
      if (o.status === 'fulfilled') {
        answered = true;
        const list = typeof o.value.dataList === 'string' ? (JSON.parse(o.value.dataList) as unknown[]) : [];
        for (const item of list) {
          const t = read(item);
          if (t) found.push(t);
        }
      } else if (o.reason instanceof ServiceError && o.reason.code === ReturnCode.NotFound) {
        answered = true;
      } else {
        failure ??= o.reason instanceof ServiceError ? o.reason : new ServiceError(ReturnCode.Other);
      }
    }
    if (found.length === 0 && !answered && failure) throw failure;
    return found;
  };
}

/** A fileItem another province answered, as a link to pass on (its URL is the owner's own). */
function linkFromItem(x: unknown): FileLink | undefined {
  const certificate = summaryFromItem(x);
  const item = x as { fileUrl?: unknown; fileFormat?: unknown } | undefined;
  if (!certificate || typeof item?.fileUrl !== 'string') return undefined;
  return { certificate, format: String(item.fileFormat).toLowerCase() === 'ofd' ? 'ofd' : 'pdf', token: item.fileUrl.split('/').pop() ?? '', expires: 0, url: item.fileUrl };
}

/** Table 7 over the direct channel: the province that issued a service code decodes it; its answer read back into canonical terms. */
export function directDecode(s: Services, body: Readonly<Record<string, unknown>>, meta: YrdCallMeta): (area: string) => Promise<Decoded> {
  return async (area) => {
    const r = await callPeer(s, area, 'DecodeServiceCode', body, meta);
    const parse = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : undefined);
    const holder = parse(r.userinfo) as HolderInfo | undefined;
    const list = parse(r.certificatelist);
    if (!holder || typeof holder !== 'object' || !Array.isArray(list)) throw new ServiceError(ReturnCode.ThirdPartyTimeout, `the province ${area} answered no userinfo`);
    return { holder, certificates: list.map(summaryFromItem).filter((c): c is CertificateSummary => c !== undefined) };
  };
}

/**
 * Table 9 with a service code of another province: its issuing node (over the direct channel, the
 * code as scanned) says whose it is; its answer read back into canonical terms.
 */
export function directRedeem(s: Services, qrcode: string, meta: YrdCallMeta): (area: string) => Promise<VouchedHolder> {
  return async (area) => {
    const r = await callPeer(s, area, 'RedeemServiceCode', { qrcode }, meta);
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { holderCode: str(r.holderCode) ?? '', holderType: str(r.holderType) ?? '', ...(str(r.holderName) ? { holderName: str(r.holderName) } : {}) };
  };
}

/** The peer province answering for an issuer's area (its registration area in the certificate ID). */
async function peerOf(s: Services, issuerArea: string): Promise<string> {
  const peer = (await s.peers.list()).find((p) => withinArea(p.areaCode, issuerArea));
  if (!peer) throw new ServiceError(ReturnCode.ServiceNotProvided, `no province of this region answers for area ${issuerArea}`);
  return peer.areaCode;
}

/** One call of a peer's interface; no answer at all is 1 (timeout), as for the hub. */
async function callPeer(s: Services, area: string, iface: string, body: Readonly<Record<string, unknown>>, meta: YrdCallMeta): Promise<Record<string, unknown>> {
  try {
    return await s.peerClient.call(area, iface, body, { correlationId: meta.correlationId });
  } catch (err) {
    if (err instanceof ServiceError) throw err;
    throw new ServiceError(ReturnCode.ThirdPartyTimeout, err instanceof HopError ? err.message : `the province ${area} did not answer`);
  }
}

const firstOf = (r: Record<string, unknown>): unknown => (typeof r.dataList === 'string' ? (JSON.parse(r.dataList) as unknown[])[0] : undefined);

/** Table 4 over the direct channel: the certificate's province answers with its data. */
export function directInfo(s: Services, body: Readonly<Record<string, unknown>>, meta: YrdCallMeta): (issuerArea: string) => Promise<Certificate> {
  return async (issuerArea) => {
    const area = await peerOf(s, issuerArea);
    const c = infoFromItem(firstOf(await callPeer(s, area, 'InfoByCertificateID', body, meta)));
    if (!c) throw new ServiceError(ReturnCode.ThirdPartyTimeout, `the province ${area} answered no certificate`);
    return c;
  };
}

/** Table 2 over the direct channel: the certificate's province answers with its own download link, passed on unchanged. */
export function directFile(s: Services, body: Readonly<Record<string, unknown>>, meta: YrdCallMeta): (issuerArea: string) => Promise<FileLink> {
  return async (issuerArea) => {
    const area = await peerOf(s, issuerArea);
    const link = linkFromItem(firstOf(await callPeer(s, area, 'FileByCertificateID', body, meta)));
    if (!link) throw new ServiceError(ReturnCode.ThirdPartyTimeout, `the province ${area} answered no file`);
    return link;
  };
}

/**
 * Table 6 over the direct channel: the province that issued the certificate a file names checks
 * the file (it holds the certificate and trusts its own signers); its verdict read back from
 * result and message, with the certificate its identifier names.
 */
export function directVerifyFile(s: Services, body: Readonly<Record<string, unknown>>, meta: YrdCallMeta): (issuerArea: string) => Promise<FileVerdict> {
  return async (issuerArea) => {
    const area = await peerOf(s, issuerArea);
    const r = await callPeer(s, area, 'VerifyFile', body, meta);
    const outcome = (Object.entries(FILE_OUTCOME_TEXT) as [FileOutcome, string][]).find(([, text]) => text === r.message)?.[0];
    if (!outcome || (outcome === 'genuine') !== (Number(r.result) === 1)) throw new ServiceError(ReturnCode.ThirdPartyTimeout, `the province ${area} answered no verdict`);
    const id = typeof r.CertificateID === 'string' ? r.CertificateID : undefined;
    const parsed = id ? parseCertificateId(id) : undefined;
    const certificate: CertificateSummary | undefined = id && parsed?.ok ? {
      id, typeCode: parsed.parts.typeCode, typeName: '', name: '', number: '', holder: { name: '', code: '', codeType: '' },
      issuer: { name: '', code: parsed.parts.issuerCode }, issueDate: '', status: 'issued', version: Number(parsed.parts.version),
    } : undefined;
    return { outcome, problems: [`checked by the province ${area}`], ...(certificate ? { certificate, namedId: id } : {}) };
  };
}
