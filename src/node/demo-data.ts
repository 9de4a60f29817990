import type { LayoutTemplate } from '../domain/layout-template.js';
import type { FieldDefinition, FieldRole } from '../domain/model.js';
import { makeCitizenId, makeCreditCode } from '../domain/holder-code.js';
import { addDays, formatChineseDate } from '../domain/dates.js';

/**
 * A deterministic demo dataset shaped like the standards' examples: the certificate types they
 * name, a few hundred holders with valid check digits, some certificates abolished, some expired.
 * Produced as import records so the demo goes through the same path as a real import.
 */
export interface DemoRecord { [k: string]: unknown }

const MCA = '111000000000131433'; // Ministry of Civil Affairs (民政部), per ZWFW C 0123 codes
const MPS = makeCreditCode('1', '1', '100000', '000019713'); // Ministry of Public Security (公安部)
const SAMR = makeCreditCode('1', '1', '100000', 'MB0143028'); // State Administration for Market Regulation

export const DEMO_TYPES = {
  marriage: { code: `${MCA}001`, name: '结婚证' },
  divorce: { code: `${MCA}002`, name: '离婚证' },
  socialOrg: { code: `${MCA}003`, name: '社会团体法人登记证书' },
  driving: { code: `${MPS}001`, name: '机动车驾驶证' },
  idCard: { code: `${MPS}002`, name: '居民身份证' },
  business: { code: `${SAMR}001`, name: '营业执照' },
} as const;

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀兰', '霞', '平', '刚', '桂英', '建华', '文', '华', '玉兰', '红', '志强', '海燕'];
const AREAS = [
  { code: '110105', city: '北京市朝阳区' }, { code: '310104', city: '上海市徐汇区' }, { code: '330106', city: '杭州市西湖区' },
  { code: '510107', city: '成都市武侯区' }, { code: '370402', city: '枣庄市市中区' }, { code: '320102', city: '南京市玄武区' },
];
const ORG_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A small deterministic generator, so every demo node has the same people. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

export interface DemoHolder { name: string; code: string; codeType: string }

export function demoRecords(today: string, persons = 300, orgs = 40): { records: DemoRecord[]; holders: DemoHolder[] } {
  const rand = rng(20181009);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)]!;
  const records: DemoRecord[] = [];
  const holders: DemoHolder[] = [];
  const issuerOf = (area: typeof AREAS[number], dept: string, seq: number) => ({
    issueDept: `${area.city}${dept}`,
    issueDeptCode: makeCreditCode('1', '1', area.code, `${seq}`.padStart(8, '0') + ORG_ALPHABET[seq % 31]),
    certificateAreaCode: area.code,
  });
  const date = (y0: number, span: number) => {
    const y = y0 + Math.floor(rand() * span);
    return `${y}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
  };
  const s = (name: string, columnName: string, value: string) => ({ name, columnName, valueType: 'string', value });

  for (let i = 0; i < persons; i++) {
    const area = AREAS[i % AREAS.length]!;
    const birth = date(1955, 45).replaceAll('-', '');
    const code = makeCitizenId(area.code, birth, i % 1000);
    const male = Number(code[16]) % 2 === 1;
    const name = pick([...SURNAMES]) + pick(GIVEN);
    holders.push({ name, code, codeType: '111' });
    const holder = { certificateHolder: name, certificateHolderCode: code, certificateHolderType: '111' };
    const police = issuerOf(area, '公安分局', 100 + (i % AREAS.length));
    const idIssued = date(2012, 12);
    records.push({
      certificateType: DEMO_TYPES.idCard.name, certificateTypeCode: DEMO_TYPES.idCard.code, certificateName: DEMO_TYPES.idCard.name,
      ...holder, ...police, certificateNumber: code, issueDate: idIssued,
      certificateValidateStart: idIssued, certificateValidateEnd: i % 17 === 0 ? addDays(today, -30) : addDays(idIssued, 365 * 20),
      surface: [s('姓名', 'KZ_XM', name), s('性别', 'KZ_XB', male ? '男' : '女'), s('民族', 'KZ_MZ', '汉'),
        s('出生', 'KZ_CS', `${birth.slice(0, 4)}年${Number(birth.slice(4, 6))}月${Number(birth.slice(6))}日`),
        s('住址', 'KZ_ZZ', `${area.city}幸福路${(i % 200) + 1}号`), s('公民身份号码', 'KZ_GMSFHM', code)],
    });
    if (i % 2 === 0) {
      const first = date(2005, 15);
      records.push({
        certificateType: DEMO_TYPES.driving.name, certificateTypeCode: DEMO_TYPES.driving.code, certificateName: '中华人民共和国机动车驾驶证',
        ...holder, ...issuerOf(area, '公安分局交通警察支队', 200 + (i % AREAS.length)),
        certificateNumber: code, issueDate: first, certificateValidateStart: first, certificateValidateEnd: i % 10 === 0 ? addDays(today, -1) : addDays(first, 365 * 10 + 3650),
        status: i % 22 === 0 ? 'suspended' : 'issued',
        surface: [s('姓名', 'KZ_XM', name), s('性别', 'KZ_XB', male ? '男' : '女'), s('国籍', 'KZ_GJ', '中国'),
          s('住址', 'KZ_ZZ', `${area.city}幸福路${(i % 200) + 1}号`), s('准驾车型', 'KZ_ZJCX', pick(['C1', 'C2', 'B2', 'A1'])),
          s('初次领证日期', 'KZ_CCLZRQ', formatChineseDate(first))],
      });
    }
    if (i % 3 === 0) {
      const when = date(2008, 14);
      const civil = issuerOf(area, '民政局', 300 + (i % AREAS.length));
      const married = {
        certificateType: DEMO_TYPES.marriage.name, certificateTypeCode: DEMO_TYPES.marriage.code, certificateName: DEMO_TYPES.marriage.name,
        ...holder, ...civil, certificateNumber: `J${area.code}-${when.slice(0, 4)}-${String(i).padStart(6, '0')}`, issueDate: when,
        certificateValidateEnd: '长期', status: i % 9 === 0 ? 'abolished' : 'issued',
        surface: [s('持证人', 'KZ_CZR', name), s('登记日期', 'KZ_DJRQ', formatChineseDate(when)), s('结婚证字号', 'KZ_JHZZH', `J${area.code}-${when.slice(0, 4)}-${String(i).padStart(6, '0')}`)],
      };
      records.push(married);
      if (i % 9 === 0) {
        const later = addDays(when, 900 + (i % 400));
        records.push({
          ...married, certificateType: DEMO_TYPES.divorce.name, certificateTypeCode: DEMO_TYPES.divorce.code, certificateName: DEMO_TYPES.divorce.name,
          certificateNumber: `L${area.code}-${later.slice(0, 4)}-${String(i).padStart(6, '0')}`, issueDate: later, status: 'issued',
          surface: [s('持证人', 'KZ_CZR', name), s('登记日期', 'KZ_DJRQ', formatChineseDate(later))],
        });
      }
    }
  }
  for (let j = 0; j < orgs; j++) {
    const area = AREAS[j % AREAS.length]!;
    const orgCode = Array.from({ length: 9 }, () => pick([...ORG_ALPHABET])).join('');
    const social = j % 4 === 0;
    const code = makeCreditCode(social ? '5' : '9', social ? '1' : '1', area.code, orgCode);
    const name = social ? `${area.city}体育记者协会${j}` : `${area.city}示范科技有限公司${j}`;
    holders.push({ name, code, codeType: '001' });
    const holder = { certificateHolder: name, certificateHolderCode: code, certificateHolderType: '001' };
    const issued = date(2011, 10);
    if (social) {
      // Shaped like the F.1.6 example of the national standard.
      records.push({
        certificateType: DEMO_TYPES.socialOrg.name, certificateTypeCode: DEMO_TYPES.socialOrg.code, certificateName: DEMO_TYPES.socialOrg.name,
        ...holder, ...issuerOf(area, '民政局', 400 + (j % AREAS.length)), certificateNumber: code, issueDate: issued,
        certificateValidateStart: issued, certificateValidateEnd: j % 8 === 0 ? addDays(today, -100) : addDays(issued, 365 * 20),
        surface: [s('名称', 'KZ_MC', name), s('业务范围', 'KZ_YWFW', '学术研究、采访报道、交流联系、组织比赛'),
          s('住所', 'KZ_ZS', `${area.city}体育路${j + 1}号`), s('法定代表人', 'KZ_FDDBR', pick([...SURNAMES]) + pick(GIVEN)),
          s('活动地域', 'KZ_HDDY', area.city), s('注册资金', 'KZ_ZCZJ', '叁万元'), s('业务主管单位', 'KZ_YWZGDW', `${area.city}体育总会`)],
        detail: [{ group: '年检记录', datalist: [
          { ...s('日期', 'KZ_RQ', '2013年'), orderNum: '1' }, { ...s('年检记录', 'KZ_NJJL', '合格'), orderNum: '1' },
          { ...s('日期', 'KZ_RQ', '2014年'), orderNum: '2' }, { ...s('年检记录', 'KZ_NJJL', '合格'), orderNum: '2' }] }],
      });
    } else {
      records.push({
        certificateType: DEMO_TYPES.business.name, certificateTypeCode: DEMO_TYPES.business.code, certificateName: DEMO_TYPES.business.name,
        ...holder, ...issuerOf(area, '市场监督管理局', 500 + (j % AREAS.length)), certificateNumber: code, issueDate: issued,
        certificateValidateStart: issued, certificateValidateEnd: '长期', status: j % 13 === 0 ? 'abolished' : 'issued',
        surface: [s('名称', 'KZ_MC', name), s('类型', 'KZ_LX', '有限责任公司'), s('法定代表人', 'KZ_FDDBR', pick([...SURNAMES]) + pick(GIVEN)),
          s('经营范围', 'KZ_JYFW', '软件开发；信息技术咨询服务'), s('注册资本', 'KZ_ZCZB', `${100 * (j + 1)}万元`), s('成立日期', 'KZ_CLRQ', formatChineseDate(issued)),
          s('住所', 'KZ_ZS', `${area.city}创新大道${j + 1}号`)],
      });
    }
  }
  return { records, holders };
}

/** Type metadata for F.3 that an import cannot infer. */
export const DEMO_TYPE_DETAILS: Record<string, { defineAuthorityName: string; relatedItemName: string; validityRange: string }> = {
  [DEMO_TYPES.marriage.code]: { defineAuthorityName: '中华人民共和国民政部', relatedItemName: '婚姻登记', validityRange: '长期' },
  [DEMO_TYPES.divorce.code]: { defineAuthorityName: '中华人民共和国民政部', relatedItemName: '婚姻登记', validityRange: '长期' },
  [DEMO_TYPES.socialOrg.code]: { defineAuthorityName: '中华人民共和国民政部', relatedItemName: '社会团体成立登记', validityRange: '5年' },
  [DEMO_TYPES.driving.code]: { defineAuthorityName: '中华人民共和国公安部', relatedItemName: '机动车驾驶证申领', validityRange: '6年/10年/长期' },
  [DEMO_TYPES.idCard.code]: { defineAuthorityName: '中华人民共和国公安部', relatedItemName: '居民身份证申领', validityRange: '5年/10年/20年/长期' },
  [DEMO_TYPES.business.code]: { defineAuthorityName: '国家市场监督管理总局', relatedItemName: '企业设立登记', validityRange: '长期' },
};

/**
 * Field definitions of the marriage certificate as the Beijing example F.1 writes its data fields,
 * with the roles issuing reads: the demo issues 结婚证 through the Beijing interface.
 */
export const MARRIAGE_FIELDS: FieldDefinition[] = [
  ['CZR', '持证人', 'holderName'], ['CYRSFZJHM', '持有人身份证件号码', 'holderCode'], ['CYRSFZJLX', '持有人身份证件类型'],
  ['CZRXB', '持证人性别'], ['CZRGJ', '持证人国籍'], ['CZRCSRQ', '持证人出生日期'],
  ['POXM', '配偶姓名'], ['POSFZJH', '配偶身份证件号'], ['POSFZJLX', '配偶身份证件类型'], ['POXB', '配偶性别'], ['POGJ', '配偶国籍'], ['POCSRQ', '配偶出生日期'],
  ['JHZZH', '结婚证字号', 'number'], ['FZRQ', '发证日期', 'issueDate'], ['YXQJSRQ', '有效期结束日期', 'validTo'],
  ['FZJGMC', '发证机关名称'], ['FZJGZZJGDM', '发证机关组织机构代码'], ['FZJGSSXZQHDM', '发证机关所属行政区划代码', 'areaCode'],
  ['HYDJY', '婚姻登记员'], ['ZZMC', '证照名称'], ['BZ', '备注'], ['ZP', '照片'],
].map(([columnName, name, role]) => ({
  columnName: columnName!, name: name!, valueType: columnName === 'ZP' ? 'picture' as const : 'string' as const,
  required: role === 'holderName' || role === 'holderCode' || role === 'number', sensitive: columnName === 'CYRSFZJHM' || columnName === 'POSFZJH',
  ...(role ? { role: role as FieldRole } : {}),
}));

/** The layout of the demo's marriage certificates, in the order the paper certificate has them. */
export const MARRIAGE_LAYOUT: LayoutTemplate = {
  title: '结婚证',
  fields: [
    { column: 'CZR', label: '姓名' }, { column: 'CZRXB', label: '性别' }, { column: 'CZRCSRQ', label: '出生日期' },
    { column: 'CYRSFZJHM', label: '身份证件号' }, { column: 'POXM', label: '配偶姓名' }, { column: 'POXB', label: '配偶性别' },
    { column: 'POCSRQ', label: '配偶出生日期' }, { column: 'POSFZJH', label: '配偶身份证件号' }, { column: 'JHZZH' },
    { column: 'FZRQ', label: '登记日期' }, { column: 'BZ' }, { column: 'ZP', label: '照片' },
  ],
  footer: ['登记机关：{issuer}', '{issueDate}'],
};

/** The demo's service item: marriage registration at a Beijing district civil affairs bureau. */
export const DEMO_ITEM = {
  code: '110105MZ001', name: '婚姻登记', orgName: '北京市朝阳区民政局', orgCode: makeCreditCode('1', '1', '110105', '00000101X'),
  areaCode: '110105', typeCodes: [DEMO_TYPES.marriage.code],
};
