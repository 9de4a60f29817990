import type { Certificate, CertificateSummary, CertificateType, DetailGroup, SurfaceValue, ValueType } from '../domain/model.js';
import { isLongTerm, parseDate } from '../domain/dates.js';
import { parseCertificateId } from '../domain/identifier.js';
import { RETURN_CODE_MESSAGES, ReturnCode, ServiceError } from '../domain/return-codes.js';
import type { FileFormat } from '../core/file-tickets.js';
import type { Onward, RemoteNode, RoutedOperation } from '../core/reach/transport.js';
import type { FileLink, HolderSelector, VerifyClaim } from '../core/sharing.js';
import { HopError, type NationalClient } from './client.js';

/**
 * The owner's appendix F item each certificate read from another node came as. The node that
 * passes the certificate on renders that item again as it came (ownerItemOf) instead of mapping
 * the canonical record back: nothing of the owner's answer is re-made on the way, and a relaying
 * node spends no work on it beyond reading what it records.
 */
const ownerItems = new WeakMap<object, Readonly<Record<string, unknown>>>();

/** The appendix F item a certificate came as from its owner's node, if it came from one. */
export function ownerItemOf(c: object): Readonly<Record<string, unknown>> | undefined {
  return ownerItems.get(c);
}

/** The national interface (ZWFW C 0124 section 7) that carries each routed call. */
export const NATIONAL_INTERFACE: Readonly<Record<RoutedOperation, string>> = {
  retrieve: 'Retrieval',
  filesByHolder: 'GetCertificateFileByHolder',
  fileById: 'GetCertificateFileByCertificateID',
  dataByHolder: 'GetCertificateDataByHolder',
  dataById: 'GetCertificateDataByCertificateID',
  listTypes: 'GetCertificateType',
  verify: 'VerifyCertificate',
};

/**
 * Another node as routing sees it, reached through its national interface: canonical inputs become
 * the interface's parameters, its answers (appendices D-G) become canonical results again, its
 * refusals ServiceErrors with its code and its words. Mapping back and forth keeps every field the
 * national answer carries as it came, so the national adapter here renders the same answer the
 * owner gave; what an answer does not carry (a retrieval hit names no holder) is left empty.
 */
export class NationalNode implements RemoteNode {
  constructor(
    readonly name: string,
    private readonly client: NationalClient,
    /** National interface names it offers; empty: all. */
    private readonly services: readonly string[] = [],
  ) {}

  offers(op: RoutedOperation): boolean {
    return this.services.length === 0 || this.services.includes(NATIONAL_INTERFACE[op]);
  }

  async retrieve(on: Onward, sel: HolderSelector): Promise<CertificateSummary[]> {
    const data = await this.call('retrieve', on, holderParams(on, sel));
    return listOf(data, this.name).map((item) => summaryOf(item, sel, this.name));
  }

  async dataByHolder(on: Onward, sel: HolderSelector): Promise<Certificate[]> {
    const data = await this.call('dataByHolder', on, holderParams(on, sel));
    return listOf(data, this.name).map((item) => certificateOf(item, this.name));
  }

  async filesByHolder(on: Onward, sel: HolderSelector, format: FileFormat): Promise<FileLink[]> {
    const data = await this.call('filesByHolder', on, { ...holderParams(on, sel), FileFormat: format });
    return listOf(data, this.name).map((item) => linkOf(item, sel, this.name));
  }

  async dataById(on: Onward, id: string): Promise<Certificate> {
    const data = await this.call('dataById', on, { CertificateID: id, UseFor: on.reason ?? '' });
    return certificateOf(only(data, this.name), this.name);
  }

  async fileById(on: Onward, id: string, format: FileFormat): Promise<FileLink> {
    const data = await this.call('fileById', on, { CertificateID: id, UseFor: on.reason ?? '', FileFormat: format });
    return linkOf(only(data, this.name), undefined, this.name);
  }

  async verify(on: Onward, claim: VerifyClaim): Promise<boolean> {
    const data = await this.call('verify', on, {
      CertificateHolderCode: claim.holderCode, CertificateHolderType: claim.holderType ?? '', UseFor: on.reason ?? '',
      CertificateData: dropEmpty({
        certificateType: claim.typeName, certificateName: claim.name, certificateNumber: claim.number, certificateHolder: claim.holderName,
        certificateHolderCode: claim.holderCode, certificateHolderType: claim.holderType, issueDept: claim.issuerName,
        issueDeptCode: claim.issuerCode, issueDate: claim.issueDate, certificateValidateStart: claim.validFrom, certificateValidateEnd: claim.validTo,
      }),
    });
    const result = (data as { verifyResult?: unknown } | undefined)?.verifyResult;
    if (result !== 'true' && result !== 'false' && result !== true && result !== false) throw badAnswer(this.name, 'verifyResult is neither true nor false');
    return result === 'true' || result === true;
  }

  async listTypes(on: Onward): Promise<CertificateType[]> {
    const data = await this.call('listTypes', on, {});
    return listOf(data, this.name).map((t) => {
      const f = fields(t);
      const code = f.text('certificateTypeCode');
      const name = f.text('certificateType');
      if (!code || !name) throw badAnswer(this.name, 'a certificate type without certificateTypeCode or certificateType');
      return {
        code, name, defineAuthorityName: f.text('certificateDefineAuthorityName') || undefined,
        defineAuthorityCode: f.text('certificateDefineAuthorityCode') || undefined, relatedItemName: f.text('relatedItemName') || undefined,
        relatedItemCode: f.text('relatedItemCode') || undefined, holderCategory: f.text('certificateHolderCategory') || undefined,
        validityRange: f.text('validityRange') || undefined, fields: [], status: 'published', isOpen: true,
      };
    });
  }

  /** One national call; its data when it answered 0, else the refusal in canonical terms. */
  private async call(op: RoutedOperation, on: Onward, params: Record<string, unknown>): Promise<unknown> {
    let answer;
    try {
      answer = await this.client.call(NATIONAL_INTERFACE[op], params, { correlationId: on.correlationId, hops: on.hops, budgetMs: on.budgetMs, timeoutMs: on.timeoutMs });
    } catch (err) {
      if (err instanceof HopError) {
        throw err.problem === 'bad-answer' ? new ServiceError(ReturnCode.Other, err.message) : new ServiceError(ReturnCode.ThirdPartyTimeout, err.message);
      }
      throw err;
    }
    if (answer.status === ReturnCode.Success) return answer.data;
    // A refusal of this node's own credentials is this node's problem, not the caller's: 99, saying so.
    if (answer.status === ReturnCode.AuthFailed) throw new ServiceError(ReturnCode.Other, `${this.name} refused this node's credentials (11)`);
    const code = answer.status as ReturnCode;
    if (!(code in RETURN_CODE_MESSAGES)) throw new ServiceError(ReturnCode.Other, `${this.name} answered code ${answer.status}: ${answer.message}`);
    throw new ServiceError(code, detailOf(code, answer.message));
  }
}

/** What a refusal's message says beyond the code's own words (the standard message, then ": detail"). */
function detailOf(code: ReturnCode, message: string): string | undefined {
  const standard = RETURN_CODE_MESSAGES[code];
  if (message.startsWith(`${standard}: `)) return message.slice(standard.length + 2);
  return message && message !== standard ? message : undefined;
}

function holderParams(on: Onward, sel: HolderSelector): Record<string, string> {
  return dropEmpty({
    CertificateHolderCode: sel.holderCode, CertificateHolderType: sel.holderType, CertificateType: sel.typeName,
    CertificateNumber: sel.number, UseFor: on.reason,
  });
}

function dropEmpty(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

const badAnswer = (node: string, what: string) => new ServiceError(ReturnCode.Other, `${node} answered something unreadable: ${what}`);

/** data.dataList of an answer (total and dataList, appendices D-F). */
function listOf(data: unknown, node: string): Record<string, unknown>[] {
  const list = (data as { dataList?: unknown } | undefined)?.dataList;
  if (!Array.isArray(list)) throw badAnswer(node, 'no dataList');
  return list.map((x) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) throw badAnswer(node, 'a dataList item is not an object');
    return x as Record<string, unknown>;
  });
}

function only(data: unknown, node: string): Record<string, unknown> {
  const list = listOf(data, node);
  if (list.length !== 1) throw badAnswer(node, `${list.length} items where one certificate was asked for`);
  return list[0]!;
}

function fields(o: Record<string, unknown>) {
  return {
    text(name: string): string {
      const v = o[name];
      return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
    },
  };
}

function dateOf(text: string, name: string, node: string): string {
  const d = parseDate(text);
  if (!d) throw badAnswer(node, `${name} is not a date: ${text}`);
  return d;
}

/** An appendix D.1 item (and the same fields of E's): the catalog facts, with the holder the call named. */
function summaryOf(item: Record<string, unknown>, sel: HolderSelector | undefined, node: string): CertificateSummary {
  const f = fields(item);
  const id = f.text('certificateID');
  if (!id) throw badAnswer(node, 'an item without certificateID');
  const parsed = parseCertificateId(id);
  return {
    id,
    typeCode: parsed.ok ? parsed.parts.typeCode : '',
    typeName: f.text('certificateType'),
    name: f.text('certificateType'),
    number: f.text('certificateNumber'),
    holder: { name: '', code: sel?.holderCode ?? '', codeType: sel?.holderType ?? '' },
    issuer: { name: f.text('issueDept'), code: parsed.ok ? parsed.parts.issuerCode : '' },
    issueDate: dateOf(f.text('issueDate'), 'issueDate', node),
    status: 'issued',
    version: parsed.ok ? Number(parsed.parts.version) : 1,
  };
}

/** An appendix E.1.5 / E.2.1 item: the owner's download URL kept as it came. */
function linkOf(item: Record<string, unknown>, sel: HolderSelector | undefined, node: string): FileLink {
  const f = fields(item);
  const url = f.text('fileUrl');
  if (!/^https?:\/\//.test(url)) throw badAnswer(node, 'fileUrl is not an http(s) URL');
  const format = f.text('fileFormat') === 'ofd' ? 'ofd' : 'pdf';
  return { certificate: summaryOf(item, sel, node), format, token: url.split('/').pop() ?? '', expires: 0, url };
}

/** An appendix F.1.5 / F.2.1 item: the canonical record and its signature. */
function certificateOf(item: Record<string, unknown>, node: string): Certificate {
  const f = fields(item);
  const id = f.text('certificateID');
  if (!id) throw badAnswer(node, 'an item without certificateID');
  const parsed = parseCertificateId(id);
  const start = f.text('certificateValidateStart');
  const end = f.text('certificateValidateEnd');
  const c: Certificate = {
    id,
    typeCode: f.text('certificateTypeCode') || (parsed.ok ? parsed.parts.typeCode : ''),
    typeName: f.text('certificateType'),
    name: f.text('certificateName'),
    number: f.text('certificateNumber'),
    holder: { name: f.text('certificateHolder'), code: f.text('certificateHolderCode'), codeType: f.text('certificateHolderType') },
    issuer: { name: f.text('issueDept'), code: f.text('issueDeptCode') },
    issueDate: dateOf(f.text('issueDate'), 'issueDate', node),
    validFrom: start ? dateOf(start, 'certificateValidateStart', node) : undefined,
    validTo: end === '' || isLongTerm(end) ? undefined : dateOf(end, 'certificateValidateEnd', node),
    status: 'issued',
    version: parsed.ok ? Number(parsed.parts.version) : 1,
    surface: surfaceOf(item.surface, node),
    detail: detailGroupsOf(item.detail, node),
    digitalSign: f.text('digitalSign') || undefined,
  };
  ownerItems.set(c, item);
  return c;
}

function valueOf(v: unknown, node: string): SurfaceValue {
  if (v === null || typeof v !== 'object') throw badAnswer(node, 'a surface or detail value is not an object');
  const f = fields(v as Record<string, unknown>);
  const valueType: ValueType = f.text('valueType') === 'picture' ? 'picture' : 'string';
  return { name: f.text('name'), value: f.text('value'), valueType, columnName: f.text('columnName') };
}

function surfaceOf(v: unknown, node: string): SurfaceValue[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badAnswer(node, 'surface is not a list');
  return v.map((x) => valueOf(x, node));
}

function detailGroupsOf(v: unknown, node: string): DetailGroup[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badAnswer(node, 'detail is not a list');
  return v.map((g) => {
    const o = (g ?? {}) as Record<string, unknown>;
    const list = Array.isArray(o.datalist) ? o.datalist : [];
    return {
      group: fields(o).text('group'),
      values: list.map((x) => ({ ...valueOf(x, node), orderNum: fields((x ?? {}) as Record<string, unknown>).text('orderNum') })),
    };
  });
}
