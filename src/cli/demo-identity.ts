import { randomBytes } from 'node:crypto';
import type { Services } from '../node/services.js';
import type { DemoHolder } from '../node/demo-data.js';
// The provider's module is loaded only when a demo starts one: loading oidc-provider prints a runtime
// warning on Node 20, which every other node's output should not carry.
import type { DemoCitizen, DemoProvider } from '../server/oidc/demo-provider.js';

/** The demo citizens' password: printed by `npm start`, never a bypass (any other is refused). */
export const DEMO_CITIZEN_PASSWORD = 'Demo-2026';

export interface DemoIdentity { provider: DemoProvider; citizens: DemoCitizen[]; portalUrl: string; uiaClient: { clientId: string; clientSecret: string } }

/**
 * The demo's unified identity system: a local OpenID Connect provider on its own port (the node's
 * port + 1, or any free one), knowing the first demo holders as citizens, with two clients: the
 * node's holder portal and a stand-in for Beijing's 统一身份认证系统 (whose access tokens psn_holder
 * accepts as `credential`). The node is pointed at it unless ZHENGZHAO_OIDC_ISSUER names another.
 */
export async function startDemoIdentity(s: Services, baseUrl: string, holders: DemoHolder[], nodePort: number): Promise<DemoIdentity> {
  const citizens = holders.filter((h) => h.codeType === '111').slice(0, 3)
    .map((h, i) => ({ username: `citizen${i + 1}`, password: DEMO_CITIZEN_PASSWORD, name: h.name, idNumber: h.code }));
  const portal = { clientId: 'zhengzhao-portal', clientSecret: randomBytes(18).toString('base64url'), redirectUris: [`${baseUrl}/portal/api/callback`] };
  const uia = { clientId: 'beijing-uia', clientSecret: randomBytes(18).toString('base64url'), redirectUris: ['http://127.0.0.1/uia/callback'] };
  const wanted = Number(process.env.ZHENGZHAO_DEMO_OIDC_PORT ?? (nodePort > 0 ? nodePort + 1 : 0));
  const { startDemoProvider } = await import('../server/oidc/demo-provider.js');
  const provider = await startDemoProvider({ port: wanted, citizens, clients: [portal, uia] })
    .catch(() => startDemoProvider({ port: 0, citizens, clients: [portal, uia] }));
  if (!s.cfg.oidc) s.holderIdentity.configure({ issuer: provider.issuer, clientId: portal.clientId, clientSecret: portal.clientSecret, idClaim: 'id_number' });
  return { provider, citizens, portalUrl: `${baseUrl}/portal/`, uiaClient: { clientId: uia.clientId, clientSecret: uia.clientSecret } };
}
