import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { USAGE_PROOF_ROOT } from '../core/leaf-proofs.js';
import type { Services } from '../node/services.js';
import { LogRequestError } from '../core/transparency-log.js';
import { parseTilePath, TILE_WIDTH } from '../domain/tile-path.js';
import { cosignedCheckpoint } from '../federation/witness.js';

/** Where the log is served; public, like the keys that check it. */
export const LOG_ROOT = '/log';

const COUNT = /^(0|[1-9][0-9]{0,14})$/;
const HASH = /^[0-9a-fA-F]{64}$/;

type Query = Record<string, string | string[] | undefined>;

/** A query parameter as a count (0 … 10^15-1); undefined when absent, a 400 when malformed. */
function count(q: Query, name: string): number | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !COUNT.test(v)) throw new LogRequestError('bad-request', `${name} must be a whole number, once`);
  return Number(v);
}

function need(q: Query, name: string): number {
  const n = count(q, name);
  if (n === undefined) throw new LogRequestError('bad-request', `${name} is required`);
  return n;
}

function answerError(reply: FastifyReply, err: unknown) {
  if (err instanceof LogRequestError) {
    return reply.code(err.kind === 'bad-request' ? 400 : 404).send({ error: { code: err.kind, message: err.message } });
  }
  throw err;
}

/**
 * The transparency log's public face (RFC 9162 proofs, C2SP tlog-checkpoint): the latest signed
 * checkpoint, inclusion proofs by index or leaf hash, consistency proofs. Hashes are hex.
 */
export async function logRoutes(app: FastifyInstance, opts: { services: Services; auditorTokens?: string[] }): Promise<void> {
  const s = opts.services;
  const auditors = (opts.auditorTokens ?? []).map((t) => Buffer.from(`Bearer ${t}`));
  const isAuditor = (authorization: string | undefined) => {
    const given = Buffer.from(authorization ?? '');
    return auditors.some((want) => want.length === given.length && timingSafeEqual(want, given));
  };
  // A holder's proof of one use: the link their use listing carries (a keyed tag, so no one else reads the leaf).
  app.get<{ Params: { id: string }; Querystring: Query }>(`${USAGE_PROOF_ROOT}/:id`, async (req, reply) => {
    try {
      const t = req.query.t;
      if (typeof t !== 'string') throw new LogRequestError('not-found', 'no such proof link');
      return await s.leafProofs.usageProof(req.params.id, t);
    } catch (err) {
      return answerError(reply, err);
    }
  });
  // An auditor's reading of any leaf, with its proof (issue 19: leaf contents for authorised auditors only).
  app.get<{ Params: { index: string } }>(`${LOG_ROOT}/leaf/:index`, async (req, reply) => {
    if (!isAuditor(req.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: 'unauthorised', message: 'an auditor credential is required to read leaf contents' } });
    }
    try {
      const index = need({ index: req.params.index }, 'index');
      return await s.leafProofs.leafAt(index);
    } catch (err) {
      return answerError(reply, err);
    }
  });
  app.get(`${LOG_ROOT}/checkpoint`, async (_req, reply) => {
    const c = await s.checkpoints.latest();
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(c.note);
  });
  app.get<{ Querystring: Query }>(`${LOG_ROOT}/proof/inclusion`, async (req, reply) => {
    try {
      const q = req.query;
      const size = need(q, 'size');
      if (size === 0) throw new LogRequestError('bad-request', 'an empty tree includes no leaf');
      const hash = q.hash;
      const index = count(q, 'index');
      if ((hash === undefined) === (index === undefined)) throw new LogRequestError('bad-request', 'give either index or hash');
      if (index !== undefined) return await s.log.inclusion(index, size);
      if (typeof hash !== 'string' || !HASH.test(hash)) throw new LogRequestError('bad-request', 'hash must be 64 hex digits (SM3)');
      return await s.log.inclusionOfHash(Buffer.from(hash, 'hex'), size);
    } catch (err) {
      return answerError(reply, err);
    }
  });
  // What this node cosigned as a witness of another node's log (C2SP tlog-cosignature).
  app.get<{ Querystring: Query }>(`${LOG_ROOT}/witness/checkpoint`, async (req, reply) => {
    const origin = req.query.origin;
    if (typeof origin !== 'string' || origin === '' || origin.length > 300) return reply.code(400).send({ error: { code: 'bad-request', message: 'origin: the log\'s origin line, once' } });
    const note = await cosignedCheckpoint(s, origin);
    if (!note) return reply.code(404).send({ error: { code: 'not-found', message: `this node has cosigned no checkpoint of ${origin}` } });
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(note);
  });
  // Hash tiles (C2SP tlog-tiles), so the tree can be mirrored as static files; a full tile never changes.
  app.get<{ Params: { '*': string } }>(`${LOG_ROOT}/tile/*`, async (req, reply) => {
    const t = parseTilePath(req.params['*']);
    if (!t) return reply.code(404).send({ error: { code: 'not-found', message: 'not a hash tile path: <L>/<N>[.p/<W>] (tlog-tiles)' } });
    const tile = await s.log.tile(t);
    if (!tile) return reply.code(404).send({ error: { code: 'not-found', message: 'the log does not have this tile yet' } });
    return reply.type('application/octet-stream')
      .header('cache-control', t.width === TILE_WIDTH ? 'public, max-age=31536000, immutable' : 'no-cache').send(tile);
  });
  app.get<{ Querystring: Query }>(`${LOG_ROOT}/proof/consistency`, async (req, reply) => {
    try {
      return await s.log.consistency(need(req.query, 'from'), need(req.query, 'to'));
    } catch (err) {
      return answerError(reply, err);
    }
  });
}
