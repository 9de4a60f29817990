import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Keyring } from './crypto/keyring.js';

/** Everything a node or a command needs to know, from flags, then environment, then defaults. */
export interface Config {
  /**
   * What the node is in the national network (ZWFW C 0124 5.5): a province (also a city or a
   * central department) reports its catalog through the front DB; the hub aggregates them.
   */
  role: NodeRole;
  /** Catalog aggregation (ZWFW C 0124 5.3, appendix H). */
  aggregation: AggregationConfig;
  dataDir: string;
  databaseUrl?: string;
  host: string;
  port: number;
  /** Base URL others reach this node at; download URLs are built on it. */
  publicUrl?: string;
  /** Lifetime of download URLs (national 7.4.3 recommends 10 minutes). */
  fileUrlTtlSeconds: number;
  /** Clock skew tolerated around midnight for day-bound tokens. */
  tokenSkewSeconds: number;
  /** Largest request body accepted. */
  bodyLimitBytes: number;
  /** Largest body of a batch call (10,000 certificates' data). */
  batchBodyLimitBytes: number;
  /** Largest body of a file verification call (a base64 PDF or OFD). */
  fileBodyLimitBytes: number;
  /** Idle time after which an issuing-side session ends (Beijing 5.4.4 c). */
  sessionIdleSeconds: number;
  /** Wrong passwords in a row that lock an operator, and for how long. */
  lockAfterFailures: number;
  lockSeconds: number;
  /** Lifetime of a usage code (Beijing auth_code) and of a certificate access token. */
  usageCodeTtlSeconds: number;
  accessTokenTtlSeconds: number;
  /** How long an annotated copy handed out by a download stays valid. */
  copyValidDays: number;
  /** Lifetime of an encrypted certificate ID (DB51/T 2942 6.4.3) and so of its QR code. */
  encryptedIdTtlSeconds: number;
  /** Lifetime of the access token a registered system gets (DB51/T 2942 6.6); it registers again for a new one. */
  registrationTokenTtlSeconds: number;
  /** OAuth2 access and refresh token lifetimes (Zaozhuang 4.3.1: 12 hours for access tokens). */
  oauthTokenTtlSeconds: number;
  oauthRefreshTtlSeconds: number;
  /** Where this node stands in the Zaozhuang interface's two levels (DB3704/T 0042 4.3). */
  zaozhuang: ZaozhuangConfig;
  logLevel: string;
}

/**
 * A province node answers province-level calls (interfaceType 0) from its own data. A city node
 * answers city-level calls (interfaceType 1) and passes province-level ones to its province node,
 * as a client of it with its own credentials there. Checked when the interface is mounted, so
 * commands that do not serve still run with an incomplete setting.
 */
export interface ZaozhuangConfig {
  level: string;
  province?: { url?: string; clientId?: string; clientSecret?: string; username?: string; password?: string; timeoutMs: number };
}

export type NodeRole = 'province' | 'hub';

export interface AggregationConfig {
  /**
   * The appendix H DataSource this node reports under (three digits: 0 + a central department's
   * code, 1 + the province's two GB/T 2260 digits). Unset: each certificate's own, or 1 + the
   * province of its area code.
   */
  dataSource?: string;
  /** How often a hub aggregates new lic_data rows (0: never on its own, only `zhengzhao aggregate`). */
  intervalSeconds: number;
  /** Rows per aggregator transaction. */
  chunkSize: number;
}
export const NODE_ROLES: readonly NodeRole[] = ['province', 'hub'];

export interface ConfigFlags {
  role?: string;
  data?: string;
  databaseUrl?: string;
  host?: string;
  port?: number | string;
  publicUrl?: string;
}

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const num = (v: string | number | undefined, dflt: number) => {
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`not a number: ${v}`);
    return n;
  };
  const role = flags.role ?? (env.ZHENGZHAO_ROLE || 'province');
  if (!NODE_ROLES.includes(role as NodeRole)) throw new Error(`--role / ZHENGZHAO_ROLE: ${role} is not one of ${NODE_ROLES.join(', ')}`);
  if (env.ZHENGZHAO_DATA_SOURCE && !/^[01]\d{2}$/.test(env.ZHENGZHAO_DATA_SOURCE)) throw new Error('ZHENGZHAO_DATA_SOURCE: three digits, the first 0 or 1 (appendix H)');
  return {
    role: role as NodeRole,
    aggregation: {
      dataSource: env.ZHENGZHAO_DATA_SOURCE || undefined,
      intervalSeconds: num(env.ZHENGZHAO_AGGREGATE_INTERVAL, 60),
      chunkSize: Math.max(1, num(env.ZHENGZHAO_AGGREGATE_CHUNK, 5000)),
    },
    dataDir: resolve(flags.data ?? env.ZHENGZHAO_DATA ?? './data'),
    databaseUrl: flags.databaseUrl ?? (env.DATABASE_URL || undefined),
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    port: num(flags.port ?? env.PORT, 8080),
    publicUrl: flags.publicUrl ?? (env.ZHENGZHAO_PUBLIC_URL || undefined),
    fileUrlTtlSeconds: num(env.ZHENGZHAO_FILE_URL_TTL, 600),
    tokenSkewSeconds: num(env.ZHENGZHAO_TOKEN_SKEW, 300),
    bodyLimitBytes: num(env.ZHENGZHAO_BODY_LIMIT, 1024 * 1024),
    batchBodyLimitBytes: num(env.ZHENGZHAO_BATCH_BODY_LIMIT, 64 * 1024 * 1024),
    fileBodyLimitBytes: num(env.ZHENGZHAO_FILE_BODY_LIMIT, 32 * 1024 * 1024),
    sessionIdleSeconds: num(env.ZHENGZHAO_SESSION_IDLE, 1800),
    lockAfterFailures: num(env.ZHENGZHAO_LOCK_AFTER, 5),
    lockSeconds: num(env.ZHENGZHAO_LOCK_SECONDS, 900),
    usageCodeTtlSeconds: num(env.ZHENGZHAO_USAGE_CODE_TTL, 1800),
    accessTokenTtlSeconds: num(env.ZHENGZHAO_ACCESS_TOKEN_TTL, 600),
    copyValidDays: num(env.ZHENGZHAO_COPY_VALID_DAYS, 30),
    encryptedIdTtlSeconds: num(env.ZHENGZHAO_ENCRYPTED_ID_TTL, 600),
    registrationTokenTtlSeconds: num(env.ZHENGZHAO_REGISTRATION_TOKEN_TTL, 86_400),
    oauthTokenTtlSeconds: num(env.ZHENGZHAO_OAUTH_TOKEN_TTL, 12 * 3600),
    oauthRefreshTtlSeconds: num(env.ZHENGZHAO_OAUTH_REFRESH_TTL, 30 * 86_400),
    zaozhuang: {
      level: env.ZHENGZHAO_ZAOZHUANG_LEVEL || 'province',
      province: {
        url: env.ZHENGZHAO_ZAOZHUANG_PROVINCE_URL || undefined,
        clientId: env.ZHENGZHAO_ZAOZHUANG_PROVINCE_CLIENT_ID || undefined,
        clientSecret: env.ZHENGZHAO_ZAOZHUANG_PROVINCE_CLIENT_SECRET || undefined,
        username: env.ZHENGZHAO_ZAOZHUANG_PROVINCE_USERNAME || undefined,
        password: env.ZHENGZHAO_ZAOZHUANG_PROVINCE_PASSWORD || undefined,
        timeoutMs: num(env.ZHENGZHAO_ZAOZHUANG_PROVINCE_TIMEOUT, 10) * 1000,
      },
    },
    logLevel: env.LOG_LEVEL ?? 'warn',
  };
}

interface KeyFile {
  current: string;
  keys: Record<string, string>;
  index: string;
}

/**
 * Data keys come from ZHENGZHAO_DATA_KEYS ("id:hex,id:hex", first is current) and
 * ZHENGZHAO_INDEX_KEY (hex). Without them, a data directory gets keys generated on first use and
 * kept in <data>/secrets/data-keys.json, with a warning: production should configure its own.
 */
export function loadKeyring(cfg: Config, env: NodeJS.ProcessEnv = process.env, warn: (msg: string) => void = console.warn): Keyring {
  const configured = env.ZHENGZHAO_DATA_KEYS;
  if (configured) {
    const keys = new Map<string, Buffer>();
    let current: string | undefined;
    for (const part of configured.split(',')) {
      const [id, hex] = part.split(':');
      if (!id || !hex || !/^[0-9a-fA-F]{32,}$/.test(hex)) throw new Error('ZHENGZHAO_DATA_KEYS must be "id:hex[,id:hex...]" with keys of at least 16 bytes');
      keys.set(id, Buffer.from(hex, 'hex'));
      current ??= id;
    }
    const index = env.ZHENGZHAO_INDEX_KEY;
    if (!index || !/^[0-9a-fA-F]{32,}$/.test(index)) throw new Error('ZHENGZHAO_INDEX_KEY (hex, at least 16 bytes) is required with ZHENGZHAO_DATA_KEYS');
    return new Keyring(keys, current!, Buffer.from(index, 'hex'));
  }
  const file = join(cfg.dataDir, 'secrets', 'data-keys.json');
  let kf: KeyFile;
  if (existsSync(file)) {
    kf = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  } else {
    mkdirSync(join(cfg.dataDir, 'secrets'), { recursive: true, mode: 0o700 });
    kf = { current: 'k1', keys: { k1: randomBytes(16).toString('hex') }, index: randomBytes(32).toString('hex') };
    writeFileSync(file, JSON.stringify(kf, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    warn(`generated data keys in ${file}; production should configure ZHENGZHAO_DATA_KEYS and ZHENGZHAO_INDEX_KEY`);
  }
  return new Keyring(new Map(Object.entries(kf.keys).map(([k, v]) => [k, Buffer.from(v, 'hex')])), kf.current, Buffer.from(kf.index, 'hex'));
}
