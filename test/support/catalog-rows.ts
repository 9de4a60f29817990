import type { CatalogRow } from '../../src/domain/catalog-row.js';
import { formatCertificateId } from '../../src/domain/identifier.js';
import { makeCitizenId, makeCreditCode } from '../../src/domain/holder-code.js';
import type { NewType } from '../../src/core/catalog.js';

/** 结婚证 as the hub and the provinces of the federation tests know it. */
export const MARRIAGE = '111000000000131433001';
export const ISSUER = makeCreditCode('1', '1', '110105', '00000101X');
export const ISSUER_NAME = '北京市朝阳区民政局';

export const MARRIAGE_TYPE: NewType = {
  code: MARRIAGE, name: '结婚证', fields: [
    { columnName: 'CZR', name: '持证人', valueType: 'string', required: true, sensitive: false, role: 'holderName' },
    { columnName: 'CYRSFZJHM', name: '持有人身份证件号码', valueType: 'string', required: true, sensitive: true, role: 'holderCode' },
    { columnName: 'JHZZH', name: '结婚证字号', valueType: 'string', required: true, sensitive: false, role: 'number' },
    { columnName: 'FZRQ', name: '发证日期', valueType: 'string', required: false, sensitive: false, role: 'issueDate' },
  ],
};

export const holderOf = (i: number) => makeCitizenId('110105', `${1950 + (Math.floor(i / 1000) % 60)}0101`, i % 1000);

/**
 * A valid lic_data row for certificate `i` (each i its own identifier and number), as a Beijing
 * province node reports it.
 */
export function catalogRow(i: number, over: Partial<CatalogRow> = {}): CatalogRow {
  const serial = String(i).padStart(10, '0');
  return {
    sourceId: formatCertificateId({ typeCode: MARRIAGE, issuerCode: ISSUER, serial, version: '001' }),
    name: '结婚证',
    typeName: '结婚证',
    typeCode: MARRIAGE,
    issuerName: ISSUER_NAME,
    issuerCode: ISSUER,
    areaCode: '110105',
    holderName: `持证人${i}`,
    holderCode: holderOf(i),
    holderType: '111',
    number: `J110105-2026-${serial}`,
    issueDate: '2025-01-02',
    operation: 'I',
    time: '2026-01-01 10:00:00',
    batch: 'TESTBATCH0000000000000000000001',
    dataSource: '111',
    ...over,
  };
}

/** The identifier `catalogRow(i)` gets for another type or issuer, check character included. */
export const idFor = (i: number, typeCode = MARRIAGE, issuerCode = ISSUER, version = '001') =>
  formatCertificateId({ typeCode, issuerCode, serial: String(i).padStart(10, '0'), version });
