const esc = (v: string) => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export interface StatusView {
  id: string;
  typeName: string;
  holderName: string;
  issuer: string;
  issueDate: string;
  validTo: string;
  state: string;
  usable: boolean;
}

/** The page a file's QR code opens: the certificate's state, and a form to check a whole file. */
export function verifyPage(view: StatusView | undefined, id: string): string {
  const body = view
    ? `<h1>${esc(view.typeName)}</h1>
<p class="state ${view.usable ? 'ok' : 'bad'}" id="state">${esc(view.state)}</p>
<table>
<tr><th>证照标识</th><td>${esc(view.id)}</td></tr>
<tr><th>持证主体</th><td>${esc(view.holderName)}</td></tr>
<tr><th>发证机构</th><td>${esc(view.issuer)}</td></tr>
<tr><th>发证日期</th><td>${esc(view.issueDate)}</td></tr>
<tr><th>有效期至</th><td>${esc(view.validTo)}</td></tr>
</table>`
    : `<h1>未找到证照</h1><p class="state bad" id="state">本节点没有标识为 ${esc(id)} 的已签发证照</p>`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>电子证照核验</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}th{text-align:left;color:#666;padding-right:1rem;font-weight:normal}
td{word-break:break-all}.state{font-size:1.4rem;font-weight:bold}.ok{color:#1a7f37}.bad{color:#b42318}#result{margin-top:1rem;white-space:pre-wrap}</style></head>
<body>${body}
<h2>核验证照文件</h2>
<p>选择一份 PDF 或 OFD 证照文件（原件或加注件），核验其签名、印章和证照状态。</p>
<input type="file" id="file" accept=".pdf,.ofd,application/pdf,application/ofd">
<div id="result" aria-live="polite"></div>
<script>
const PAGE = ${JSON.stringify(view ? { id: view.id, state: view.state, usable: view.usable } : {}).replace(/</g, '\\u003c')};
document.getElementById('file').addEventListener('change', async (e) => {
  const f = e.target.files[0]; if (!f) return;
  const out = document.getElementById('result'); out.textContent = '核验中…';
  const bytes = new Uint8Array(await f.arrayBuffer()); let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  const res = await fetch('/verify/file', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fileEntity: btoa(bin), ...(PAGE.id ? { certificateId: PAGE.id } : {}) }) });
  const v = await res.json();
  // The certificate's own state comes first: a genuine file of a certificate that no longer stands is no proof.
  const stands = !PAGE.id || PAGE.usable;
  out.className = v.genuine && stands ? 'ok' : 'bad';
  out.textContent = (PAGE.id && !PAGE.usable ? '本证照当前状态：' + PAGE.state + '\n' : '') + (v.message || v.error) + (v.certificate ? '\\n' + v.certificate.typeName + '（' + v.certificate.id + '）' : '') + (v.copy && v.copy.expiresAt ? '\\n加注件有效期至 ' + v.copy.expiresAt : '');
});
</script></body></html>`;
}
