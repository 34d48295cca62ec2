// The server's life: SIGTERM lets a request in flight finish and exits 0;
// SIGHUP reopens the log file (for logrotate); the access log has one
// JSON line per request with its duration.
import { mkdtempSync, readFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, run, assert } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

const sleep = ms => new Promise(r => setTimeout(r, ms));

async function waitFor(fn, ms = 5000, what = 'condition') {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    assert.ok(Date.now() - t0 < ms, `timed out waiting for ${what}`);
    await sleep(20);
  }
}

const lines = file => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
const accessLines = file => lines(file).map(l => JSON.parse(l)).filter(j => j.event === 'access');

test('SIGTERM while a slow login is in flight: the login gets its 200, the process exits 0', async () => {
  const s = await startServer({ settings: { password_memlimit: 268435456, password_opslimit: 4 } });
  try {
    const admin = new Client(s.url);
    assert.equal((await admin.login(ADMIN.login, ADMIN.password)).status, 200);
    // This account's hash is made with the server's (slow) cost.
    const made = await admin.req('POST', '/api/v1/users',
      { json: { login: 'slow', display_name: 'Slow', role: 'teacher', password: 'slow-password-123' } });
    assert.equal(made.status, 201, made.text);
    const c = new Client(s.url);
    const t0 = Date.now();
    const pending = c.login('slow', 'slow-password-123');
    await sleep(50);
    s.proc.kill('SIGTERM');
    const r = await pending;
    const took = Date.now() - t0;
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.json.csrf, 'string');
    assert.ok(took > 100, `the login was still running when the signal came (${took} ms)`);
    const ex = await s.exited;
    assert.equal(ex.code, 0, `exit ${JSON.stringify(ex)}: ${s.log().slice(-500)}`);
    assert.match(s.log(), /stopping/);
    await assert.rejects(fetch(s.url + '/healthz'), 'no longer listening');
  } finally {
    await s.stop();
  }
});

test('SIGTERM and SIGINT on an idle server exit 0 promptly', async () => {
  for (const sig of ['SIGTERM', 'SIGINT']) {
    const s = await startServer();
    try {
      // An idle keep-alive connection must not hold the exit up.
      assert.equal((await fetch(s.url + '/healthz')).status, 200);
      const t0 = Date.now();
      s.proc.kill(sig);
      const ex = await s.exited;
      assert.equal(ex.code, 0, sig);
      assert.ok(Date.now() - t0 < 3000, `${sig}: exited in ${Date.now() - t0} ms`);
    } finally {
      await s.stop();
    }
  }
});

test('the access log has one JSON line per request with method, path, status and ms', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reach-log-'));
  const log = join(dir, 'reach.log');
  const s = await startServer({ settings: { log } });
  try {
    const paths = [];
    for (let i = 0; i < 5; i++) {
      const p = `/api/v1/missing-${i}`;
      paths.push(p);
      assert.equal((await fetch(s.url + p)).status, 404);
    }
    const c = new Client(s.url);
    await c.login(ADMIN.login, ADMIN.password);
    await c.req('GET', '/api/v1/me');
    await c.req('POST', '/api/v1/tokens', { json: { name: 'logged' } });
    const all = await waitFor(() => {
      const a = accessLines(log);
      return a.filter(j => j.path === '/api/v1/tokens').length === 1 && a;
    }, 5000, 'the access lines');
    for (const p of paths) {
      const mine = all.filter(j => j.path === p);
      assert.equal(mine.length, 1, `one line for ${p}`);
      assert.equal(mine[0].method, 'GET');
      assert.equal(mine[0].status, 404);
      assert.equal(typeof mine[0].ms, 'number');
      assert.ok(mine[0].ms >= 0 && mine[0].ms < 5000);
      assert.match(mine[0].req, /^[0-9a-f]{16}$/, 'the request id');
      assert.equal(mine[0].ip, '127.0.0.1');
      assert.match(mine[0].ts, /^\d{4}-\d\d-\d\dT/);
    }
    const me = all.find(j => j.path === '/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.user, ADMIN.login, 'the signed-in user is named');
    assert.equal(me.route, '/api/v1/me');
    const tok = all.find(j => j.path === '/api/v1/tokens');
    assert.equal(tok.method, 'POST');
    assert.equal(tok.status, 201);
    // Secrets stay out of the log file.
    const text = readFileSync(log, 'utf8');
    assert.ok(!text.includes(ADMIN.password), 'no password in the log');
    assert.ok(!text.includes(c.cookies.reach_session), 'no session token in the log');
    assert.ok(!text.includes(c.csrf), 'no CSRF token in the log');
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGHUP reopens the log: after a rename, new lines go to a new file at the old path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reach-log-'));
  const log = join(dir, 'reach.log');
  const rotated = join(dir, 'reach.log.1');
  const s = await startServer({ settings: { log } });
  try {
    assert.equal((await fetch(s.url + '/api/v1/before-rotate')).status, 404);
    await waitFor(() => accessLines(log).some(j => j.path === '/api/v1/before-rotate'), 5000, 'the first line');
    renameSync(log, rotated);
    // Until the signal, lines still go to the renamed file.
    assert.equal((await fetch(s.url + '/api/v1/while-renamed')).status, 404);
    await waitFor(() => accessLines(rotated).some(j => j.path === '/api/v1/while-renamed'), 5000, 'a line in the renamed file');
    assert.ok(!existsSync(log), 'nothing made the old path yet');
    s.proc.kill('SIGHUP');
    await waitFor(() => existsSync(log), 5000, 'the new log file');
    assert.equal((await fetch(s.url + '/api/v1/after-rotate')).status, 404);
    await waitFor(() => accessLines(log).some(j => j.path === '/api/v1/after-rotate'), 5000, 'a line in the new file');
    assert.ok(!accessLines(rotated).some(j => j.path === '/api/v1/after-rotate'), 'the old file gets no new lines');
    assert.ok(!accessLines(log).some(j => j.path === '/api/v1/before-rotate'), 'the new file starts empty');
    assert.equal(s.proc.exitCode, null, 'SIGHUP does not stop the server');
    assert.equal((await fetch(s.url + '/healthz')).status, 200);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

try {
  process.exitCode = await run();
} catch (e) {
  console.log('not ok - ' + e);
  process.exitCode = 1;
}
