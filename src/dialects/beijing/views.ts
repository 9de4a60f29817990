import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../node/services.js';
import { UsingError, type View } from '../../core/using.js';
import { formatChineseDate } from '../../domain/dates.js';
import { timestamp } from './envelope.js';
import { setScopeErrorHandler } from '../errors.js';

/** `{WEB_ROOT}` of seed 002. */
export const BEIJING_WEB_ROOT = '/beijing/web';

const STATUS_TEXT: Record<View['status'], string> = { usable: '有效', abolished: '已废止', expired: '已过期', suspended: '已受限使用', draft: '未签发' };

const esc = (v: string) => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * A repeated, rotated watermark naming the viewer and the time, as a CSS background. On a
 * certificate that is no longer valid it is red, larger and denser, so no crop of the page
 * passes for a valid one.
 */
function watermark(text: string, invalid = false): string {
  const fill = invalid ? 'rgba(197,34,31,0.22)' : 'rgba(0,0,0,0.09)';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${invalid ? 260 : 320}" height="${invalid ? 140 : 180}"><text x="10" y="${invalid ? 90 : 110}" transform="rotate(-24 ${invalid ? 130 : 160} ${invalid ? 70 : 90})" font-size="${invalid ? 22 : 15}" fill="${fill}" font-family="sans-serif">${esc(text)}</text></svg>`;
  return `url("data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}")`;
}

function page(title: string, body: string, mobile: boolean, mark?: string, invalid = false): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>
body{margin:0;font-family:"Noto Sans CJK SC","Source Han Sans CN","WenQuanYi Micro Hei",sans-serif;background:#f3f4f6;color:#111}
.sheet{position:relative;max-width:${mobile ? '420px' : '760px'};margin:${mobile ? '0 auto' : '32px auto'};background:#fffdf7 ${mark ? watermark(mark, invalid) : 'none'};padding:${mobile ? '16px' : '32px 40px'};border:1px solid #e5e1d3;box-shadow:0 2px 8px rgba(0,0,0,.06)}
h1{font-size:${mobile ? '22px' : '28px'};text-align:center;letter-spacing:.2em;margin:8px 0 20px}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:${mobile ? '6px 4px' : '8px 6px'};border-bottom:1px dashed #ddd;vertical-align:top;font-size:${mobile ? '15px' : '16px'}}
th{width:${mobile ? '38%' : '30%'};color:#555;font-weight:normal}
.status{display:inline-block;padding:2px 10px;border-radius:10px;font-size:14px}.usable{background:#e6f4ea;color:#137333}.bad{background:#fce8e6;color:#c5221f}
.foot{display:flex;justify-content:space-between;align-items:flex-end;margin-top:20px}.foot .issuer{font-size:15px}
.seal{opacity:.85}.meta{color:#777;font-size:12px;margin-top:16px;word-break:break-all}
.notice{text-align:center;padding:48px 16px}.notice h1{letter-spacing:0}
.invalid-banner{background:#c5221f;color:#fff;text-align:center;font-size:${mobile ? '18px' : '22px'};font-weight:bold;padding:10px;margin:-4px 0 16px;letter-spacing:.1em}
.void-stamp{border:3px solid #c5221f;color:#c5221f;font-size:${mobile ? '20px' : '26px'};font-weight:bold;padding:6px 14px;transform:rotate(-12deg)}
</style></head><body>${body}</body></html>`;
}

/** The issuer's own seal picture (GB/T 38540 SESeal picture), as the certificate's files carry it. */
function sealImage(png: Buffer | undefined, org: string, mobile: boolean): string {
  const size = mobile ? 110 : 140;
  return png ? `<img class="seal" alt="${esc(org)}印章" width="${size}" height="${size}" src="data:image/png;base64,${png.toString('base64')}">` : '';
}

/** What the page says across itself about a certificate that can no longer be relied on. */
const INVALID_BANNER: Record<Exclude<View['status'], 'usable'>, string> = {
  abolished: '此电子证照已废止，不再有效', expired: '此电子证照已过期，不再有效', suspended: '此电子证照已受限使用，当前不可作为有效证照使用',
  draft: '此电子证照尚未签发，不是有效证照',
};

/**
 * The H5 page of one certificate. A certificate that is not usable (abolished, suspended,
 * expired, an unsigned draft) is shown as such across the whole page: a red banner above
 * everything, a red watermark carrying its state, and no seal, since the seal says "valid"
 * (issue 15: a token issued before an abolition must not show a sealed page).
 */
export function certificatePage(v: View, mobile: boolean, now = new Date(), sealPng?: Buffer): string {
  const c = v.certificate;
  const invalid = v.status !== 'usable';
  const rows = c.surface.map((s) => `<tr><th>${esc(s.name)}</th><td>${s.valueType === 'picture'
    ? (s.value ? `<img alt="${esc(s.name)}" src="data:image/png;base64,${esc(s.value)}" style="max-width:120px">` : '')
    : esc(s.value)}</td></tr>`).join('');
  const body = `<main class="sheet${invalid ? ' invalid' : ''}" data-license-code="${esc(c.id)}" data-status="${v.status}">
${invalid ? `<div class="invalid-banner" id="invalid-banner" role="alert">${INVALID_BANNER[v.status as Exclude<View['status'], 'usable'>]}</div>\n` : ''}<h1>${esc(c.typeName)}</h1>
<table>
<tr><th>状态</th><td><span class="status ${v.status === 'usable' ? 'usable' : 'bad'}" id="status">${STATUS_TEXT[v.status]}</span></td></tr>
<tr><th>持证主体</th><td id="holder">${esc(c.holder.name)}</td></tr>
<tr><th>持证主体代码</th><td id="holder-code">${esc(c.holder.code)}</td></tr>
<tr><th>证照编号</th><td id="number">${esc(c.number)}</td></tr>
${rows}
<tr><th>有效期</th><td>${c.validFrom ? esc(formatChineseDate(c.validFrom)) + ' 至 ' : ''}${c.validTo ? esc(formatChineseDate(c.validTo)) : '长期'}</td></tr>
</table>
<div class="foot"><div class="issuer">${esc(c.issuer.name)}<br>${esc(formatChineseDate(c.issueDate))}</div>${invalid ? `<div class="void-stamp" id="void-stamp">${STATUS_TEXT[v.status]}</div>` : sealImage(sealPng, c.issuer.name, mobile)}</div>
<div class="meta">证照标识：${esc(c.id)}<br>查看人：${esc(v.viewer)} · 查看时间：${esc(timestamp(now).slice(0, 19))}</div>
</main>`;
  const mark = invalid ? `${STATUS_TEXT[v.status]} 无效 ${v.viewer} ${timestamp(now).slice(0, 16)}` : `${v.viewer} ${timestamp(now).slice(0, 16)} 仅供查看`;
  return page(c.typeName, body, mobile, mark, invalid);
}

export function noticePage(title: string, message: string): string {
  return page(title, `<main class="sheet notice"><h1>${esc(title)}</h1><p>${esc(message)}</p></main>`, false);
}

/**
 * view_license (table 17) and view_mobile (table 21): H5 pages opened by a certificate access
 * token. A bad or expired token gets a page that says so, never an error dump.
 */
export async function beijingViews(app: FastifyInstance, s: Services): Promise<void> {
  setScopeErrorHandler(app, (err, req, reply) => {
    // What the edge or the parser refuses (a repeated parameter, text that cannot be stored) is the caller's mistake.
    if (err.statusCode === 429) {
      return reply.code(429).type('text/html; charset=utf-8').send(noticePage('访问过于频繁', '请求过于频繁，请稍后再试。'));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(400).type('text/html; charset=utf-8').send(noticePage('请求无效', '请求参数无效，请检查访问地址。'));
    }
    req.log.error({ err }, 'view failed');
    return reply.code(500).type('text/html; charset=utf-8').send(noticePage('暂时无法显示', '系统内部错误，请稍后再试。'));
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).type('text/html; charset=utf-8').send(noticePage('页面不存在', '请检查访问地址。')));

  const show = (mobile: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    const token = (req.query as Record<string, string | undefined>).license_access_token ?? '';
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('x-frame-options', 'DENY')
      .header('content-security-policy', "default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    try {
      const v = await s.using.view({ dialect: 'beijing', interface: mobile ? 'view_mobile' : 'view_license', clientIp: req.ip }, token);
      // A certificate no longer valid is shown without its seal: no seal is fetched (or made) for it.
      const seal = v.status === 'usable' ? await s.seals.sealOrMake(v.certificate.issuer.code, v.certificate.issuer.name) : undefined;
      return reply.send(certificatePage(v, mobile, new Date(), seal?.picturePng));
    } catch (err) {
      if (!(err instanceof UsingError)) throw err;
      if (err.problem === 'expired-code') return reply.code(410).send(noticePage('访问令牌已过期', '电子证照访问令牌已过期，请重新获取。'));
      if (err.problem === 'not-found') return reply.code(404).send(noticePage('找不到电子证照', '该电子证照不存在。'));
      return reply.code(403).send(noticePage('访问令牌无效', '电子证照访问令牌无效。'));
    }
  };
  app.get('/license/view_license', show(false));
  app.get('/license/view_mobile', show(true));
}
