import { Type, type TSchema } from '@sinclair/typebox';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import type { SchemaFailure } from '../contract.js';

/**
 * The request and response contracts of the YRD app face (seed 004 tables 1-9, and the node's own
 * holder view and service codes). Every table types its inputs 字符串: a number or an object where
 * a text belongs is refused (24), not coerced. Which inputs a call must carry is the core's rule
 * (12, after the app is authenticated); the schemas say what each is, its type and its bound.
 *
 * The same interfaces also answer other provinces over the direct channel (/yrd/v1/peer), whose
 * bodies arrive SM2-encrypted and are read by params.ts with the same rules.
 */

/** An optional text input; `max` as params.ts bounds it (4096 unless the table's value is longer). */
const text = (description: string, maxLength = 4096) => Type.Optional(Type.String({ description, maxLength }));

/** The scene every sharing call carries (tables 1-7). */
const SCENE = {
  UseFor: text('查询事由'), itemName: text('场景或业务名称'), itemCode: text('场景或业务编号'), itemOrg: text('调用单位名称'),
  operator: text('实际调用操作人员姓名'), bizNum: text('调用涉及业务编号'),
};
const TOKEN = { trustedToken: text('持证主体可信身份信息令牌', 8192) };
const HOLDER = { CertificateType: text('证照类型名称'), CertificateNumber: text('证照照面编号') };
const FORMAT = { fileFormat: text('PDF or OFD (tables 2 and 3 leave it to the platform: PDF unless OFD is asked for)') };
const ID = { CertificateID: text('证照唯一编号（标识）') };

const body = (props: Record<string, TSchema>) => Type.Object(props, { additionalProperties: true });

/** Request bodies by interface name (routes.ts YRD_PATHS). */
export const BODIES: Readonly<Record<string, TSchema>> = {
  RegisterApp: body({ appID: text('应用id，由可信访问平台分配'), appSecret: text('应用密钥'), corpName: text('单位名称'), corpCode: text('统一社会信用代码') }),
  IssueTrustedToken: body({
    transactionId: text('业务流水号'), authType: text('认证方式: 1 生物识别, 2 读取身份证件, 3 扫描二维码'), name: text('姓名'),
    idType: text('证件类型: 1 身份证'), idNo: text('证件号码, SM2-encrypted to the platform key'), qrCode: text('二维码码值'),
    location: text('设备场所位置', 256), permission: text('访问授权信息'),
  }),
  RevokeTrustedToken: body({ tokenId: text('令牌编号'), ...TOKEN }),
  // Ours (seed 004 section 4, the holder authorises): an app asks, the holder decides in the portal.
  RequestHolderConsent: body({
    transactionId: text('业务流水号'), authType: text('2 读取身份证件 or 3 扫描二维码'), idType: text('证件类型: 1 身份证'),
    idNo: text('证件号码, SM2-encrypted to the platform key'), qrCode: text('二维码码值 (the holder\'s service code)'),
    itemCode: text('事项编码'), itemName: text('事项名称'), itemOrg: text('事项实施机构'), UseFor: text('用证事由'),
    permission: text('权限, ops@types'), validSeconds: text('令牌有效秒数, 60 and up'),
  }),
  HolderConsentStatus: body({ requestId: text('请求编号') }),
  Retrieval: body({ ...TOKEN, ...HOLDER, ...SCENE }),
  FileByCertificateID: body({ ...TOKEN, ...ID, ...FORMAT, ...SCENE }),
  FileByHolder: body({ ...TOKEN, ...HOLDER, ...FORMAT, ...SCENE }),
  InfoByCertificateID: body({ ...TOKEN, ...ID, ...SCENE }),
  InfoByHolder: body({ ...TOKEN, ...HOLDER, ...SCENE }),
  VerifyFile: body({ fileEntity: Type.Optional(Type.String({ description: '文件内容, base64' })), fileFormat: text('PDF or OFD'), ...SCENE }),
  DecodeServiceCode: body({ qrcode: text('二维码码值'), ...TOKEN, ...SCENE }),
  IssueServiceCode: body({ ...TOKEN }),
  HolderUsage: body({ ...TOKEN, limit: text('at most this many uses, 1-1000 (200)') }),
};

/** Headers of a signed app request (apps.ts signingString says what is signed); RegisterApp is not signed. */
export const SIGNED_HEADERS = Type.Object({
  'x-yrd-app-id': Type.Optional(Type.String({ description: 'appID' })),
  'x-yrd-timestamp': Type.Optional(Type.String({ description: 'Unix time, seconds' })),
  'x-yrd-nonce': Type.Optional(Type.String({ description: 'a random value used once' })),
  'x-yrd-signature': Type.Optional(Type.String({ description: 'SM2 signature (base64) with the app certificate\'s key' })),
}, { additionalProperties: true });

/** Every answer: code and msg; data on success only (tables 1-9 list their outputs under data). */
export const RESPONSE = Type.Object({
  code: Type.Integer({ description: '返回码: 0, appendix A of ZWFW C 0124, 30-61 trusted access' }),
  msg: Type.String({ description: '返回信息' }),
  data: Type.Optional(Type.Unknown({ description: 'the interface\'s outputs' })),
});

/** The one mapping of schema failures into this dialect's codes: every failure is 24 (参数无法解析), naming the table's parameter. */
export function schemaFailure(f: SchemaFailure): ServiceError {
  if (f.kind === 'missing') return new ServiceError(ReturnCode.RequiredMissing, undefined, [f.field]);
  if (f.field === '') return new ServiceError(ReturnCode.Unparseable, 'the body must be a JSON object');
  const rule = f.kind === 'type' ? 'must be a string (字符串)' : f.rule.replace(/^must NOT have more than (\d+) characters$/, 'at most $1 characters');
  return new ServiceError(ReturnCode.Unparseable, rule, [f.field]);
}
