/**
 * The baseline for bench/national.ts: a bare Fastify route doing the same SQL as the national
 * endpoints (the holder or ID lookup, and the usage-record insert, committed before answering),
 * with no authentication, decryption, signing or envelope. The ratio of the real endpoint to this
 * is what the platform's own work costs.
 */
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import pg from 'pg';
import { loadConfig, loadKeyring } from '../src/config.js';

const url = process.env.DATABASE_URL!;
const cfg = loadConfig({ data: process.env.ZHENGZHAO_DATA });
const keys = loadKeyring(cfg);
const pool = new pg.Pool({ connectionString: url, max: 10 });
const app = Fastify({ logger: false });
await app.register(formbody);

const SUMMARY = `select c.id, c.type_code, t.name, c.holder_type, c.holder_enc, c.issuer_name, c.issuer_code, c.issue_date, c.valid_to, c.status
  from certificates c join certificate_types t on t.code = c.type_code`;
const USAGE = `insert into usage_records (at, dialect, interface, account_id, reason, holder_bidx, certificate_ids, result_code, client_ip, hash)
  values (now(), 'baseline', $1, $2, $3, $4, $5, '0', $6, $7)`;

app.post<{ Body: Record<string, string> }>('/Retrieval', async (req) => {
  const bidx = keys.blindIndex('holder', req.body.CertificateHolderCode ?? '');
  const rows = (await pool.query(`${SUMMARY} where c.holder_bidx = $1 and c.status <> 'draft' order by c.issue_date desc limit 500`, [bidx])).rows;
  await pool.query(USAGE, ['Retrieval', req.body.AccountId, req.body.UseFor, bidx, rows.map((r) => r.id), req.ip, bidx]);
  return { head: { status: '0', message: 'ok' }, data: { total: rows.length, dataList: rows.map((r) => ({ certificateID: r.id, issueDept: r.issuer_name })) } };
});

app.post<{ Body: Record<string, string> }>('/GetCertificateDataByCertificateID', async (req) => {
  const rows = (await pool.query(`select c.*, t.name as type_name from certificates c join certificate_types t on t.code = c.type_code where c.id = $1`, [req.body.CertificateID])).rows;
  await pool.query(USAGE, ['GetCertificateDataByCertificateID', req.body.AccountId, req.body.UseFor, rows[0]?.holder_bidx ?? null, rows.map((r) => r.id), req.ip, Buffer.alloc(32)]);
  return { head: { status: '0', message: 'ok' }, data: { total: rows.length, dataList: rows.map((r) => ({ certificateID: r.id, digitalSign: r.digital_sign })) } };
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ baseUrl: address }));
