import { formatCertificateId } from '../../src/domain/identifier.js';
import { makeCreditCode } from '../../src/domain/holder-code.js';

/** Certificates shaped like the national standard's examples (appendices C, D and F.1.6). */
export const PERSON = { name: '张三', code: '11010519491231002X' };
export const ORG = { name: '**省体育总会', code: makeCreditCode('5', '1', '510000', 'MJ0000426') };

const CIVIL = { issueDept: '××市××区民政局', issueDeptCode: '11330105002500287C', certificateAreaCode: '330105' };
const POLICE = { issueDept: '××市公安局交通警察支队', issueDeptCode: '11430000006122244L', certificateAreaCode: '430000' };
const MARRIAGE = '111000000000131433001';
const DIVORCE = '111000000000131433002';
const SOCIAL = '111000000000131433003';
const DRIVING = '11100000000019713D001';
const IDCARD = '11100000000019713D002';
const BUSINESS = '11100000MB0143028P001';

/** A 1×1 PNG: picture values travel as base64 (national F.1 note). */
export const PHOTO = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

const person = { certificateHolder: PERSON.name, certificateHolderCode: PERSON.code, certificateHolderType: '111' };
const org = { certificateHolder: ORG.name, certificateHolderCode: ORG.code, certificateHolderType: '001' };
const s = (name: string, columnName: string, value: string) => ({ name, columnName, valueType: 'string', value });

const ids = {
  abolished: formatCertificateId({ typeCode: DIVORCE, issuerCode: CIVIL.issueDeptCode, serial: 'TEST0001', version: '001' }),
  expired: formatCertificateId({ typeCode: IDCARD, issuerCode: POLICE.issueDeptCode, serial: 'TEST0002', version: '001' }),
  suspended: formatCertificateId({ typeCode: BUSINESS, issuerCode: '91350100M000100Y43', serial: 'TEST0003', version: '001' }),
};

export const FIXTURE = {
  valid: 6,
  invalid: 3,
  idsByStatus: async (_base: string) => ids,
};

export function fixtureLines(): string[] {
  const records: object[] = [
    { certificateType: '结婚证', certificateTypeCode: MARRIAGE, certificateName: '结婚证', ...person, ...CIVIL,
      certificateNumber: 'J320000-2011-001327', issueDate: '2014年3月4日', certificateValidateEnd: '长期',
      surface: [s('持证人', 'KZ_CZR', PERSON.name), s('登记日期', 'KZ_DJRQ', '2014年3月4日')] },
    { certificateType: '离婚证', certificateTypeCode: DIVORCE, certificateName: '离婚证', ...person, ...CIVIL, certificateID: ids.abolished,
      certificateNumber: 'J320000-2011-001328', issueDate: '2014-03-04', status: 'abolished' },
    { certificateType: '中华人民共和国机动车驾驶证', certificateTypeCode: DRIVING, certificateName: '中华人民共和国机动车驾驶证', ...person, ...POLICE,
      certificateNumber: '330320542338', issueDate: '2019-05-06', certificateValidateStart: '2019-05-06', certificateValidateEnd: '2031-05-06',
      surface: [s('姓名', 'KZ_XM', PERSON.name), s('准驾车型', 'KZ_ZJCX', 'C1'),
        { name: '照片', columnName: 'KZ_ZP', valueType: 'picture', value: PHOTO }] },
    { certificateType: '居民身份证', certificateTypeCode: IDCARD, certificateName: '居民身份证', ...person, ...POLICE, certificateID: ids.expired,
      certificateNumber: PERSON.code, issueDate: '2001-01-01', certificateValidateStart: '2001-01-01', certificateValidateEnd: '2021-01-01' },
    { certificateType: '社会团体法人登记证书', certificateTypeCode: SOCIAL, certificateName: '社会团体法人登记证书', ...org,
      issueDept: '**省民政厅', issueDeptCode: '11330105002500287C', certificateAreaCode: '510000',
      certificateNumber: ORG.code, issueDate: '2011年11月1日', certificateValidateStart: '2011年11月1日', certificateValidateEnd: '2035年10月31日',
      surface: [s('名称', 'KZ_MC', '**省体育记者协会'), s('业务范围', 'KZ_YWFW', '学术研究、采访报道、交流联系、组织比赛'),
        s('住所', 'KZ_ZS', '**省**市**区**路****座1606'), s('法定代表人', 'KZ_FDDBR', '何*'), s('活动地域', 'KZ_HDDY', '**省'),
        s('注册资金', 'KZ_ZCZJ', '叁万元'), s('业务主管单位', 'KZ_YWZGDW', '**省体育总会')],
      detail: [{ group: '年检记录', datalist: [
        { ...s('日期', 'KZ_RQ', '2013年'), orderNum: '1' }, { ...s('年检记录', 'KZ_NJJL', ''), orderNum: '1' },
        { ...s('日期', 'KZ_RQ', '2014年'), orderNum: '2' }, { ...s('年检记录', 'KZ_NJJL', ''), orderNum: '2' }] }] },
    { certificateType: '营业执照', certificateTypeCode: BUSINESS, certificateName: '营业执照', ...org, certificateID: ids.suspended,
      issueDept: '××市市场监督管理局', issueDeptCode: '91350100M000100Y43', certificateNumber: ORG.code, issueDate: '2015-01-01', status: 'suspended' },
  ];
  const lines = records.map((r) => JSON.stringify(r));
  // Line 7: a citizen ID with a wrong check digit; line 8: not JSON; line 9: an issuer code failing GB 32100.
  lines.push(JSON.stringify({ ...records[0], certificateHolderCode: '110105194912310021', certificateNumber: 'X1' }));
  lines.push('{"certificateType": ');
  lines.push(JSON.stringify({ ...records[0], issueDeptCode: '11330105002500287D', certificateNumber: 'X2' }));
  return lines;
}
