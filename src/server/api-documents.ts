import { RETURN_CODE_MESSAGES } from '../domain/return-codes.js';
import { SICHUAN_MESSAGES } from '../dialects/sichuan/codes.js';
import { TRUST_CODES } from '../dialects/yrd/codes.js';
import { BeijingErrors } from '../dialects/beijing/envelope.js';
import { NATIONAL_ROOT } from '../dialects/national/routes.js';
import { SICHUAN_ROOT } from '../dialects/sichuan/routes.js';
import { BEIJING_API_ROOT } from '../dialects/beijing/routes.js';
import { BEIJING_WEB_ROOT } from '../dialects/beijing/views.js';
import { ZAOZHUANG_ROOT } from '../dialects/zaozhuang/routes.js';
import { YRD_ROOT } from '../dialects/yrd/routes.js';

/** One OpenAPI document the node serves: a dialect's routes (by their prefixes), or the platform's own (prefixes empty). */
export interface ApiDocument {
  name: string;
  title: string;
  description: string;
  prefixes: readonly string[];
  /** The codes its answers carry, with what each means, as the document's error table. */
  codes: Readonly<Record<string, string>>;
  codeNote: string;
}

const beijingCodes = Object.fromEntries(Object.values(BeijingErrors).map((f) => {
  const e = (f as (...a: string[]) => { code: string; message: string })('…', '…');
  return [e.code === 'LICENSE_…' ? 'LICENSE_{state}' : e.code, e.message];
}));

export const API_DOCUMENTS: readonly ApiDocument[] = [
  {
    name: 'national', title: 'National cross-region sharing (ZWFW C 0124, GB/T 36906 names)', prefixes: [NATIONAL_ROOT],
    description: 'Form-encoded (appendix C) or JSON POSTs. Every answer is HTTP 200 with head.status; transport failures (unreadable or oversized bodies) answer 4xx in the same envelope.',
    codes: RETURN_CODE_MESSAGES, codeNote: 'head.status (appendix A):',
  },
  {
    name: 'sichuan', title: 'Sichuan provincial platform (DB51/T 2942-2022)', prefixes: [SICHUAN_ROOT],
    description: 'JSON {head, data} POSTs, in UTF-8 or GB 18030 (charset of the Content-Type).',
    codes: { ...RETURN_CODE_MESSAGES, ...SICHUAN_MESSAGES }, codeNote: 'head.status (table 4 where it words the code, else appendix A of ZWFW C 0124):',
  },
  {
    name: 'beijing', title: 'Beijing certificate issuing and usage (seed 002)', prefixes: [BEIJING_API_ROOT, BEIJING_WEB_ROOT],
    description: 'ack_code SUCCESS or FAILURE with errors [{code, message}]. The document defines no error codes; these are the node\'s, stable.',
    codes: beijingCodes, codeNote: 'errors[].code:',
  },
  {
    name: 'zaozhuang', title: 'Zaozhuang city data docking (DB3704/T 0042-2024)', prefixes: [ZAOZHUANG_ROOT],
    description: 'OAuth2 password grant, then JSON POSTs; head.type says which level answered (1 province, 2 city).',
    codes: RETURN_CODE_MESSAGES, codeNote: 'head.status (5.2, the national appendix A table):',
  },
  {
    name: 'yrd', title: 'Yangtze River Delta regional sharing (seed 004)', prefixes: [YRD_ROOT],
    description: 'JSON POSTs by trusted apps, answered {code, msg, data}; between provinces the business data travels SM2-encrypted (/yrd/v1/peer).',
    codes: {
      ...Object.fromEntries(Object.entries(RETURN_CODE_MESSAGES).map(([c, m]) => [c, m])),
      ...Object.fromEntries(Object.values(TRUST_CODES).map((t) => [String(t.code), t.msg])),
    },
    codeNote: 'code (an integer: appendix A of ZWFW C 0124, and 30-61 for trusted-access refusals):',
  },
  {
    name: 'platform', title: 'Platform: verification pages, published keys, transparency log, files, health, admin', prefixes: [],
    description: 'What every node serves besides the dialects.',
    codes: { 200: 'ok', 400: 'bad request', 401: 'no or wrong admin credential', 404: 'not found', 503: 'not ready' }, codeNote: 'HTTP status:',
  },
];
