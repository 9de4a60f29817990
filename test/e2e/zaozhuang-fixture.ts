import { formatCertificateId } from '../../src/domain/identifier.js';
import { makeCitizenId } from '../../src/domain/holder-code.js';

/**
 * Certificates shaped like the examples of DB3704/T 0042 (seed 003).
 *
 * The province holds the ID card of 4.3.3 / 4.3.6 / 4.3.7 (certno, gmsfhm, name). The examples'
 * identifiers do not pass GB/T 36904: 4.3.2's has a 20-character type code, 4.3.3's type code
 * 11100010000013127D001 starts with no valid unified social credit code and its check character
 * fails, 4.3.7's type code has 20 characters. 4.3.6 prints the consistent one,
 * 1.2.156.3005.2.11100000000013127D001.11370000004504927A.CFD93524173848F3A2ED4AB7A36E7A50.001.8,
 * whose check character is still wrong: the fixture uses that identifier with its right check.
 *
 * The city holds the radio operator certificates of 4.3.3's and 4.3.6's city examples. Their
 * validity ended in 2016 and 2020, which this platform would answer as expired (22); the fixtures
 * end in 2036 and 2030, and an expired copy keeps the example's dates.
 */
export const ZHANG = { name: '张三', code: makeCitizenId('370826', '19880430', 41) };
export const CHEN = { name: '陈晓', code: makeCitizenId('370403', '19881209', 12) };
export const WANG = { name: '王五', code: makeCitizenId('370402', '19900101', 33) };
/** Holds an ID card whose validity has not begun (4.3.4 result 1, 信息正确且未激活). */
export const ZHAO = { name: '赵六', code: makeCitizenId('370402', '20100101', 35) };

export const ID_CARD_TYPE = '11100000000013127D001';
const SD_POLICE = { issueDept: '山东省公安厅', issueDeptCode: '11370000004504927A', certificateAreaCode: '370000' };
export const OPERATOR_TYPE = '12370400F49201558F001';
const RADIO = { issueDept: 'XX市无线电管理处', issueDeptCode: '12370400F49201558F', certificateAreaCode: '370400' };

const idCard = (serial: string) => formatCertificateId({ typeCode: ID_CARD_TYPE, issuerCode: SD_POLICE.issueDeptCode, serial, version: '001' });
const operator = (serial: string) => formatCertificateId({ typeCode: OPERATOR_TYPE, issuerCode: RADIO.issueDeptCode, serial, version: '001' });

export const IDS = {
  /** 4.3.3 / 4.3.6 / 4.3.7 province examples. */
  idCard: idCard('CFD93524173848F3A2ED4AB7A36E7A50'),
  idSuspended: idCard('SUSPENDED0001'),
  idAbolished: idCard('ABOLISHED0001'),
  idExpired: idCard('EXPIRED0001'),
  idNotYetValid: idCard('NOTYETVALID0001'),
  /** 4.3.3 city example. */
  operator: operator('A000002576'),
  /** 4.3.6 city example. */
  operatorQr: operator('A000102935'),
  operatorExpired: operator('A000002577'),
  operatorAbolished: operator('A000002578'),
  /** 4.3.5: a usable certificate the operator suspends, resumes and abolishes while its file is checked. */
  operatorFileChecks: operator('A000002579'),
  /** 4.3.5 result 3 (证照未激活): its validity begins in 2090. */
  operatorNotYetValid: operator('A000002580'),
};

const card = (p: { name: string; code: string }) => [
  { name: '证件号码', columnName: 'certno', valueType: 'string', value: p.code },
  { name: '公民身份号码', columnName: 'gmsfhm', valueType: 'string', value: p.code },
  { name: '姓名', columnName: 'name', valueType: 'string', value: p.name },
];
const idRecord = (p: { name: string; code: string }, certificateID: string, extra: object = {}) => ({
  certificateType: '居民身份证', certificateTypeCode: ID_CARD_TYPE, certificateName: '居民身份证', certificateID,
  certificateHolder: p.name, certificateHolderCode: p.code, certificateHolderType: '111', ...SD_POLICE,
  certificateNumber: p.code, issueDate: '2018-05-06', certificateValidateStart: '2018-05-06', certificateValidateEnd: '2038-05-06',
  surface: card(p), ...extra,
});

export function provinceLines(): string[] {
  return [
    idRecord(ZHANG, IDS.idCard),
    idRecord(WANG, IDS.idSuspended, { status: 'suspended' }),
    idRecord(CHEN, IDS.idAbolished, { status: 'abolished' }),
    idRecord({ name: '李四', code: makeCitizenId('370481', '19830404', 3) }, IDS.idExpired, { issueDate: '2006-01-01', certificateValidateStart: '2006-01-01', certificateValidateEnd: '2016-01-01' }),
    idRecord(ZHAO, IDS.idNotYetValid, { issueDate: '2025-12-01', certificateValidateStart: '2090-01-01', certificateValidateEnd: '2110-01-01' }),
  ].map((r) => JSON.stringify(r));
}

const opRecord = (p: { name: string; code: string }, number: string, certificateID: string, extra: object = {}) => ({
  certificateType: '中国XXXX操作证书', certificateTypeCode: OPERATOR_TYPE, certificateName: '中国XXXX操作证书', certificateID,
  certificateHolder: p.name, certificateHolderCode: p.code, certificateHolderType: '111', ...RADIO,
  certificateNumber: number, issueDate: '2013-09-23', certificateValidateStart: '2013-09-23', certificateValidateEnd: '2036-09-22',
  surface: [{ name: '操作类别', columnName: 'KZ_CZLB', valueType: 'string', value: 'A类' }], detail: [], ...extra,
});

export function cityLines(): string[] {
  return [
    opRecord(CHEN, 'A000002576', IDS.operator),
    opRecord(ZHANG, 'A000102935', IDS.operatorQr, { issueDept: 'XX市XXX局', issueDate: '2017-11-15', certificateValidateStart: '2017-11-15', certificateValidateEnd: '2030-11-14' }),
    opRecord(CHEN, 'A000002577', IDS.operatorExpired, { certificateValidateEnd: '2016-09-22' }),
    opRecord(WANG, 'A000002578', IDS.operatorAbolished, { status: 'abolished' }),
    opRecord(ZHAO, 'A000002579', IDS.operatorFileChecks),
    opRecord(ZHAO, 'A000002580', IDS.operatorNotYetValid, { issueDate: '2025-12-01', certificateValidateStart: '2090-01-01', certificateValidateEnd: '2110-01-01' }),
  ].map((r) => JSON.stringify(r));
}

/** The caller fields as the tables of 4.3.2-4.3.7 exemplify them. */
export const CALLER = {
  certificateSystemName: 'XXXX 服务平台',
  certificateCallCategory: '0',
  certificateMatterName: '个人参保缴费证明查询打印',
  certificateEventCode: '1137000000450258552372014020002',
  certificateCopyCause: '个人参保缴费证明查询打印，需要用到身份证数据',
};
