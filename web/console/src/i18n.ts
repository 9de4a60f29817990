/**
 * The console speaks Chinese, in the standards' own terms (证照目录, 持证主体, 用证记录, 废止…), with
 * English a click away. The choice is kept in the browser.
 */
import { ref } from 'vue';

export type Locale = 'zh' | 'en';
const saved = localStorage.getItem('zz-console-locale');
export const locale = ref<Locale>(saved === 'en' ? 'en' : 'zh');
document.documentElement.lang = locale.value === 'zh' ? 'zh-CN' : 'en';

export function setLocale(l: Locale): void {
  locale.value = l;
  localStorage.setItem('zz-console-locale', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
}

const M: Record<string, [string, string]> = {
  appTitle: ['电子证照共享服务系统 · 管理控制台', 'Certificate sharing platform · Operator console'],
  language: ['English', '中文'],
  signIn: ['登录', 'Sign in'], signOut: ['退出登录', 'Sign out'], account: ['账号', 'Account'], password: ['密码', 'Password'],
  sessionEnded: ['会话已结束，请重新登录', 'Your session ended; please sign in again'],
  role_administrator: ['系统管理员', 'Administrator'], role_issuer: ['发证机构操作员', 'Issuer'], role_auditor: ['审计员（只读）', 'Auditor (read-only)'],
  nav_dashboard: ['概览', 'Dashboard'], nav_access: ['接入管理', 'Access'], nav_certificates: ['证照管理', 'Certificates'],
  nav_catalog: ['证照目录', 'Catalog'], nav_usage: ['用证记录', 'Usage'], nav_seals: ['电子印章', 'Seals'],
  days: ['统计天数', 'Days'], refresh: ['刷新', 'Refresh'],
  uses: ['用证次数', 'Uses'], succeeded: ['成功', 'Succeeded'], refused: ['拒绝', 'Refused'],
  usesPerDay: ['每日用证（按接口规范）', 'Uses per day (by dialect)'], byInterface: ['按接口与结果', 'By interface and result'],
  refusalsByReason: ['拒绝原因（结果代码）', 'Refusals by reason (result code)'], latency: ['响应时间', 'Latency'],
  topTypes: ['用证最多的证照类型', 'Top certificate types'], topCallers: ['调用最多的业务系统', 'Top calling systems'],
  dialect: ['接口规范', 'Dialect'], interface: ['接口', 'Interface'], resultCode: ['结果代码', 'Result code'],
  requests: ['请求数', 'Requests'], meanMs: ['平均（毫秒）', 'Mean (ms)'], p95Ms: ['P95（毫秒）', 'p95 (ms)'],
  federation: ['联邦状态', 'Federation health'], role: ['节点角色', 'Node role'], memberNodes: ['成员节点', 'Member nodes'],
  circuits: ['熔断状态', 'Circuits'], logSize: ['透明日志大小', 'Log size'], lastCheckpoint: ['最近检查点', 'Last checkpoint'],
  cosignatures: ['见证签名', 'Cosignatures'], witnesses: ['见证方', 'Witnesses'], witnessing: ['本节点见证的日志', 'Logs this node witnesses'],
  openErrors: ['未处理的 lic_data_error', 'Open lic_data_error rows'], none: ['无', 'None'],
  aggregationLag: ['汇聚滞后（lic_data 行）', 'Aggregation lag (lic_data rows)'], peers: ['长三角直连省份', 'YRD direct-channel peers'],
  areaCode: ['行政区划代码', 'Area code'], keys: ['签名密钥', 'Signing keys'],
  registrations: ['接入申请（四川）', 'Registrations (Sichuan)'], approve: ['核准', 'Approve'], reject: ['驳回', 'Reject'],
  status: ['状态', 'Status'], systemName: ['系统名称', 'System'], deptName: ['申请部门', 'Department'], ip: ['IP 地址', 'IP address'],
  trustedApps: ['可信应用（长三角）', 'Trusted apps (YRD)'], enable: ['启用', 'Enable'], disable: ['停用', 'Disable'],
  accounts: ['接入账号（全国）', 'National accounts'], beijingApps: ['业务系统（北京）', 'Beijing apps'], beijingOperators: ['操作员（北京）', 'Beijing operators'],
  oauthClients: ['OAuth 客户端（枣庄）', 'OAuth clients (Zaozhuang)'], oauthUsers: ['接口账号（枣庄）', 'Interface users (Zaozhuang)'],
  consoleOperators: ['控制台操作员', 'Console operators'],
  name: ['名称', 'Name'], add: ['新增', 'Add'], create: ['创建', 'Create'], id: ['标识', 'ID'], secretOnce: ['密钥只显示这一次，请妥善保存', 'The secret is shown this once; keep it now'],
  holderCode: ['持证主体代码', 'Holder code'], certificateId: ['证照标识', 'Certificate ID'], search: ['查询', 'Search'],
  typeName: ['证照类型', 'Type'], number: ['证照编号', 'Number'], holder: ['持证主体', 'Holder'], issuer: ['发证机构', 'Issuing organisation'],
  issueDate: ['发证日期', 'Issued'], validTo: ['有效期至', 'Valid to'], view: ['查看', 'View'], masked: ['已脱敏', 'Masked'],
  suspend: ['暂停使用', 'Suspend'], resume: ['恢复使用', 'Resume'], abolish: ['废止', 'Abolish'], reason: ['原因', 'Reason'],
  files: ['版式文件', 'Files'], surface: ['照面信息', 'Surface data'],
  status_issued: ['已签发', 'Issued'], status_draft: ['草稿', 'Draft'], status_abolished: ['已废止', 'Abolished'], status_suspended: ['受限使用', 'Suspended'],
  status_published: ['已发布', 'Published'], status_withdrawn: ['已撤销', 'Withdrawn'],
  status_pending: ['待核准', 'Pending'], status_approved: ['已核准', 'Approved'], status_rejected: ['已驳回', 'Rejected'],
  types: ['证照类型', 'Certificate types'], typeCode: ['证照类型代码', 'Type code'], defineAuthority: ['定义机构', 'Defining authority'],
  fields: ['照面字段', 'Fields'], columnName: ['字段代码', 'Column'], fieldName: ['字段名称', 'Field name'], sensitive: ['敏感', 'Sensitive'],
  addField: ['添加字段', 'Add field'], addType: ['新增证照类型', 'Add a type'], publish: ['发布', 'Publish'], withdraw: ['撤销发布', 'Withdraw'],
  layout: ['版式模板', 'Layout template'], editLayout: ['编辑版式', 'Edit layout'], title: ['标题', 'Title'], label: ['显示名称', 'Label'],
  footer: ['页脚（可用 {issuer} {issueDate} {validFrom} {validTo} {number}）', 'Footer ({issuer} {issueDate} {validFrom} {validTo} {number})'],
  preview: ['预览', 'Preview'], pdfPreview: ['版式文件预览（PDF）', 'Layout file preview (PDF)'], save: ['保存', 'Save'], saved: ['已保存', 'Saved'],
  verifyLog: ['校验日志', 'Verify the log'], exportCsv: ['导出 CSV', 'Export CSV'], since: ['起始日期', 'Since'], at: ['时间', 'Time'],
  caller: ['调用方', 'Caller'], item: ['事项', 'Service item'], logOk: ['日志完整', 'The log verifies'], logBad: ['日志校验失败', 'The log does not verify'],
  seals: ['电子印章', 'Electronic seals'], orgCode: ['机构统一社会信用代码', 'Organisation code'], orgName: ['机构名称', 'Organisation'],
  validYears: ['有效年数', 'Valid years'], esId: ['印章编码', 'Seal ID'], validEnd: ['有效期至', 'Valid to'],
  close: ['关闭', 'Close'], cancel: ['取消', 'Cancel'], confirm: ['确定', 'Confirm'], done: ['已完成', 'Done'], actions: ['操作', 'Actions'],
  readOnly: ['只读', 'Read-only'], scheme: ['鉴权方式', 'Scheme'], created: ['创建时间', 'Created'], appKey: ['app_key', 'app_key'],
  clientId: ['client_id', 'client_id'], roles: ['角色', 'Roles'], entitledHint: ['只有发证机构可查看明文与执行生命周期操作', 'Only the issuing organisation sees clear values and acts on the certificate'],
  noData: ['暂无数据', 'No data'], loading: ['加载中', 'Loading'],
};

export function t(key: string): string {
  const m = M[key];
  return m ? m[locale.value === 'zh' ? 0 : 1] : key;
}
