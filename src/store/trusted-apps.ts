import type { Queryable } from './db.js';
import { firstUse } from './request-nonces.js';

/** A trusted app (可信应用, seed 004 5.2): allocated by an operator, then registered by itself (table 8). */
export interface TrustedApp {
  appId: string;
  name: string;
  corpName?: string;
  corpCode?: string;
  /** The application certificate's SM2 public key; absent until the app registers. */
  publicKey?: string;
  certificatePem?: string;
  registeredAt?: string;
  disabled: boolean;
  createdAt: string;
}

interface AppRow {
  app_id: string; name: string; secret_hash: string; corp_name: string | null; corp_code: string | null; public_key: string | null;
  certificate: string | null; registered_at: Date | string | null; disabled: boolean; created_at: Date | string;
}

const iso = (v: Date | string) => new Date(v).toISOString();

const toApp = (r: AppRow): TrustedApp => ({
  appId: r.app_id, name: r.name, corpName: r.corp_name ?? undefined, corpCode: r.corp_code ?? undefined,
  publicKey: r.public_key ?? undefined, certificatePem: r.certificate ?? undefined,
  registeredAt: r.registered_at ? iso(r.registered_at) : undefined, disabled: r.disabled, createdAt: iso(r.created_at),
});

export class TrustedAppRepo {
  constructor(private readonly db: Queryable) {}

  async insert(appId: string, name: string, secretHash: string): Promise<void> {
    await this.db.query('insert into trusted_apps (app_id, name, secret_hash) values ($1, $2, $3)', [appId, name, secretHash]);
  }

  async get(appId: string): Promise<(TrustedApp & { secretHash: string }) | undefined> {
    const r = (await this.db.query<AppRow>('select * from trusted_apps where app_id = $1', [appId], 'trusted-app-by-id'))[0];
    return r && { ...toApp(r), secretHash: r.secret_hash };
  }

  async list(): Promise<TrustedApp[]> {
    return (await this.db.query<AppRow>('select * from trusted_apps order by created_at, app_id')).map(toApp);
  }

  /** Stops (or restarts) an app's requests; false when there is no such app. */
  async setDisabled(appId: string, disabled: boolean): Promise<boolean> {
    return (await this.db.query('update trusted_apps set disabled = $2 where app_id = $1 returning app_id', [appId, disabled])).length === 1;
  }

  /** Binds the organisation and the certificate; a later registration replaces the certificate (a new key pair). */
  async register(appId: string, corpName: string, corpCode: string, publicKey: string, certificatePem: string): Promise<void> {
    await this.db.query(
      'update trusted_apps set corp_name = $2, corp_code = $3, public_key = $4, certificate = $5, registered_at = now() where app_id = $1',
      [appId, corpName, corpCode, publicKey, certificatePem],
    );
  }

  /** Records a request nonce; false when the app used it before (a replay). */
  useNonce(appId: string, nonce: string, keepSeconds: number): Promise<boolean> {
    return firstUse(this.db, appId, nonce, keepSeconds);
  }
}
