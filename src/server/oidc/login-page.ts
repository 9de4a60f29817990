/** Escapes text for HTML content and attribute values. */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The demo provider's sign-in page: plain HTML, no script, labelled fields (it passes axe-core as the portal does). */
export function loginPage(uid: string, error: string, username = ''): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>统一身份认证 · 演示</title>
<style>
body{font-family:system-ui,sans-serif;background:#f2f4f7;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;padding:24px;border-radius:8px;width:min(360px,90vw);box-shadow:0 2px 8px #0002}
h1{font-size:20px;margin:0 0 16px}label{display:block;margin:12px 0 4px;color:#333}
input{width:100%;box-sizing:border-box;padding:10px;font-size:16px;border:1px solid #888;border-radius:4px}
button{margin-top:20px;width:100%;padding:12px;font-size:16px;background:#0b57d0;color:#fff;border:0;border-radius:4px}
.err{color:#b00020;margin:8px 0 0}
</style></head>
<body><main>
<h1>统一身份认证（演示）</h1>
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label for="username">用户名 / Username</label>
<input id="username" name="username" value="${esc(username)}" required autofocus>
<label for="password">密码 / Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
${error ? `<p class="err" role="alert">${esc(error)}</p>` : ''}
<button type="submit">登录 / Sign in</button>
</form>
</main></body></html>`;
}
