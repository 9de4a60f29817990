import type { FastifyInstance, FastifyRequest } from 'fastify';
import iconv from 'iconv-lite';

/**
 * DB51/T 2942 6.1: requests and responses carry GB/T 13000 characters, Chinese ones as GB 18030
 * defines them. Callers send JSON in UTF-8 or, saying so in the Content-Type (charset=GB18030, or
 * its subsets GBK and GB2312), in GB 18030; the answer comes back in the caller's encoding.
 * Node decodes GB 18030 itself (WHATWG TextDecoder, which reads GBK and GB2312 as GB 18030) but
 * cannot encode it, so answers are encoded with iconv-lite. An answer is always labelled GB18030,
 * the encoding it is really in, even when the caller said GBK: what GBK covers, it writes alike.
 */
const GB = new Set(['gb18030', 'gbk', 'gb2312', 'x-gbk', 'cp936', 'windows-936']);
const UTF8 = new Set(['utf-8', 'utf8']);

export function charsetOf(req: FastifyRequest): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(req.headers['content-type'] ?? '');
  return m ? m[1]!.toLowerCase() : undefined;
}

const isGb = (req: FastifyRequest) => GB.has(charsetOf(req) ?? '');

const badRequest = (message: string) => Object.assign(new Error(message), { statusCode: 400 });

/**
 * Installs, in the dialect's scope only, the JSON parser that honours the charset (and refuses
 * bytes that are not valid in it) and the hook that encodes answers to GB 18030 callers. Other
 * content types (forms, text) are refused with 415, which the dialect answers as 24.
 */
export function installCharsets(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const charset = charsetOf(req);
    if (charset !== undefined && !GB.has(charset) && !UTF8.has(charset)) {
      return done(badRequest(`unsupported charset ${charset}: send UTF-8 or GB18030 (GBK, GB2312)`), undefined);
    }
    let text: string;
    try {
      text = new TextDecoder(GB.has(charset ?? '') ? 'gb18030' : 'utf-8', { fatal: true }).decode(body as Buffer);
    } catch {
      return done(badRequest(`the body is not valid ${GB.has(charset ?? '') ? 'GB 18030' : 'UTF-8'}`), undefined);
    }
    if (text.trim() === '') return done(null, undefined);
    parseJson(req, text, done);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (!isGb(req) || typeof payload !== 'string') return payload;
    const type = String(reply.getHeader('content-type') ?? 'application/json');
    if (!type.startsWith('application/json')) return payload;
    reply.header('content-type', 'application/json; charset=GB18030');
    return iconv.encode(payload, 'gb18030');
  });
}
