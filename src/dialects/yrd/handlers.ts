import type { Services } from '../../node/services.js';
import { publicBase } from '../../node/services.js';
import type { Authorised } from '../../core/trusted-access/holder-sharing.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import type { YrdCaller, YrdCallMeta, YrdHandler, YrdHandlers } from './contract.js';
import { base64Bytes, formatOf, sceneOf, text, type Body } from './params.js';
import { fileItem, infoItem, listOf, summaryItem, useItem } from './mapping.js';
import { yrdFileVerification } from './file-verification.js';
import { trustHandlers } from './handlers-trust.js';
import { appOnly, bearerOf, callContext } from './caller.js';
import { directDataByHolder, directDecode, directFile, directFilesByHolder, directInfo, directRetrieval, directVerifyFile } from './direct.js';

/** The interfaces another province may call over the direct channel: the sharing tables 1-7. */
export const PEER_INTERFACES = [
  'Retrieval', 'FileByCertificateID', 'FileByHolder', 'InfoByCertificateID', 'InfoByHolder', 'VerifyFile', 'DecodeServiceCode',
] as const;

/** What only another province's node calls, over the direct channel: whose a service code of this node is (table 9 with authType 3 there). */
export const PEER_ONLY_INTERFACES = ['RedeemServiceCode'] as const;

/**
 * Every interface of seed 004 as one handler each, by name. Tables 1-7 (PEER_INTERFACES) are what
 * both faces mount; the rest (registration, token, service code, revocation, the holder's view)
 * belong to this node's own apps and refuse a peer.
 *
 * The seed swaps the descriptions of tables 2/3 and 4/5 (6.2.2 describes a download by holder under
 * the title "by certificate ID", 6.2.4 a lookup by holder under "info by certificate ID", and so on):
 * each interface here follows its table's name and parameters, which agree with each other.
 *
 * By CertificateID (tables 2, 4) the request carries the holder's authorisation too, in a
 * `trustedToken` field the tables leave out: 5.2 and flow k) require every retrieval of certificates
 * to be authorised by their holder, and an ID alone would let anyone who learnt it read the file.
 */
export function yrdHandlers(s: Services): YrdHandlers {
  const fileUrl = (meta: YrdCallMeta, token: string) => `${s.cfg.publicUrl?.replace(/\/+$/, '') ?? meta.baseUrl ?? publicBase(s.cfg)}/files/${token}`;
  const authorised = (name: string, body: Body, caller: YrdCaller, meta: YrdCallMeta): Authorised => ({
    ctx: callContext(name, caller, meta), scene: sceneOf(body), token: text(body, 'trustedToken', 8192) ?? '', bearer: bearerOf(caller),
  });
  const holderSel = (body: Body) => ({ typeName: text(body, 'CertificateType'), number: text(body, 'CertificateNumber') });
  const certificateId = (body: Body) => {
    const id = text(body, 'CertificateID');
    if (!id) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['CertificateID']);
    return id;
  };

  const sharing: Record<(typeof PEER_INTERFACES)[number], YrdHandler> = {
    // Table 1
    // Tables 1-5 and 7 take the direct-channel call the core makes when one of this node's apps asks for what is elsewhere (flow f).
    Retrieval: async (body, caller, meta) => {
      const a = authorised('Retrieval', body, caller, meta);
      const list = await s.trustedSharing.retrieve(a, holderSel(body), directRetrieval(s, body, meta));
      return listOf(list.map(summaryItem));
    },
    // Table 2
    FileByCertificateID: async (body, caller, meta) => {
      const a = authorised('FileByCertificateID', body, caller, meta);
      const l = await s.trustedSharing.fileById(a, certificateId(body), formatOf(body), directFile(s, body, meta));
      return listOf([fileItem(l.certificate, l.format, l.url ?? fileUrl(meta, l.token), l.expires)]);
    },
    // Table 3
    FileByHolder: async (body, caller, meta) => {
      const a = authorised('FileByHolder', body, caller, meta);
      const links = await s.trustedSharing.filesByHolder(a, holderSel(body), formatOf(body), directFilesByHolder(s, body, meta));
      return listOf(links.map((l) => fileItem(l.certificate, l.format, l.url ?? fileUrl(meta, l.token), l.expires)));
    },
    // Table 4
    InfoByCertificateID: async (body, caller, meta) => {
      const a = authorised('InfoByCertificateID', body, caller, meta);
      const c = await s.trustedSharing.dataById(a, certificateId(body), directInfo(s, body, meta));
      return listOf([infoItem(c)]);
    },
    // Table 5
    InfoByHolder: async (body, caller, meta) => {
      const a = authorised('InfoByHolder', body, caller, meta);
      const list = await s.trustedSharing.dataByHolder(a, holderSel(body), directDataByHolder(s, body, meta));
      return listOf(list.map(infoItem));
    },
    // Table 6: result 1/0 as the table says, and why beside it.
    VerifyFile: async (body, caller, meta) => {
      const a = { ctx: callContext('VerifyFile', caller, meta), scene: sceneOf(body), bearer: bearerOf(caller) };
      const entity = text(body, 'fileEntity', Number.MAX_SAFE_INTEGER);
      if (!entity) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['fileEntity']);
      const format = formatOf(body, true);
      const bytes = base64Bytes(entity);
      if (!bytes) throw new ServiceError(ReturnCode.Unparseable, 'is not base64', ['fileEntity']);
      const v = await s.trustedSharing.verifyFile(a, bytes, format, directVerifyFile(s, body, meta));
      return { ...yrdFileVerification(v), ...(v.certificate ? { CertificateID: v.certificate.id } : {}) };
    },
    // Table 7: userinfo and certificatelist, both typed 字符串 by the seed: JSON texts.
    DecodeServiceCode: async (body, caller, meta) => {
      const a = { ctx: callContext('DecodeServiceCode', caller, meta), scene: sceneOf(body), bearer: bearerOf(caller) };
      const r = await s.trustedSharing.decode(a, text(body, 'qrcode', 4096) ?? '', directDecode(s, body, meta));
      return { userinfo: JSON.stringify(r.holder), certificatelist: JSON.stringify(r.certificates.map(summaryItem)) };
    },
  };

  return {
    ...sharing,
    ...trustHandlers(s),
    // The holder's view: who used their certificates, for which item, why, when and by which path.
    HolderUsage: async (body, caller) => {
      appOnly(caller);
      const { uses } = await s.trustedSharing.holderUses(text(body, 'trustedToken', 8192) ?? '', bearerOf(caller), limitOf(body));
      // Each use carries the link to its leaf and inclusion proof in a signed, cosigned checkpoint (issue 19).
      return listOf(uses.map((u) => ({ ...useItem(u), proof: `${publicBase(s.cfg)}${s.leafProofs.usageProofPath(u.id)}` })));
    },
  };
}

function limitOf(body: Body): number {
  const v = text(body, 'limit');
  if (v === undefined) return 200;
  if (!/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > 1000) throw new ServiceError(ReturnCode.Unparseable, '1-1000', ['limit']);
  return Number(v);
}
