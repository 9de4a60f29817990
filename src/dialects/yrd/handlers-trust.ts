import type { Services } from '../../node/services.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { allowsOperation } from '../../core/trusted-access/permission.js';
import { TrustError } from '../../core/trusted-access/problems.js';
import type { YrdHandler } from './contract.js';
import { text } from './params.js';
import { appOnly, bearerOf, callContext, peerOnly } from './caller.js';
import { directRedeem } from './direct.js';

/** Trusted access (tables 8, 9) and what the seed implies beside them: service codes and revocation. */
export function trustHandlers(s: Services): Record<string, YrdHandler> {
  return {
    /**
     * Table 8. Authenticated by its own body (appID and appSecret): the app has no certificate yet.
     * Besides code and msg the reply carries the application certificate, its private key (made by
     * the platform, shown once) and the platform key the app encrypts idNo to (table 9).
     */
    RegisterApp: async (body) => {
      const r = await s.trustedApps.register({
        appId: text(body, 'appID'), appSecret: text(body, 'appSecret'), corpName: text(body, 'corpName'), corpCode: text(body, 'corpCode'),
      });
      const platform = s.nodeKeys.fileSigner();
      return {
        appID: r.appId, certificate: r.certificatePem, privateKey: r.privateKeyPem, publicKey: r.publicKeyHex, validTo: r.validTo,
        platformKid: s.nodeKeys.kid, platformPublicKey: platform.publicKeyHex,
      };
    },
    // Table 9; the token, its id (for revocation), its permission and expiry come back beside code and msg.
    // A scanned service code of another province is vouched for by its issuing node over the direct channel.
    IssueTrustedToken: async (body, caller, meta) => {
      appOnly(caller);
      const t = await s.trustedAccess.issueToken(caller.appId, {
        transactionId: text(body, 'transactionId'), authType: text(body, 'authType'), name: text(body, 'name'), idType: text(body, 'idType'),
        idNo: text(body, 'idNo'), serviceCode: text(body, 'qrCode'), location: text(body, 'location', 256), permission: text(body, 'permission'),
      }, directRedeem(s, text(body, 'qrCode') ?? '', meta));
      return { trustedToken: t.token, tokenId: t.tokenId, permission: t.permission, expireTime: new Date(t.expiresAt * 1000).toISOString() };
    },
    /**
     * Seed 004 section 4, the holder authorises: instead of table 9's immediate token the app asks,
     * naming the holder as table 9 does (authType 2 with idNo, or 3 with the service code the holder
     * showed), the scene's item, why (UseFor) and what (permission), and for how long (validSeconds).
     * The holder decides in the portal; the app reads the decision, and the token, by requestId.
     */
    RequestHolderConsent: async (body, caller) => {
      appOnly(caller);
      const r = await s.consents.ask(caller.appId, {
        transactionId: text(body, 'transactionId'), authType: text(body, 'authType'), idType: text(body, 'idType'), idNo: text(body, 'idNo'),
        serviceCode: text(body, 'qrCode'), itemCode: text(body, 'itemCode'), itemName: text(body, 'itemName'), itemOrg: text(body, 'itemOrg'),
        purpose: text(body, 'UseFor'), permission: text(body, 'permission'), validSeconds: text(body, 'validSeconds'),
      });
      return { requestId: r.id, status: r.status, expireTime: r.requestExpires };
    },
    HolderConsentStatus: async (body, caller) => {
      appOnly(caller);
      const id = text(body, 'requestId');
      if (!id) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['requestId']);
      const r = await s.consents.status(caller.appId, id);
      return {
        requestId: r.id, status: r.status, ...(r.trustedToken ? { trustedToken: r.trustedToken, tokenId: r.tokenId, permission: r.permission } : {}),
        ...(r.tokenExpires ? { expireTime: r.tokenExpires } : {}),
      };
    },
    // The holder's service code, for the holder's app presenting a token for that holder with the `code` operation.
    IssueServiceCode: async (body, caller) => {
      appOnly(caller);
      const grant = await s.trustedAccess.verifyToken(text(body, 'trustedToken', 8192) ?? '');
      s.trustedAccess.checkBearer(grant, bearerOf(caller));
      if (!allowsOperation(grant.permission, 'code')) throw new TrustError('permission-operation', 'the token does not permit code', ['trustedToken']);
      const c = s.trustedAccess.issueServiceCode(grant);
      return { qrcode: c.serviceCode, expireTime: new Date(c.expiresAt * 1000).toISOString() };
    },
    // Peer face only: another province's node asks whose this node's service code is (table 9, authType 3 there).
    RedeemServiceCode: async (body, caller, meta) => {
      peerOnly(caller);
      const v = await s.trustedSharing.vouchForCode(callContext('RedeemServiceCode', caller, meta), text(body, 'qrcode', 1024) ?? '');
      return { holderCode: v.holderCode, holderType: v.holderType, ...(v.holderName ? { holderName: v.holderName } : {}) };
    },
    // The app that got a token revokes it (by tokenId, or by the token itself).
    RevokeTrustedToken: async (body, caller) => {
      appOnly(caller);
      let id = text(body, 'tokenId');
      const token = text(body, 'trustedToken', 8192);
      if (!id && token) id = (await s.trustedAccess.verifyToken(token)).tokenId;
      if (!id) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['tokenId']);
      await s.trustedAccess.revoke(id, caller.appId);
      return { tokenId: id, revoked: true };
    },
  };
}
