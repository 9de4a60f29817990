import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { isValidCitizenId } from '../domain/holder-code.js';

/** Why a holder could not be authenticated; each dialect or face says it in its own words. */

/** The OpenID Connect provider that authenticates holders, as the node's configuration gives it. */
export interface OidcSettings {
  /** The provider's issuer URL (its discovery document is at <issuer>/.well-known/openid-configuration). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where the provider sends the holder back after signing in (default <public URL>/portal/api/callback). */
  redirectUri?: string;
  /** The userinfo claim that carries the holder's identity number (GB 11643). */
  idClaim: string;
}

export class HolderAuthError extends Error {
  constructor(readonly problem: 'not-configured' | 'bad-credential' | 'no-identity' | 'provider-unreachable' | 'bad-login', detail: string) {
    super(detail);
  }
}

/** A person as the identity provider vouches for them. */
export interface AuthenticatedHolder { subject: string; code: string; type: '111'; name?: string }

/** What the portal keeps between sending the holder to the provider and their return. */
export interface PendingLogin { state: string; nonce: string; codeVerifier: string; url: string }

/**
 * The node as an OpenID Connect relying party (openid-client): holders are authenticated by the
 * provider the node is configured with (seed 002 5.4.2.1 b: 用户通过实名核验后，才可查看), never by a
 * number they type. Two ways in: a browser's authorization code flow with PKCE (the portal), and an
 * access token the region's unified identity system got for the holder (Beijing psn_holder's
 * `credential`), which the provider's userinfo endpoint vouches for. The identity number is read
 * from a configured claim and must be a valid GB 11643 number.
 */
export class HolderIdentity {
  private config?: Promise<oidc.Configuration>;
  private jwks?: ReturnType<typeof createRemoteJWKSet>;

  /** The node's base URL as it listens (set once it does): the portal's callback is under it unless configured. */
  baseUrl: string;

  constructor(private settings: OidcSettings | undefined, baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  get configured(): boolean {
    return this.settings !== undefined;
  }

  /** Points the node at a provider (the demo's, once it listens). */
  configure(settings: OidcSettings): void {
    this.settings = settings;
    this.config = undefined;
    this.jwks = undefined;
  }

  /** Step 1 of the code flow: where to send the browser, and what to keep until it returns. */
  async beginLogin(): Promise<PendingLogin> {
    const config = await this.discovered();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirect(), scope: 'openid profile idcard', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    });
    return { state, nonce, codeVerifier, url: url.href };
  }

  /**
   * Step 2: the code exchanged (PKCE verifier, state and nonce checked by openid-client), the ID
   * token's signature checked against the provider's published keys (jose), then the person read
   * from userinfo for the same subject.
   */
  async finishLogin(callbackUrl: URL, pending: Omit<PendingLogin, 'url'>): Promise<AuthenticatedHolder> {
    const config = await this.discovered();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true,
      });
    } catch (err) {
      throw new HolderAuthError('bad-login', (err as Error).message);
    }
    const s = this.need();
    const meta = config.serverMetadata();
    this.jwks ??= createRemoteJWKSet(new URL(meta.jwks_uri!));
    try {
      await jwtVerify(tokens.id_token!, this.jwks, { issuer: meta.issuer, audience: s.clientId });
    } catch (err) {
      throw new HolderAuthError('bad-login', `ID token: ${(err as Error).message}`);
    }
    return this.holderFrom(config, tokens.access_token, tokens.claims()!.sub);
  }

  /** A holder's access token from the provider (Beijing psn_holder `credential`): the provider says whose it is. */
  async holderOfAccessToken(accessToken: string): Promise<AuthenticatedHolder> {
    return this.holderFrom(await this.discovered(), accessToken, oidc.skipSubjectCheck);
  }

  private async holderFrom(config: oidc.Configuration, accessToken: string, subject: string | typeof oidc.skipSubjectCheck): Promise<AuthenticatedHolder> {
    let info: oidc.UserInfoResponse;
    try {
      info = await oidc.fetchUserInfo(config, accessToken, subject);
    } catch (err) {
      const e = err as Error & { status?: number; code?: string };
      if (e instanceof TypeError || e.code === 'ECONNREFUSED') throw new HolderAuthError('provider-unreachable', e.message);
      throw new HolderAuthError('bad-credential', 'the identity provider does not accept the credential');
    }
    const code = info[this.need().idClaim];
    if (typeof code !== 'string' || !isValidCitizenId(code)) throw new HolderAuthError('no-identity', `the provider's answer has no valid ${this.need().idClaim}`);
    return { subject: info.sub, code: code.toUpperCase(), type: '111', ...(typeof info.name === 'string' ? { name: info.name } : {}) };
  }

  private need(): OidcSettings {
    if (!this.settings) throw new HolderAuthError('not-configured', 'no identity provider is configured (ZHENGZHAO_OIDC_ISSUER)');
    return this.settings;
  }

  private redirect(): string {
    return this.need().redirectUri ?? `${this.baseUrl.replace(/\/+$/, '')}/portal/api/callback`;
  }

  private discovered(): Promise<oidc.Configuration> {
    const s = this.need();
    if (!this.config) {
      const insecure = s.issuer.startsWith('http:');
      this.config = oidc.discovery(new URL(s.issuer), s.clientId, s.clientSecret, undefined, insecure ? { execute: [oidc.allowInsecureRequests] } : {});
      // A failed discovery is tried again on the next call, not remembered.
      this.config.catch(() => { this.config = undefined; });
    }
    return this.config.catch((err: Error) => {
      throw new HolderAuthError('provider-unreachable', `the identity provider ${s.issuer} cannot be reached: ${err.message}`);
    });
  }
}
