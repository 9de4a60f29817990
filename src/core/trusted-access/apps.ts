import { randomBytes } from 'node:crypto';
import { hashSecret, verifySecret } from '../../crypto/password.js';
import { generateSm2KeyPair, sm2PrivateKeyPem, sm2Verify, SM2_DEFAULT_USER_ID } from '../../crypto/sm2.js';
import { sm3, sm3Hex } from '../../crypto/sm3.js';
import { issuedCertificate } from '../../crypto/x509.js';
import { isValidCreditCode } from '../../domain/holder-code.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import type { TrustedApp, TrustedAppRepo } from '../../store/trusted-apps.js';
import type { NodeKeys } from '../node-keys.js';
import { TrustError } from './problems.js';

/** What an app gets back from registration: its certificate and, once, the private key the platform made for it. */
export interface AppRegistration {
  appId: string;
  corpName: string;
  corpCode: string;
  certificatePem: string;
  privateKeyPem: string;
  publicKeyHex: string;
  validTo: string;
}

/** The parts of a signed app request (see `signingString`). */
export interface SignedRequest {
  appId?: string;
  timestamp?: string;
  nonce?: string;
  signature?: string;
  method: string;
  /** Path and query as sent. */
  path: string;
  body: Buffer;
}

/** How long an application certificate is valid; the app registers again for a new one. */
const CERTIFICATE_DAYS = 365;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * The string an app signs for every request after registration, with the private key of its
 * application certificate (SM2, SM3, user ID 1234567812345678), the signature sent base64 of DER:
 *
 *   YRD-SM2-SM3 \n METHOD \n path?query \n timestamp (epoch ms) \n nonce \n hex(SM3(body bytes))
 */
export function signingString(method: string, path: string, timestamp: string, nonce: string, body: Uint8Array): string {
  return ['YRD-SM2-SM3', method.toUpperCase(), path, timestamp, nonce, sm3Hex(body)].join('\n');
}

/**
 * Trusted apps (可信应用, seed 004 5.2): "an unregistered client app is not trusted". An operator
 * allocates an appID and appSecret; the app registers (table 8), binding its organisation, and the
 * platform issues it an application certificate signed by the node key; from then on every request
 * the app makes is signed with that certificate's key.
 */
export class TrustedApps {
  constructor(
    private readonly repo: TrustedAppRepo,
    private readonly nodeKeys: NodeKeys,
    private readonly skewSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async add(name: string): Promise<{ appId: string; appSecret: string; name: string }> {
    const clean = name?.trim() ?? '';
    if (!clean || clean.length > 256) throw new Error('name: 1-256 characters');
    const appId = `YRDAPP${randomBytes(8).toString('hex').toUpperCase()}`;
    const appSecret = randomBytes(24).toString('base64url');
    await this.repo.insert(appId, clean, await hashSecret(appSecret));
    return { appId, appSecret, name: clean };
  }

  list(): Promise<TrustedApp[]> {
    return this.repo.list();
  }

  /**
   * Disables an app (a leaked key, a contract ended): its requests are refused from the next one on
   * (code 33, 应用已停用), the tokens it holds with them. Enabling lets it in again. Undefined when
   * there is no such app.
   */
  async setDisabled(appId: string, disabled: boolean): Promise<TrustedApp | undefined> {
    if (!(await this.repo.setDisabled(appId, disabled))) return undefined;
    const found = await this.repo.get(appId);
    if (!found) return undefined;
    const { secretHash: _, ...app } = found;
    return app;
  }

  /** Table 8. A later registration of the same app (same organisation) replaces its key pair and certificate. */
  async register(input: { appId?: string; appSecret?: string; corpName?: string; corpCode?: string }): Promise<AppRegistration> {
    const missing = (['appId', 'appSecret', 'corpName', 'corpCode'] as const).filter((k) => !input[k]?.trim());
    if (missing.length > 0) throw new ServiceError(ReturnCode.RequiredMissing, undefined, missing);
    const corpCode = input.corpCode!.trim();
    const corpName = input.corpName!.trim();
    if (!isValidCreditCode(corpCode)) throw new ServiceError(ReturnCode.BadHolderCodeType, 'not a unified social credit code with a valid check character (GB 32100)', ['corpCode']);
    if ([...corpName].length > 256) throw new ServiceError(ReturnCode.Unparseable, 'at most 256 characters', ['corpName']);
    const app = await this.repo.get(input.appId!.trim());
    if (!app) throw new TrustError('app-unknown', 'no such appID');
    if (!(await verifySecret(input.appSecret!, app.secretHash))) throw new TrustError('app-secret', 'appSecret does not match the appID');
    if (app.disabled) throw new TrustError('app-disabled', 'the app is disabled');
    if (app.corpCode && app.corpCode !== corpCode) throw new TrustError('corp-mismatch', `the app is registered to ${app.corpCode}`, ['corpCode']);
    const pair = generateSm2KeyPair();
    const from = new Date(this.now());
    const until = new Date(from.getTime() + CERTIFICATE_DAYS * 86_400_000);
    const signer = this.nodeKeys.signingMaterial();
    const cert = issuedCertificate({
      commonName: app.appId, organization: corpName, publicKeyHex: pair.publicKey, notBefore: from, notAfter: until,
      keyId: sm3(Buffer.from(pair.publicKey, 'hex')).subarray(0, 20),
    }, { commonName: `zhengzhao node ${signer.kid}`, organization: 'zhengzhao', privateKeyHex: signer.privateKey });
    await this.repo.register(app.appId, corpName, corpCode, pair.publicKey, cert.pem);
    return {
      appId: app.appId, corpName, corpCode, certificatePem: cert.pem, privateKeyPem: sm2PrivateKeyPem(pair.privateKey),
      publicKeyHex: pair.publicKey, validTo: until.toISOString(),
    };
  }

  /**
   * The app behind a signed request, or a refusal saying what is wrong: unknown app, disabled,
   * unregistered, timestamp outside the window, signature not by its certificate key, or a nonce
   * it used before (recorded only once the signature holds, so no one else can spend an app's nonces).
   */
  async authenticate(r: SignedRequest): Promise<TrustedApp & { corpCode: string }> {
    const absent = (['appId', 'timestamp', 'nonce', 'signature'] as const).filter((k) => !r[k]);
    if (absent.length > 0) throw new TrustError('request-unsigned', `missing ${absent.join(', ')}`);
    const app = await this.repo.get(r.appId!);
    if (!app) throw new TrustError('app-unknown', 'no such appID');
    if (app.disabled) throw new TrustError('app-disabled', 'the app is disabled');
    if (!app.publicKey || !app.corpCode) throw new TrustError('app-unregistered', 'the app has not registered (table 8)');
    if (!/^\d{1,16}$/.test(r.timestamp!)) throw new TrustError('request-stale', 'the timestamp must be epoch milliseconds');
    if (Math.abs(Number(r.timestamp) - this.now()) > this.skewSeconds * 1000) {
      throw new TrustError('request-stale', `the timestamp is more than ${this.skewSeconds} s from the node's clock`);
    }
    if (!NONCE.test(r.nonce!)) throw new TrustError('request-unsigned', 'the nonce must be 16-64 characters of A-Z a-z 0-9 _ -');
    const signature = /^[A-Za-z0-9+/]+={0,2}$/.test(r.signature!) ? Buffer.from(r.signature!, 'base64') : Buffer.alloc(0);
    const text = signingString(r.method, r.path, r.timestamp!, r.nonce!, r.body);
    if (!sm2Verify(Buffer.from(text, 'utf8'), signature, app.publicKey, SM2_DEFAULT_USER_ID)) {
      throw new TrustError('request-signature', 'the signature is not by the app certificate key over this request');
    }
    if (!(await this.repo.useNonce(app.appId, r.nonce!, this.skewSeconds * 2))) throw new TrustError('request-replayed', 'this nonce was used before');
    return { ...app, corpCode: app.corpCode };
  }
}
