import type { FastifyInstance } from 'fastify';
import type { Services } from '../../node/services.js';
import type { BatchItemResult } from '../../core/batches.js';
import { MAX_BATCH_ITEMS } from '../../core/batches.js';
import { ArgumentError, withSession } from './handler.js';
import { dataFields, paramsOf, text, writeContext } from './params.js';

/** F.2's failure message for a draft that is not there; the others name the state. */
const SIGN_MESSAGES: Record<string, string> = {
  'not-found': '找不到需要签名的电子证照',
  'not-draft': '电子证照不是待签发状态',
  'not-issuer': '电子证照只能由发证机构签发',
  'not-maker': '制证数据只能由创建它的机构和业务系统签发',
  'outside-division': '超出操作员所属行政区划',
};

/**
 * Batch create and batch sign (6.6, appendix F). The answer lists every item in order; the batch
 * also gets an identifier whose progress `GET /license/batch/{batch_id}` reports while it runs.
 */
export async function batchRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const route = (fn: Parameters<typeof withSession>[1]) => withSession(s, fn);
  const typeOf = (req: { params: unknown }) => (req.params as { item_code: string }).item_code;
  const big = { bodyLimit: s.cfg.batchBodyLimitBytes };

  app.post('/license/:item_code/batch_create', big, route(async (req, session) => {
    const p = paramsOf(req.body);
    const ctx = writeContext(p, session, req, 'batch_create');
    const licenses = p.licenses;
    if (!Array.isArray(licenses) || licenses.length === 0) throw new ArgumentError('licenses 必填，应为 CreateData 数组');
    if (licenses.length > MAX_BATCH_ITEMS) throw new ArgumentError(`licenses 最多 ${MAX_BATCH_ITEMS} 条`);
    const items = licenses.map((l, i) => {
      if (l === null || typeof l !== 'object' || Array.isArray(l)) throw new ArgumentError(`licenses[${i}] 应为对象`);
      const o = l as Record<string, unknown>;
      try {
        return { fields: dataFields(o), licenseGroup: text(o, 'license_group', false, 64) ?? text(p, 'license_group', false, 64) };
      } catch (err) {
        throw new ArgumentError(`licenses[${i}].${(err as Error).message}`);
      }
    });
    const result = await s.batches.create(typeOf(req), items, ctx, text(p, 'seal_code', false, 64));
    return { data: { batch_id: result.progress.id, license_codes: result.items.map(createOutcome) } };
  }));

  app.post('/license/:item_code/batch_sign', route(async (req, session) => {
    const p = paramsOf(req.body);
    const ctx = writeContext(p, session, req, 'batch_sign');
    const division = text(p, 'division_code', false, 6);
    let target: { ids: string[] } | { divisionCode: string };
    if (p.license_codes !== undefined && p.license_codes !== null) {
      if (!Array.isArray(p.license_codes)) throw new ArgumentError('license_codes 应为数组');
      // Table 12 says List<String>; example F.2 sends [{"license_code": "…"}]. Both are read (trimmed: F.2 has trailing spaces).
      const ids = p.license_codes.map((x, i) => {
        const v = typeof x === 'string' ? x : x !== null && typeof x === 'object' ? (x as Record<string, unknown>).license_code : undefined;
        if (typeof v !== 'string' || !v.trim()) throw new ArgumentError(`license_codes[${i}] 应为证照唯一编码`);
        return v.trim();
      });
      target = { ids };
    } else if (division) {
      if (!/^\d{6}$/.test(division)) throw new ArgumentError('division_code 应为 6 位行政区划代码');
      target = { divisionCode: division };
    } else {
      throw new ArgumentError('license_codes 与 division_code 至少提供一个');
    }
    const result = await s.batches.sign(typeOf(req), target, ctx);
    return {
      data: {
        batch_id: result.progress.id,
        result: result.items.map((i) => ({
          license_code: i.id ?? '',
          result_msg: i.ok ? 'SUCCESS' : SIGN_MESSAGES[i.problem ?? ''] ?? `签发失败：${i.problem}`,
          result_code: i.ok ? 'signSuccess' : 'signFail',
        })),
      },
    };
  }));

  app.get('/license/batch/:batch_id', route(async (req) => {
    const p = await s.batches.progress((req.params as { batch_id: string }).batch_id);
    if (!p) throw new ArgumentError('batch_id 不存在');
    return { data: { batch_id: p.id, kind: p.kind, license_item_code: p.typeCode, total: p.total, done: p.done, state: p.state.toUpperCase() } };
  }));
}

/** F.1 lists license codes; an item that failed is reported in its place with why. */
function createOutcome(i: BatchItemResult): string | { index: number; result_code: string; result_msg: string } {
  if (i.ok) return i.id!;
  return { index: i.seq, result_code: 'createFail', result_msg: i.problem === 'duplicate' ? `同一证照号码的电子证照已存在：${i.detail}`
    : i.problem === 'outside-division' ? `超出操作员所属行政区划：${i.detail}` : `证照数据内容不正确：${i.detail ?? i.problem}` };
}
