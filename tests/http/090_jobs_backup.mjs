// Background jobs and backups: the backup job over HTTP (202, Location,
// polling to done), the file it makes, `reach backup` beside a running
// server, `reach restore` refusing while a server runs and working after,
// refusing files that are not Reach backups.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { test, run, assert } from '../lib/harness.mjs';
import { startServer, Client, ADMIN, BIN, cli } from '../lib/server.mjs';

const sleep = ms => new Promise(r => setTimeout(r, ms));
const sql = (file, q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', file, q]).toString().trim();

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
    s.on('error', rej);
  });
}

// Serves an existing data directory (startServer always makes a new one).
async function serveDir(data) {
  const port = await freePort();
  const proc = spawn(BIN, ['--data', data, 'serve', '--listen', `127.0.0.1:${port}`, '--threads', '2'],
    { env: { ...process.env, REACH_PASSWORD_MEMLIMIT: '65536', REACH_PASSWORD_OPSLIMIT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', d => { log += d; });
  proc.stderr.on('data', d => { log += d; });
  const exited = new Promise(res => proc.on('exit', (code, sig) => res({ code, sig })));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(url + '/healthz')).ok) break; } catch { /* not yet */ }
    if (proc.exitCode !== null) throw new Error('server exited: ' + log);
    await sleep(25);
  }
  return { url, proc, exited, log: () => log };
}

async function waitJob(c, id, timeoutMs = 20000) {
  const t0 = Date.now();
  for (;;) {
    const r = await c.req('GET', `/api/v1/jobs/${id}`);
    assert.equal(r.status, 200, r.text);
    if (r.json.state === 'done' || r.json.state === 'failed') return r.json;
    assert.ok(Date.now() - t0 < timeoutMs, `job still ${r.json.state} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

let srv, admin;

test('POST /api/v1/backups is 202 with a Location, and the job finishes with a file', async () => {
  admin = new Client(srv.url);
  assert.equal((await admin.login(ADMIN.login, ADMIN.password)).status, 200);
  const metrics0 = await (await fetch(srv.url + '/metrics')).text();
  const done0 = Number(/^reach_jobs_total\{state="done"\} (\d+)$/m.exec(metrics0)[1]);
  const r = await admin.req('POST', '/api/v1/backups');
  assert.equal(r.status, 202, r.text);
  assert.equal(r.headers.get('location'), `/api/v1/jobs/${r.json.id}`);
  assert.equal(r.json.kind, 'backup');
  assert.ok(['queued', 'running', 'done'].includes(r.json.state), r.json.state);
  assert.equal(r.json.started_by, (await admin.req('GET', '/api/v1/me')).json.id);
  // The server keeps answering while the job runs.
  const probes = await Promise.all([1, 2, 3].map(() => fetch(srv.url + '/healthz').then(x => x.status)));
  assert.deepEqual(probes, [200, 200, 200]);
  const job = await waitJob(admin, r.json.id);
  assert.equal(job.state, 'done', job.message);
  assert.ok(job.finished_at && job.started_at, 'times recorded');
  assert.equal(typeof job.result.path, 'string');
  assert.ok(job.result.bytes > 0, 'bytes ' + job.result.bytes);
  assert.equal(statSync(job.result.path).size, job.result.bytes);
  assert.ok(job.progress > 0 && job.progress === job.total, `progress ${job.progress}/${job.total}`);
  assert.ok(!existsSync(job.result.path + '.partial'), 'no half file left');
  // The copy is a whole database holding the accounts.
  assert.equal(sql(job.result.path, 'PRAGMA integrity_check'), 'ok');
  assert.equal(sql(job.result.path, 'select login from users'), 'admin');
  assert.equal((await fetch(srv.url + '/healthz')).status, 200);
  const metrics1 = await (await fetch(srv.url + '/metrics')).text();
  assert.equal(Number(/^reach_jobs_total\{state="done"\} (\d+)$/m.exec(metrics1)[1]), done0 + 1);
});

test('a backup that cannot be written fails the job with a message', async () => {
  const m0 = await (await fetch(srv.url + '/metrics')).text();
  const failed0 = Number(/^reach_jobs_total\{state="failed"\} (\d+)$/m.exec(m0)[1]);
  // The backups folder's place is taken by a file.
  const dir = join(srv.data, 'backups');
  rmSync(dir, { recursive: true, force: true });
  writeFileSync(dir, 'in the way\n');
  try {
    const r = await admin.req('POST', '/api/v1/backups');
    assert.equal(r.status, 202);
    const job = await waitJob(admin, r.json.id);
    assert.equal(job.state, 'failed');
    assert.ok(job.message.length > 0, 'a message says why');
    assert.equal(job.result, null);
    const m1 = await (await fetch(srv.url + '/metrics')).text();
    assert.equal(Number(/^reach_jobs_total\{state="failed"\} (\d+)$/m.exec(m1)[1]), failed0 + 1);
    assert.equal((await fetch(srv.url + '/healthz')).status, 200);
  } finally {
    rmSync(dir, { force: true });
  }
});

test('a job that does not exist is 404', async () => {
  const r = await admin.req('GET', `/api/v1/jobs/${randomUUID()}`);
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
  assert.equal((await admin.req('GET', '/api/v1/jobs/not-a-uuid')).status, 404);
  assert.equal((await admin.req('GET', "/api/v1/jobs/'%20OR%201=1")).status, 404);
});

test('reach backup FILE works while the server runs and prints progress lines', async () => {
  // Something to find in the copy, written while the server runs.
  const u = await admin.req('POST', '/api/v1/users',
    { json: { login: 'in-backup', display_name: 'In backup', role: 'teacher', password: 'in-backup-password' } });
  assert.equal(u.status, 201);
  const file = join(srv.data, 'cli-backup.db');
  const r = cli(srv.data, ['backup', file]);
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout + r.stderr;
  assert.match(out, /^backup: \d+% \(\d+\/\d+\)$/m, 'plain progress lines: ' + out);
  assert.match(out, /^backup: 100% /m);
  assert.ok(!out.includes('\r'), 'no carriage returns (not a terminal)');
  assert.ok(!out.includes('\x1b['), 'no terminal escapes');
  assert.equal(sql(file, "select login from users where login = 'in-backup'"), 'in-backup');
  assert.equal((await fetch(srv.url + '/healthz')).status, 200, 'the server kept serving');
  // Made after the backup: must be gone after the restore.
  const after = await admin.req('POST', '/api/v1/users',
    { json: { login: 'after-backup', display_name: 'After', role: 'teacher', password: 'after-backup-pass' } });
  assert.equal(after.status, 201);
});

test('reach backup into a directory that does not exist fails cleanly', async () => {
  const r = cli(srv.data, ['backup', join(srv.data, 'no', 'such', 'dir', 'x.db')]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /cannot|fail/i);
  assert.ok(!/BUG|Sanitizer|Segmentation/.test(r.stderr));
});

test('reach restore refuses while a server is running', async () => {
  const r = cli(srv.data, ['restore', join(srv.data, 'cli-backup.db')]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /stop it/i, r.stderr);
  // Nothing was replaced: the server still has the account made after the backup.
  const l = await admin.req('GET', '/api/v1/users?limit=500');
  assert.ok(l.json.items.some(i => i.login === 'after-backup'));
});

test('reach restore refuses files that are not Reach backups', async () => {
  const garbage = join(srv.data, 'garbage.db');
  writeFileSync(garbage, 'this is not a database at all\n'.repeat(200));
  let r = cli(srv.data, ['restore', garbage]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /garbage\.db/);
  assert.match(r.stderr, /not a (whole SQLite database|Reach backup)|cannot be opened/, r.stderr);
  const other = join(srv.data, 'other.db');
  sql(other, 'CREATE TABLE x (a); INSERT INTO x VALUES (1);');
  r = cli(srv.data, ['restore', other]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /not a Reach backup/, r.stderr);
  r = cli(srv.data, ['restore', join(srv.data, 'missing.db')]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /missing\.db/);
  r = cli(srv.data, ['restore']);
  assert.equal(r.status, 2, 'usage');
});

test('after stopping, restore works and a new server serves the restored data', async () => {
  srv.proc.kill('SIGTERM');
  const ex = await srv.exited;
  assert.equal(ex.code, 0);
  const garbage = cli(srv.data, ['restore', join(srv.data, 'garbage.db')]);
  assert.notEqual(garbage.status, 0, 'still refused with no server');
  // A job the copy says is running (as an API backup's own job is in
  // its copy) is failed by the restore, not run again by the next server.
  const copy = join(srv.data, 'cli-backup.db');
  sql(copy, `INSERT INTO jobs (id, kind, state, params, created_at, updated_at, seq, attempts) VALUES
    ('job-in-copy', 'backup', 'running', '{}', 'x', 'x', 1, 1)`);
  // Uploads: one an import the copy has running waits for (failed by the
  // restore, so its upload goes), one a queued import waits for (kept,
  // known by its name: the server may have spelt the data directory
  // otherwise), and one the copy knows nothing of (goes).
  const uploads = join(srv.data, 'imports');
  mkdirSync(uploads, { recursive: true });
  const up = name => join(uploads, name + '.upload');
  for (const name of ['running', 'queued', 'unknown']) writeFileSync(up(name), 'id\n');
  // Its import row is still queued: the job had just started.
  sql(copy, `INSERT INTO imports (id, kind, source, state, mode, job_id, started_at, seq) VALUES
    ('imp-running', 'people', 'p.csv', 'queued', 'default', 'import-running', 'x', 1)`);
  sql(copy, `INSERT INTO jobs (id, kind, state, params, created_at, updated_at, seq, attempts) VALUES
    ('import-running', 'import', 'running', '{"path": "${up('running')}"}', 'x', 'x', 1, 1),
    ('import-queued', 'import', 'queued', '{"path": "./elsewhere/imports/queued.upload"}', 'x', 'x', 1, 0)`);
  const r = cli(srv.data, ['restore', copy]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /restored/);
  assert.equal(sql(join(srv.data, 'reach.db'), "SELECT state FROM jobs WHERE id = 'job-in-copy'"), 'failed');
  assert.deepEqual(['running', 'queued', 'unknown'].map(n => existsSync(up(n))), [false, true, false]);
  assert.equal(sql(join(srv.data, 'reach.db'), "SELECT state FROM imports WHERE id = 'imp-running'"), 'failed');
  // The queued import is not this test's: it goes before a server runs it.
  sql(join(srv.data, 'reach.db'), "DELETE FROM jobs WHERE id = 'import-queued'");
  rmSync(up('queued'));
  // A half file that a backup stopped in the middle left behind: the
  // server that takes the jobs removes it before any job runs.
  const stale = join(srv.data, 'backups', 'reach-2026-01-01T00-00-00-000Z.db.partial');
  mkdirSync(join(srv.data, 'backups'), { recursive: true });
  writeFileSync(stale, 'half a backup\n');
  const s2 = await serveDir(srv.data);
  try {
    const c = new Client(s2.url);
    assert.equal((await c.login(ADMIN.login, ADMIN.password)).status, 200);
    for (let i = 0; i < 200 && existsSync(stale); i++) await sleep(50);
    assert.ok(!existsSync(stale), 'the half file an earlier backup left is removed');
    const l = await c.req('GET', '/api/v1/users?limit=500');
    const logins = l.json.items.map(i => i.login);
    assert.ok(logins.includes('in-backup'), 'data from before the backup');
    assert.ok(!logins.includes('after-backup'), 'nothing from after it');
    const ready = await (await fetch(s2.url + '/readyz')).json();
    assert.equal(ready.status, 'ok');
    // And the restored instance takes backups again.
    const j = await c.req('POST', '/api/v1/backups');
    assert.equal(j.status, 202);
    assert.equal((await waitJob(c, j.json.id)).state, 'done');
  } finally {
    s2.proc.kill('SIGTERM');
    await s2.exited;
  }
});

test('jobs a stopped server left running are run again, or failed once tried twice', async () => {
  const db = join(srv.data, 'reach.db');
  const upload = join(srv.data, 'upload-gone.csv');
  writeFileSync(upload, 'id,role,given_name,family_name\n');
  const params = JSON.stringify({ import_id: 'imp-gone', kind: 'people', path: upload, mode: 'default' });
  const again = join(srv.data, 'upload-again.csv');
  writeFileSync(again, 'id,role,given_name,family_name\n');
  const params2 = JSON.stringify({ import_id: 'imp-again', kind: 'people', path: again, mode: 'default' });
  const admin = sql(db, `SELECT id FROM users WHERE login = '${ADMIN.login}'`);
  const now = new Date().toISOString();
  // As a server leaves them when it is killed: a refresh claimed once,
  // an upload's import claimed twice, another claimed once (with a row
  // its first try rejected), all 'running'.
  sql(db, `INSERT INTO jobs (id, kind, state, params, started_by, created_at, started_at, updated_at, seq, attempts) VALUES
    ('job-again', 'dashboard_refresh', 'running', '{}', NULL, '${now}', '${now}', '${now}', 1, 1),
    ('job-gone', 'import', 'running', '${params}', '${admin}', '${now}', '${now}', '${now}', 1, 2),
    ('job-imp-again', 'import', 'running', '${params2}', '${admin}', '${now}', '${now}', '${now}', 1, 1);
    INSERT INTO imports (id, kind, source, mode, state, job_id, started_by, started_at, seq) VALUES
    ('imp-gone', 'people', 'people.csv', 'default', 'running', 'job-gone', '${admin}', '${now}', 1),
    ('imp-again', 'people', 'people.csv', 'default', 'running', 'job-imp-again', '${admin}', '${now}', 1);
    INSERT INTO import_rejects (import_uid, file, row, col, reason)
    SELECT uid, 'people.csv', 2, 'id', 'stale' FROM imports WHERE id = 'imp-again';`);
  const s3 = await serveDir(srv.data);
  let s4;
  try {
    for (let i = 0; sql(db, "SELECT state FROM jobs WHERE id = 'job-again'") !== 'done'; i++) {
      assert.ok(i < 400, 'the refresh ran again: ' + sql(db, "SELECT state, message FROM jobs WHERE id = 'job-again'"));
      await sleep(25);
    }
    assert.equal(sql(db, "SELECT attempts FROM jobs WHERE id = 'job-again'"), '2');
    assert.equal(sql(db, "SELECT state FROM jobs WHERE id = 'job-gone'"), 'failed');
    assert.match(sql(db, "SELECT message FROM jobs WHERE id = 'job-gone'"), /server stopped while this job was running/);
    assert.equal(sql(db, "SELECT state FROM imports WHERE id = 'imp-gone'"), 'failed');
    assert.match(sql(db, "SELECT message FROM imports WHERE id = 'imp-gone'"), /upload the file again/);
    assert.ok(!existsSync(upload), 'the abandoned upload is removed');
    // The import queued again ran to its end, its report started afresh.
    for (let i = 0; sql(db, "SELECT state FROM jobs WHERE id = 'job-imp-again'") !== 'done'; i++) {
      assert.ok(i < 400, 'the import ran again: ' + sql(db, "SELECT state, message FROM jobs WHERE id = 'job-imp-again'"));
      await sleep(25);
    }
    assert.equal(sql(db, "SELECT state FROM imports WHERE id = 'imp-again'"), 'done');
    assert.equal(sql(db, "SELECT count(*) FROM import_rejects r JOIN imports i ON i.uid = r.import_uid " +
      "WHERE i.id = 'imp-again'"), '0');
    assert.match(s3.log(), /queued again/);
    // A second server on the same data leaves the jobs to the first.
    s4 = await serveDir(srv.data);
    for (let i = 0; !/another server runs the jobs/.test(s4.log()) && i < 200; i++) await sleep(25);
    assert.match(s4.log(), /another server runs the jobs/);
    // When the first stops, the second takes the jobs over.
    s3.proc.kill('SIGTERM');
    await s3.exited;
    sql(db, `INSERT INTO jobs (id, kind, state, params, created_at, updated_at, seq) VALUES
      ('job-later', 'dashboard_refresh', 'queued', '{}', '${now}', '${now}', 1)`);
    for (let i = 0; sql(db, "SELECT state FROM jobs WHERE id = 'job-later'") !== 'done'; i++) {
      assert.ok(i < 400, 'the second server ran the job: ' + s4.log());
      await sleep(25);
    }
    // Its log line may still be on its way through the pipe.
    for (let i = 0; !/this server runs the jobs/.test(s4.log()) && i < 200; i++) await sleep(25);
    assert.match(s4.log(), /this server runs the jobs/);
  } finally {
    for (const s of [s3, s4]) if (s && s.proc.exitCode === null) { s.proc.kill('SIGTERM'); await s.exited; }
  }
});

try {
  srv = await startServer();
  process.exitCode = await run();
} finally {
  if (srv) {
    if (srv.proc.exitCode === null) await srv.stop();
    else rmSync(srv.data, { recursive: true, force: true });
  }
}
