import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeBackend, type Backend } from '../support/backends.js';
import { ENTRY, cli, cliAsync, startNode, type RunningNode } from '../support/node-process.js';
import { SYSTEM_USER } from '../../src/store/embedded/system-user.js';
import { AccountService } from '../../src/core/accounts.js';
import { cstCompactDate } from '../../src/domain/dates.js';

/**
 * The embedded default as `npm start` runs it: a PostgreSQL server per data directory that nodes
 * and commands share, started by the first and stopped by the last; a node killed under load loses
 * nothing it answered; a directory the server cannot use gets one clear sentence.
 */
const postmaster = (b: Backend): number | undefined => {
  try {
    const pid = Number(readFileSync(join(b.dataDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 0);
    return pid;
  } catch { return undefined; }
};

describe('embedded PostgreSQL: shared by nodes and commands', () => {
  let b: Backend;
  let first: RunningNode;
  before(async () => {
    b = await makeBackend('embedded');
    first = await startNode(b, ['--demo']);
  });
  after(async () => {
    await first?.stop();
    await b.cleanup();
  });

  test('the cluster, its secrets and the server as the first start made them', () => {
    const secrets = JSON.parse(readFileSync(join(b.dataDir, 'secrets', 'postgres.json'), 'utf8'));
    assert.equal(statSync(join(b.dataDir, 'secrets', 'postgres.json')).mode & 0o777, 0o600);
    assert.equal(secrets.user, 'zhengzhao');
    assert.match(secrets.password, /^[A-Za-z0-9_-]{32}$/);
    assert.ok(Number.isInteger(secrets.port) && secrets.port > 1024);
    const conf = readFileSync(join(b.dataDir, 'pgdata', 'postgresql.conf'), 'utf8');
    assert.match(conf, /^listen_addresses = '127\.0\.0\.1'$/m);
    assert.match(conf, /^unix_socket_directories = ''$/m);
    assert.equal(readFileSync(join(b.dataDir, 'pgdata', 'PG_VERSION'), 'utf8').trim(), '17');
    assert.ok(postmaster(b));
    // Nothing of the cluster is open to others.
    assert.equal(statSync(join(b.dataDir, 'pgdata')).mode & 0o077, 0);
  });

  test('the command line opens the same database while the node runs, and leaves the server running', () => {
    const list = cli(b, ['accounts', 'list', '--json']);
    assert.equal(list.status, 0, list.stderr);
    assert.ok(JSON.parse(list.stdout).some((a: { id: string }) => a.id === 'demo'));
    const added = cli(b, ['accounts', 'add', '--id', 'beside', '--name', '旁路系统']);
    assert.equal(added.status, 0, added.stderr);
    assert.ok(postmaster(b), 'the command did not stop the server the node uses');
  });

  test('a second serve shares the server; SIGTERM of the last node stops PostgreSQL', async () => {
    const creds = JSON.parse(readFileSync(join(b.dataDir, 'demo-credentials.json'), 'utf8'));
    const server = postmaster(b);
    const second = await startNode(b);
    try {
      assert.equal(postmaster(b), server, 'one server for both');
      const token = AccountService.expectedToken({ id: creds.national.accountId, scheme: 'hmac-sm3', secret: creds.national.secret }, cstCompactDate(new Date()));
      for (const node of [first, second]) {
        const r = await (await fetch(`${node.baseUrl}/elssp/v1/Retrieval`, { method: 'POST', body: new URLSearchParams({ AccountId: 'demo', AccessToken: token, CertificateHolderCode: creds.holders[0].code, UseFor: '共享测试' }) })).json() as { head: { status: string } };
        assert.equal(r.head.status, '0');
      }
    } finally {
      await second.stop();
    }
    assert.equal(postmaster(b), server, 'the first node still holds the server');
    await first.stop();
    assert.equal(postmaster(b), undefined, 'the last node stopped the server');
    first = await startNode(b, ['--demo']);
  });

  test('db status names the server and who uses it; db stop ends the one a killed node left', async () => {
    const status = () => JSON.parse(cli(b, ['db', 'status', '--json']).stdout);
    const running = status();
    assert.equal(running.state, 'ours');
    assert.equal(running.postmaster, postmaster(b));
    assert.deepEqual(running.users, [first.process.pid]);
    first.process.kill('SIGKILL');
    await new Promise((r) => first.process.once('exit', r));
    const left = status();
    assert.equal(left.postmaster, running.postmaster, 'the server outlives a killed node');
    assert.deepEqual(left.users, []);
    assert.equal(JSON.parse(cli(b, ['db', 'stop', '--json']).stdout).stopped, true);
    assert.equal(status().postmaster, undefined);
    assert.equal(postmaster(b), undefined);
  });
});

describe('embedded PostgreSQL: faults get one clear sentence', () => {
  const dirs: Backend[] = [];
  const fresh = async () => { const b = await makeBackend('embedded'); dirs.push(b); return b; };
  after(async () => { for (const b of dirs) await b.cleanup(); });
  const refused = (r: { status: number; stderr: string }, pattern: RegExp) => {
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  };

  test('an old PGlite database: says how to start afresh', async () => {
    const b = await fresh();
    mkdirSync(join(b.dataDir, 'pgdata', 'base'), { recursive: true });
    writeFileSync(join(b.dataDir, 'pgdata', 'PG_VERSION'), '17\n');
    refused(cli(b, ['accounts', 'list']), /holds a PGlite database .* Start afresh: move .* aside/);
    assert.ok(existsSync(join(b.dataDir, 'pgdata', 'PG_VERSION')), 'nothing stored is touched');
  });

  test('a cluster of a newer PostgreSQL major version', async () => {
    const b = await fresh();
    assert.equal(cli(b, ['accounts', 'list']).status, 0);
    writeFileSync(join(b.dataDir, 'pgdata', 'PG_VERSION'), '99\n');
    refused(cli(b, ['accounts', 'list']), /was made by PostgreSQL 99, newer than the PostgreSQL 17/);
    writeFileSync(join(b.dataDir, 'pgdata', 'PG_VERSION'), '17\n');
    assert.equal(cli(b, ['accounts', 'list']).status, 0, 'the cluster itself is untouched');
  });

  test('a half-made first start is made again', async () => {
    const b = await fresh();
    mkdirSync(join(b.dataDir, 'pgdata.initialising', 'data', 'base'), { recursive: true });
    writeFileSync(join(b.dataDir, 'pgdata.initialising', 'data', 'PG_VERSION'), '17\n');
    const r = cli(b, ['accounts', 'list', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(join(b.dataDir, 'pgdata.initialising')), false);
  });

  test('the remembered port taken by another program', async () => {
    const b = await fresh();
    assert.equal(cli(b, ['accounts', 'add', '--id', 'kept', '--name', '保留']).status, 0);
    const { port } = JSON.parse(readFileSync(join(b.dataDir, 'secrets', 'postgres.json'), 'utf8'));
    const squatter = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    try {
      refused(await cliAsync(b, ['accounts', 'list']), new RegExp(`port ${port}, where the embedded PostgreSQL of .* listens, is taken by another program`));
    } finally {
      await new Promise((r) => squatter.close(r));
    }
    const after = cli(b, ['accounts', 'list', '--json']);
    assert.deepEqual(JSON.parse(after.stdout).map((a: { id: string }) => a.id), ['kept'], 'nothing stored was lost');
  });

  test('a data directory that cannot be written, and one built from an undefined value', async () => {
    const b = await fresh();
    writeFileSync(join(b.dataDir, 'a-file'), 'x');
    refused(cli(undefined, ['accounts', 'list', '--data', join(b.dataDir, 'a-file', 'data')]), /is not a directory this user can write/);
    refused(cli(undefined, ['accounts', 'list', '--data', join(b.dataDir, 'undefined')]), /names a missing value/);
    assert.equal(existsSync(join(b.dataDir, 'undefined')), false);
  });
});

// As root (CI) the server runs as the system user; an ordinary user runs it as itself. That path is
// tried here as the system user itself, when the checkout is readable by it.
const asUser = (user: string, args: string[]) => spawnSync('runuser', ['-u', user, '--', process.execPath, ...ENTRY, ...args], { encoding: 'utf8', timeout: 120_000 });
const ordinarySkip = (() => {
  if (process.getuid?.() !== 0) return 'not root: this whole file already runs as an ordinary user';
  if (spawnSync('id', [SYSTEM_USER]).status !== 0) return `no ${SYSTEM_USER} user yet`;
  const r = spawnSync('runuser', ['-u', SYSTEM_USER, '--', 'test', '-r', ENTRY.at(-1)!]);
  return r.status === 0 ? false : `the checkout is not readable by ${SYSTEM_USER}`;
})();

test('as an ordinary user the server runs as that user, with nothing made traversable', { skip: ordinarySkip }, async () => {
  const b = await makeBackend('embedded');
  try {
    const data = join(b.dataDir, 'data');
    mkdirSync(data, { mode: 0o700 });
    const { uid, gid } = { uid: Number(spawnSync('id', ['-u', SYSTEM_USER], { encoding: 'utf8' }).stdout), gid: Number(spawnSync('id', ['-g', SYSTEM_USER], { encoding: 'utf8' }).stdout) };
    chownSync(data, uid, gid);
    const added = asUser(SYSTEM_USER, ['accounts', 'add', '--id', 'plain', '--name', '普通用户', '--data', data]);
    assert.equal(added.status, 0, added.stderr);
    assert.doesNotMatch(added.stderr, /pass through|created the system user/);
    assert.equal(statSync(join(data, 'pgdata')).uid, uid);
    const list = asUser(SYSTEM_USER, ['accounts', 'list', '--json', '--data', data]);
    assert.deepEqual(JSON.parse(list.stdout).map((a: { id: string }) => a.id), ['plain']);
  } finally {
    await b.cleanup();
  }
});

describe('embedded PostgreSQL: a node killed under load, ten times', () => {
  let b: Backend;
  before(async () => { b = await makeBackend('embedded'); });
  after(async () => { await b.cleanup(); });

  test('every answered request has exactly one usage record; the cluster starts again each time', { timeout: 600_000 }, async () => {
    const answered: string[] = [];
    let creds: any;
    for (let round = 0; round < 10; round++) {
      const node = await startNode(b, ['--demo']);
      creds ??= JSON.parse(readFileSync(join(b.dataDir, 'demo-credentials.json'), 'utf8'));
      const token = AccountService.expectedToken({ id: creds.national.accountId, scheme: 'hmac-sm3', secret: creds.national.secret }, cstCompactDate(new Date()));
      let stop = false;
      const worker = async (w: number) => {
        for (let n = 0; !stop; n++) {
          const useFor = `kill-${round}-${w}-${n}`;
          try {
            const res = await fetch(`${node.baseUrl}/elssp/v1/Retrieval`, { method: 'POST', body: new URLSearchParams({ AccountId: 'demo', AccessToken: token, CertificateHolderCode: creds.holders[n % creds.holders.length].code, UseFor: useFor }) });
            const r = await res.json() as { head: { status: string } };
            if (res.status === 200 && r.head.status === '0') answered.push(useFor);
          } catch { return; /* the node is gone */ }
        }
      };
      const workers = Array.from({ length: 8 }, (_, w) => worker(w));
      await new Promise((r) => setTimeout(r, 400 + 100 * round));
      // Every other round the server dies too: its next start runs PostgreSQL's crash recovery.
      const pm = postmaster(b);
      node.process.kill('SIGKILL');
      if (round % 2 === 1 && pm) process.kill(pm, 'SIGKILL');
      stop = true;
      await Promise.all(workers);
      await new Promise((r) => node.process.exitCode !== null || node.process.signalCode ? r(undefined) : node.process.once('exit', r));
    }
    assert.ok(answered.length > 50, `load ran: ${answered.length} answered`);
    const list = cli(b, ['usage', 'list', '--json', '--limit', '1000000']);
    assert.equal(list.status, 0, list.stderr);
    const reasons = (JSON.parse(list.stdout) as { reason: string | null }[]).map((r) => r.reason ?? '').filter((r) => r.startsWith('kill-'));
    const counts = new Map<string, number>();
    for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const missing = answered.filter((u) => !counts.has(u));
    const doubled = [...counts].filter(([, n]) => n > 1);
    assert.deepEqual(missing, [], 'answered but not recorded');
    assert.deepEqual(doubled, [], 'recorded twice');
  });
});
