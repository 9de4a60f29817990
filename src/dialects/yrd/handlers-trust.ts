import type { Services } from '../../core/services.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { allowsOperation } from '../../core/trusted-access/permission.js';
import { TrustError } from '../../core/trusted-access/problems.js';
import type { YrdHandler } from './contract.js';
import { text } from './params.js';
import { appOnly, bearerOf } from './caller.js';

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
    IssueTrustedToken: async (body, caller) => {
      appOnly(caller);
      const t = await s.trustedAccess.issueToken(caller.appId, {
        transactionId: text(body, 'transactionId'), authType: text(body, 'authType'), name: text(body, 'name'), idType: text(body, 'idType'),
        idNo: text(body, 'idNo'), serviceCode: text(body, 'qrCode'), location: text(body, 'location', 256), permission: text(body, 'permission'),
      });
      return { trustedToken: t.token, tokenId: t.tokenId, permission: t.permission, expireTime: new Date(t.expiresAt * 1000).toISOString() };
    },
    // The holder's service code, for the holder's app presenting a token for that holder with the `code` operation.
    IssueServiceCode: async (body, caller) => {
      appOnly(caller);
      const grant = await s.trustedAccess.verifyToken(text(body, 'trustedToken', 8192) ?? '');
      s.trustedAccess.checkBearer(grant, bearerOf(caller));
      if (!allowsOperation(grant.permission, 'code')) throw new TrustError('permission-operation', 'the token does not permit code', ['trustedToken']);
      const c = s.trustedAccess.issueServiceCode(grant);
      return { qrcode: c.qrcode, expireTime: new Date(c.expiresAt * 1000).toISOString() };
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
