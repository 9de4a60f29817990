import type { Queryable } from '../store/db.js';
import { recordOperatorAction } from '../store/operator-actions.js';

/**
 * Every operator action on accounts, apps, registrations, seals, keys and logins becomes an
 * operator_actions row and a leaf of the transparency log (issue 19; seed 002 5.4.2.1 c: complete
 * operation logs). The services stay as they are: the methods that change who may do what are
 * wrapped here, each with what its record says (never a secret, a password or an ID number).
 *
 * The record is written after the action succeeds and before its answer is returned; a refused
 * login is recorded too, then the refusal goes on. Actions that already record in their own
 * transaction (account creation, registration decisions) are not wrapped.
 */
type Describe = (args: unknown[], result: unknown) => { subject: string; detail?: Record<string, unknown> } | undefined;
type Refused = (args: unknown[], err: unknown) => { subject: string; detail?: Record<string, unknown> } | undefined;

interface Rule { action: string; ok: Describe; refused?: Refused; refusedAction?: string }

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
const rec = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** The wrapped methods, by service name and method name. */
const RULES: Record<string, Record<string, Rule>> = {
  sessions: {
    addApp: { action: 'app.create', ok: (_a, r) => ({ subject: str(rec(r).appKey), detail: { name: rec(r).name } }) },
    addOperator: { action: 'operator.create', ok: (a) => ({ subject: str(rec(a[0]).account), detail: { role: rec(a[0]).role ?? null, division: rec(a[0]).divisionCode ?? null } }) },
    login: {
      action: 'login', ok: (a) => ({ subject: str(a[2]), detail: { app: str(a[0]) } }),
      refusedAction: 'login.refused', refused: (a, err) => ({ subject: str(a[2]), detail: { app: str(a[0]), problem: str(rec(err).problem) || 'error' } }),
    },
    logout: { action: 'logout', ok: () => ({ subject: 'session' }) },
  },
  oauth: {
    addClient: { action: 'oauth-client.create', ok: (_a, r) => ({ subject: str(rec(r).clientId), detail: { scopes: rec(r).scopes } }) },
    addUser: { action: 'oauth-user.create', ok: (_a, r) => ({ subject: str(rec(r).username), detail: { roles: rec(r).roles } }) },
    revokeUser: { action: 'oauth-user.revoke', ok: (a, r) => ({ subject: str(a[0]), detail: { tokens: r } }) },
    passwordGrant: {
      action: 'login', ok: (a) => ({ subject: str(rec(a[0]).username), detail: { client: str(rec(a[0]).clientId), via: 'oauth' } }),
      refusedAction: 'login.refused', refused: (a, err) => ({ subject: str(rec(a[0]).username), detail: { client: str(rec(a[0]).clientId), via: 'oauth', problem: str(rec(err).code ?? rec(err).problem) || 'error' } }),
    },
  },
  seals: {
    add: { action: 'seal.create', ok: (_a, r) => ({ subject: str(rec(r).esId ?? rec(r).code), detail: { orgCode: rec(r).orgCode, validTo: rec(r).validTo ?? null } }) },
  },
  items: {
    add: { action: 'item.create', ok: (_a, r) => ({ subject: str(rec(r).code), detail: { orgCode: rec(r).orgCode } }) },
  },
  trustedApps: {
    add: { action: 'trusted-app.create', ok: (_a, r) => ({ subject: str(rec(r).appId), detail: { name: rec(r).name } }) },
    setDisabled: { action: 'trusted-app.state', ok: (a, r) => (r ? { subject: str(a[0]), detail: { disabled: a[1] === true } } : undefined) },
    register: { action: 'trusted-app.register', ok: (_a, r) => ({ subject: str(rec(r).appId), detail: { corpCode: rec(r).corpCode ?? null } }) },
  },
  trustedAccess: {
    revoke: { action: 'trusted-token.revoke', ok: (a) => ({ subject: str(a[0]), detail: { app: a[1] ?? null } }) },
  },
  exchangeKeys: {
    rotate: { action: 'key.rotate', ok: (_a, r) => ({ subject: str(r), detail: { use: 'exchange' } }) },
  },
  peers: {
    add: { action: 'peer.add', ok: (a) => ({ subject: str(rec(a[0]).areaCode), detail: { baseUrl: rec(a[0]).baseUrl } }) },
    remove: { action: 'peer.remove', ok: (a, r) => (r ? { subject: str(a[0]) } : undefined) },
  },
  nodes: {
    add: { action: 'node.add', ok: (a) => ({ subject: str(rec(a[0]).dataSource), detail: { baseUrl: rec(a[0]).baseUrl ?? null } }) },
    remove: { action: 'node.remove', ok: (a, r) => (r ? { subject: str(a[0]) } : undefined) },
  },
};

/** The actions this module records, as "service.method" (for tests and docs). */
export const AUDITED_METHODS = Object.entries(RULES).flatMap(([svc, m]) => Object.keys(m).map((k) => `${svc}.${k}`));

/** Wraps the audited methods of the services object in place. */
export function auditOperatorActions(services: Record<string, unknown>, db: Queryable): void {
  for (const [name, methods] of Object.entries(RULES)) {
    const target = services[name] as Record<string, unknown> | undefined;
    if (!target) continue;
    for (const [method, rule] of Object.entries(methods)) {
      const original = target[method];
      if (typeof original !== 'function') continue;
      target[method] = async (...args: unknown[]) => {
        let result: unknown;
        try {
          result = await (original as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (err) {
          const r = rule.refused?.(args, err);
          if (r) await recordOperatorAction(db, rule.refusedAction!, r.subject, r.detail ?? {}).catch(() => {});
          throw err;
        }
        const r = rule.ok(args, result);
        if (r) await recordOperatorAction(db, rule.action, r.subject, r.detail ?? {});
        return result;
      };
    }
  }
}
