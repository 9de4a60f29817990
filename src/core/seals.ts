import { buildSeal } from '../crypto/ses.js';
import { readSm2Certificate } from '../crypto/x509-read.js';
import { isValidCreditCode } from '../domain/holder-code.js';
import type { LayoutSeal } from './layout-input.js';
import type { SealRecord, SealRepo } from '../store/seals.js';
import type { NodeKeys } from './node-keys.js';

/** Draws a seal's picture for an organisation name (files/seal-picture plugs in here), with its size in millimetres. */
export type SealPicture = () => Promise<{ sealPicturePng(orgName: string): Buffer; SEAL_SIZE_MM: number }>;

/** What callers see of a seal (never its bytes). */
export interface SealSummary {
  esId: string;
  orgCode: string;
  orgName: string;
  /** ISO 8601 */
  validFrom: string;
  validTo: string;
  makerKid: string;
  createdAt: string;
}

export interface NewSeal {
  orgCode: string;
  orgName: string;
  /** Default 5. */
  validYears?: number;
}

/** SES_Header.Vid of seals this platform makes. */
const VENDOR_ID = 'zhengzhao';

const summary = (r: Omit<SealRecord, 'sealDer' | 'picturePng'>): SealSummary => ({
  esId: r.esId, orgCode: r.orgCode, orgName: r.orgName, validFrom: r.validFrom.toISOString(), validTo: r.validTo.toISOString(),
  makerKid: r.makerKid, createdAt: r.createdAt.toISOString(),
});

/**
 * Electronic seals of issuing organisations (GB/T 38540). The node key makes them (it signs the
 * SESeal as the maker) and is the one key listed as allowed to stamp with them, since the node signs
 * every layout file. A new seal for an organisation supersedes the older one from then on.
 */
export class SealService {
  constructor(private readonly repo: SealRepo, private readonly nodeKeys: NodeKeys, private readonly picture: SealPicture) {}

  async add(input: NewSeal, now = new Date()): Promise<SealSummary> {
    const orgName = input.orgName.trim();
    if (!isValidCreditCode(input.orgCode)) throw new Error('organisation code: a valid unified social credit code (GB 32100)');
    if (!orgName || orgName.length > 64) throw new Error('organisation name: 1-64 characters');
    const years = input.validYears ?? 5;
    if (!Number.isInteger(years) || years < 1 || years > 30) throw new Error('valid years: a whole number from 1 to 30');
    const signer = this.nodeKeys.fileSigner();
    const cert = readSm2Certificate(signer.certificateDer);
    if (!cert) throw new Error("the node certificate is unreadable");
    const validFrom = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const validTo = new Date(validFrom);
    validTo.setUTCFullYear(validTo.getUTCFullYear() + years);
    // A seal cannot outlive the certificate of the key that stamps it: no signature could then be checked.
    if (validTo > cert.notAfter) throw new Error(`a seal valid ${years} years would outlive the node certificate (valid until ${cert.notAfter.toISOString()})`);
    const esId = `${input.orgCode}${String((await this.repo.count(input.orgCode)) + 1).padStart(4, '0')}`;
    const { sealPicturePng, SEAL_SIZE_MM } = await this.picture();
    const picturePng = sealPicturePng(orgName);
    const sealDer = buildSeal({
      vendorId: VENDOR_ID, esId, type: 1, name: orgName, signerCertificates: [signer.certificateDer],
      createDate: validFrom, validStart: validFrom, validEnd: validTo,
      picture: { type: 'png', data: picturePng, widthMm: SEAL_SIZE_MM, heightMm: SEAL_SIZE_MM },
    }, signer);
    return summary(await this.repo.insert({ esId, orgCode: input.orgCode, orgName, sealDer, picturePng, validFrom, validTo, makerKid: this.nodeKeys.kid }));
  }

  /** Makes a seal for the organisation unless one is in use (the demo, imports). */
  async ensure(input: NewSeal): Promise<SealSummary | undefined> {
    if (await this.repo.current(input.orgCode, new Date())) return undefined;
    return this.add(input);
  }

  async list(): Promise<SealSummary[]> {
    return (await this.repo.list()).map(summary);
  }

  /** The seal to stamp an organisation's layout files with now, if it has one. */
  async sealFor(orgCode: string, at = new Date()): Promise<LayoutSeal | undefined> {
    const r = await this.repo.current(orgCode, at);
    return r && { name: r.orgName, picturePng: r.picturePng, sesealDer: r.sealDer };
  }

  /**
   * Why a seal code (its esID) cannot be used by an organisation now, or undefined when it can: it
   * must name a seal of that organisation, valid at the time (seed 002 table 5 `seal_code`).
   */
  async sealCodeProblem(orgCode: string, esId: string, at = new Date()): Promise<string | undefined> {
    const r = await this.repo.byEsId(esId);
    if (!r) return `no seal ${esId}`;
    if (r.orgCode !== orgCode) return `seal ${esId} is ${r.orgName}'s (${r.orgCode}), not ${orgCode}'s`;
    if (r.validFrom > at || r.validTo <= at) return `seal ${esId} is valid ${r.validFrom.toISOString()} to ${r.validTo.toISOString()}`;
    return undefined;
  }

  /**
   * The seal a certificate's files are stamped with: the one its issuing write named (seal_code),
   * while that seal is valid and its organisation's; else the organisation's current seal.
   */
  async sealForCertificate(orgCode: string, orgName: string, sealCode?: string): Promise<LayoutSeal | undefined> {
    if (sealCode && !(await this.sealCodeProblem(orgCode, sealCode))) {
      const r = (await this.repo.byEsId(sealCode))!;
      return { name: r.orgName, picturePng: r.picturePng, sesealDer: r.sealDer };
    }
    return this.sealOrMake(orgCode, orgName);
  }

  /**
   * The seal to stamp with, made on first need for an issuer that has none yet (an imported
   * certificate's issuer, a service item's organisation), so every signed file carries its issuer's
   * seal. Undefined only when the issuer's code is not a valid credit code.
   */
  async sealOrMake(orgCode: string, orgName: string): Promise<LayoutSeal | undefined> {
    const found = await this.sealFor(orgCode);
    if (found || !isValidCreditCode(orgCode) || !orgName.trim()) return found;
    let made: Promise<unknown> | undefined = this.making.get(orgCode);
    if (!made) {
      made = this.ensure({ orgCode, orgName: orgName.trim().slice(0, 64) }).finally(() => this.making.delete(orgCode));
      this.making.set(orgCode, made);
    }
    await made;
    return this.sealFor(orgCode);
  }

  private readonly making = new Map<string, Promise<unknown>>();
}
