import type { Keyring } from '../crypto/keyring.js';
import { leafHash } from '../crypto/merkle.js';
import { cstDate } from '../domain/dates.js';
import { leafBytes } from '../domain/log-leaf.js';
import { maskCertificate } from '../domain/mask.js';
import { usability, type Certificate, type Usability } from '../domain/model.js';
import { indexOfLeafHash, latestCheckpoint } from '../store/transparency-log.js';
import type { CertificateRepo } from '../store/certificates.js';
import type { CertificateTypeRepo } from '../store/certificate-types.js';
import type { Db } from '../store/db.js';
import type { CertificateFiles } from './certificate-files.js';
import type { AuthenticatedHolder } from './holder-identity.js';
import type { TransparencyLog, InclusionProof } from './transparency-log.js';
import type { TrustedAccess } from './trusted-access/access.js';
import type { UsageRecorder, UsageRow } from './usage.js';

/** A certificate as its holder sees it in the portal: masked as anywhere else, with its state said plainly. */
export interface HolderCertificate { certificate: Certificate; state: Usability; stateReason?: string }

/** One use of the holder's certificates, with where it stands in the transparency log. */
export interface HolderUse { use: UsageRow; log: { state: 'included'; proof: InclusionProof } | { state: 'pending' | 'absent' } }

/** What the holder's own actions in the portal are recorded as: uses like any other, under the portal's name. */
const PORTAL = 'portal';

/**
 * The holder's side of the platform (issue 21, seed 004 section 4): their certificates, the
 * original and an annotated copy for a purpose they state, their service code (table 7), and every
 * use of their certificates with its transparency-log inclusion proof. The holder is the one the
 * identity provider authenticated; nothing here takes a holder code from the request.
 */
export class HolderPortal {
  constructor(
    private readonly db: Db,
    private readonly keys: Keyring,
    private readonly certs: CertificateRepo,
    private readonly types: Pick<CertificateTypeRepo, 'get'>,
    private readonly files: CertificateFiles,
    private readonly usage: UsageRecorder,
    private readonly log: TransparencyLog,
    private readonly access: TrustedAccess,
    private readonly copyValidDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every certificate of the holder (abolished, expired and suspended ones too, said so), masked by its type's rules. */
  async certificates(h: AuthenticatedHolder): Promise<HolderCertificate[]> {
    const all = (await this.certs.findByHolder({ holderCode: h.code }, true)) as Certificate[];
    const today = cstDate(new Date(this.now()));
    const out: HolderCertificate[] = [];
    for (const c of all) {
      const type = await this.types.get(c.typeCode);
      const state = usability(c, today);
      const stateReason = state === 'abolished' ? c.abolishReason || '发证机关已废止' : state === 'expired' ? `有效期至 ${c.validTo}` : state === 'suspended' ? '发证机关已暂停使用' : undefined;
      out.push({ certificate: type ? maskCertificate(c, type) : c, state, ...(stateReason ? { stateReason } : {}) });
    }
    return out;
  }

  /** The original file, or an annotated copy for the purpose the holder typed (valid copyValidDays). Recorded as a use. */
  async file(h: AuthenticatedHolder, id: string, purpose: string | undefined): Promise<{ bytes: Buffer; fileName: string }> {
    const c = await this.own(h, id);
    const iface = purpose === undefined ? 'original' : 'copy';
    // A copy vouches for the certificate now: none of one abolished, expired or suspended (its original stays readable).
    const state = usability(c, cstDate(new Date(this.now())));
    if (purpose !== undefined && state !== 'usable') throw new HolderPortalError('not-usable', `该证照${STATE_ZH[state]}，不能生成复印件`);
    try {
      const bytes = purpose === undefined ? await this.files.original(c, 'pdf')
        : await this.files.copy(c, 'pdf', { reason: purpose, maker: h.name ?? '持证人', expiresAt: this.now() + this.copyValidDays * 86_400_000 });
      await this.usage.record({ dialect: PORTAL, interface: iface, holderCode: h.code, certificateIds: [c.id], resultCode: '0', reason: purpose ?? '持证人查看原件', operator: h.subject });
      return { bytes, fileName: `${c.name}${purpose === undefined ? '' : '-复印件'}.pdf` };
    } catch (err) {
      await this.usage.record({ dialect: PORTAL, interface: iface, holderCode: h.code, certificateIds: [c.id], resultCode: '99', reason: purpose ?? '持证人查看原件', operator: h.subject });
      throw err;
    }
  }

  /** The holder's government service code (table 7) for a clerk to scan, and when it lapses. */
  serviceCode(h: AuthenticatedHolder): { serviceCode: string; expiresAt: number } {
    return this.access.issueServiceCode({ holderCode: h.code, holderType: h.type, holderName: h.name });
  }

  /**
   * Every use of the holder's certificates, newest first, each with its inclusion proof in the
   * latest signed checkpoint: the leaf is recomputed from the record (as the log made it), found by
   * its hash, and proved; a use newer than the checkpoint is pending, one made with the log off absent.
   */
  async uses(h: AuthenticatedHolder, limit = 100): Promise<HolderUse[]> {
    const rows = await this.usage.list({ holderCode: h.code, limit });
    const checkpoint = await latestCheckpoint(this.db);
    const bidx = this.keys.blindIndex('holder', h.code).toString('hex');
    return Promise.all(rows.map(async (use): Promise<HolderUse> => {
      const leaf = leafHash(leafBytes({ kind: 'usage', ref: String(use.id), at: use.at, digest: use.hash, holder: bidx }));
      const index = await indexOfLeafHash(this.db, leaf);
      if (index === undefined) return { use, log: { state: 'absent' } };
      if (!checkpoint || index >= checkpoint.size) return { use, log: { state: 'pending' } };
      return { use, log: { state: 'included', proof: await this.log.inclusion(index, checkpoint.size) } };
    }));
  }

  private async own(h: AuthenticatedHolder, id: string): Promise<Certificate> {
    const c = typeof id === 'string' && id.length <= 128 ? await this.certs.get(id) : undefined;
    // Another holder's certificate is answered exactly as one that does not exist.
    if (!c || c.holder.code.toUpperCase() !== h.code.toUpperCase() || c.status === 'draft') throw new HolderPortalError('not-found', '没有这张证照');
    return c;
  }
}

const STATE_ZH: Record<Usability, string> = { usable: '可用', abolished: '已废止', expired: '已过期', suspended: '已暂停使用', draft: '尚未签发' };

export class HolderPortalError extends Error {
  constructor(readonly problem: 'not-found' | 'not-usable', message: string) {
    super(message);
  }
}
