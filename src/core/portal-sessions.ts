import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.js';
import { sm3 } from '../crypto/sm3.js';
import type { Db } from '../store/db.js';
import type { AuthenticatedHolder, HolderIdentity } from './holder-identity.js';
import { HolderAuthError } from './holder-identity.js';

/** A signed-in holder's session as a request sees it. */
export interface PortalSession { holder: AuthenticatedHolder; csrf: string }

const LOGIN_TTL_SECONDS = 600;
const SESSION_TTL_SECONDS = 8 * 3600;

/**
 * Holders' sessions of the portal (seed 002 5.4.4: kept only as the SM3 of a random cookie value,
 * ended after the idle time and at logout, the holder sealed at rest), and the sign-ins under way
 * between the redirect to the identity provider and the return. Rows, not memory: any process on
 * the database serves any request.
 */
export class PortalSessions {
  constructor(private readonly db: Db, private readonly keys: Keyring, private readonly identity: HolderIdentity, private readonly idleSeconds: number) {}

  /** Starts a sign-in: the provider URL to send the browser to. */
  async begin(): Promise<string> {
    const p = await this.identity.beginLogin();
    await this.db.query(`delete from portal_logins where created_at < now() - make_interval(secs => $1)`, [LOGIN_TTL_SECONDS]);
    await this.db.query('insert into portal_logins (state, nonce, code_verifier) values ($1, $2, $3)', [p.state, p.nonce, p.codeVerifier]);
    return p.url;
  }

  /** The provider sent the browser back: the sign-in is used up (once), the holder authenticated, a session made. Returns the cookie value. */
  async finish(callbackUrl: URL): Promise<string> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    const rows = await this.db.query<{ nonce: string; code_verifier: string }>(
      `delete from portal_logins where state = $1 and created_at > now() - make_interval(secs => $2) returning nonce, code_verifier`, [state, LOGIN_TTL_SECONDS]);
    if (!rows[0]) throw new HolderAuthError('bad-login', 'the sign-in is unknown or too old; start again');
    const holder = await this.identity.finishLogin(callbackUrl, { state, nonce: rows[0].nonce, codeVerifier: rows[0].code_verifier });
    const cookie = randomBytes(32).toString('base64url');
    await this.db.query(
      `insert into portal_sessions (id_hash, holder, csrf, expires_at) values ($1, $2, $3, now() + make_interval(secs => $4))`,
      [sm3(Buffer.from(cookie)), this.keys.sealJson(holder, 'portal-session'), randomBytes(24).toString('base64url'), SESSION_TTL_SECONDS]);
    return cookie;
  }

  /** The session a cookie names, touched; undefined when there is none, it ended, or it sat idle too long (then it is removed). */
  async get(cookie: string | undefined): Promise<PortalSession | undefined> {
    if (!cookie || cookie.length > 100) return undefined;
    const id = sm3(Buffer.from(cookie));
    const rows = await this.db.query<{ holder: Uint8Array; csrf: string }>(
      `update portal_sessions set last_seen = now() where id_hash = $1 and expires_at > now() and last_seen > now() - make_interval(secs => $2)
       returning holder, csrf`, [id, this.idleSeconds]);
    if (!rows[0]) {
      await this.db.query('delete from portal_sessions where id_hash = $1', [id]);
      return undefined;
    }
    return { holder: this.keys.openJson<AuthenticatedHolder>(rows[0].holder, 'portal-session'), csrf: rows[0].csrf };
  }

  async end(cookie: string | undefined): Promise<void> {
    if (cookie && cookie.length <= 100) await this.db.query('delete from portal_sessions where id_hash = $1', [sm3(Buffer.from(cookie))]);
  }

  /** Whether a request's CSRF header matches its session's token (compared in constant time). */
  static csrfHolds(session: PortalSession, header: string | undefined): boolean {
    if (!header) return false;
    const a = Buffer.from(session.csrf);
    const b = Buffer.from(header);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
