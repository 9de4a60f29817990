import { ref } from 'vue';

/** The interface in Chinese (the standards' own terms), English available. */
export type Lang = 'zh' | 'en';
export const lang = ref<Lang>((localStorage.getItem('lang') as Lang) || 'zh');

const EN: Record<string, string> = {
  '我的电子证照': 'My e-certificates', '登录': 'Sign in', '退出': 'Sign out', '通过统一身份认证登录后查看您的电子证照、亮证、授权用证和用证记录。':
    'Sign in through the unified identity service to see your certificates, show your code, authorise uses and see every use.',
  '我的证照': 'Certificates', '亮证': 'Show code', '授权': 'Authorise', '用证记录': 'Uses',
  '可用': 'Valid', '已废止': 'Abolished', '已过期': 'Expired', '已暂停使用': 'Suspended', '草稿': 'Draft',
  '证照编号': 'Number', '发证机关': 'Issuer', '发证日期': 'Issued', '有效期至': 'Valid until', '长期': 'No end',
  '下载原件': 'Original', '用途': 'Purpose', '例如：办理入学手续': 'e.g. school enrolment', '生成复印件': 'Make a copy',
  '复印件已生成': 'Copy ready', '保存复印件': 'Save the copy', '刷新': 'Refresh', '秒后失效': 's until it lapses', '已失效，正在刷新': 'Lapsed, refreshing',
  '请工作人员扫描此政务服务码': 'Let the clerk scan this government service code', '生成政务服务码': 'Show my service code',
  '没有授权请求': 'No requests', '申请方': 'Requested by', '办理事项': 'Service item', '受理单位': 'Organisation', '用途说明': 'Why',
  '将提供的证照': 'Certificates released', '将提供的数据': 'Data released', '操作': 'Operations', '有效期': 'Valid for', '小时': 'hours',
  '同意': 'Approve', '拒绝': 'Refuse', '撤销授权': 'Revoke', '待处理': 'Pending', '已同意': 'Approved', '已拒绝': 'Refused', '已撤销': 'Revoked',
  '授权至': 'Until', '没有用证记录': 'No uses yet', '时间': 'When', '单位': 'Organisation', '系统': 'System', '事项': 'Item', '事由': 'Why', '结果': 'Result',
  '成功': 'Success', '失败': 'Refused', '透明日志': 'Transparency log', '已记入': 'Included', '待签入检查点': 'Awaiting checkpoint', '未记入': 'Not logged',
  '证明': 'proof', '无匹配证照': 'None of your certificates', '检索': 'find', '查看数据': 'read data', '下载': 'download', '用证记录查询': 'see uses', '亮证码': 'service code',
  '身份证号': 'ID number',
};

export function t(zh: string): string {
  return lang.value === 'en' ? EN[zh] ?? zh : zh;
}

export function setLang(l: Lang): void {
  lang.value = l;
  localStorage.setItem('lang', l);
  document.documentElement.lang = l === 'en' ? 'en' : 'zh-CN';
}
