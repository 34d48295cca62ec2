// Roles: one account per role, made through the admin API, and for each
// what it may and may not do; anonymous callers; jobs visible only to
// their starter (and administrators); account validation; paging.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { test, run, assert, apiError } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

const ROLES = ['admin', 'national_officer', 'province_officer', 'district_officer', 'school_head', 'teacher',
  'student', 'guardian', 'case_worker', 'donor', 'learner'];
const SCOPES = { province_officer: 'IR-07', district_officer: 'IR-07-03', school_head: 'S1234', teacher: 'S1234',
  student: 'S1234', guardian: 'S1234', case_worker: 'IR-07', donor: 'ORG-9', learner: 'CLC-1' };

let srv, admin;
const accounts = {};   // role -> {id, login, password, client}
let adminJob;          // a job the administrator started
let victim;            // the id of an account the others try to change

// A finished job started by the given account, written straight into the
// store (only administrators can start jobs through the API so far).
function addJob(userId) {
  const id = randomUUID();
  const now = new Date().toISOString();
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', join(srv.data, 'reach.db'),
    `INSERT INTO jobs (id, kind, state, params, result, started_by, created_at, updated_at, seq) ` +
    `VALUES ('${id}', 'test', 'done', '{}', '{"n":1}', '${userId}', '${now}', '${now}', 1)`]);
  return id;
}

test('the administrator makes one account per role, with a scope', async () => {
  admin = new Client(srv.url);
  assert.equal((await admin.login(ADMIN.login, ADMIN.password)).status, 200);
  for (const role of ROLES) {
    const login = `u-${role.replace(/_/g, '-')}`;
    const password = `${login}-password`;
    const body = { login, display_name: `User ${role}`, role, password };
    if (SCOPES[role]) body.scope = SCOPES[role];
    const r = await admin.req('POST', '/api/v1/users', { json: body });
    assert.equal(r.status, 201, `${role}: ${r.text}`);
    assert.equal(r.headers.get('location'), `/api/v1/users/${r.json.id}`);
    assert.equal(r.json.role, role);
    assert.equal(r.json.scope, SCOPES[role] || '');
    const c = new Client(srv.url);
    const l = await c.login(login, password);
    assert.equal(l.status, 200, `${role} signs in: ${l.text}`);
    accounts[role] = { id: r.json.id, login, password, client: c };
  }
  const v = await admin.req('POST', '/api/v1/users',
    { json: { login: 'victim', display_name: 'Victim', role: 'learner', password: 'victim-password' } });
  assert.equal(v.status, 201, v.text);
  victim = v.json.id;
  const started = await admin.req('POST', '/api/v1/backups');
  assert.equal(started.status, 202, started.text);
  adminJob = started.json.id;
});

for (const role of ROLES) {
  test(`${role}: what it may and may not do`, async () => {
    const a = accounts[role];
    assert.ok(a, 'account made');
    const c = a.client;
    const isAdmin = role === 'admin';
    const target = victim;

    // Every role: its own account, its own tokens, its own jobs.
    const me = await c.req('GET', '/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.role, role);
    const t = await c.req('POST', '/api/v1/tokens', { json: { name: `${role}-token` } });
    assert.equal(t.status, 201, t.text);
    assert.equal((await c.req('GET', '/api/v1/tokens')).status, 200);
    assert.equal((await c.req('DELETE', `/api/v1/tokens/${t.json.id}`)).status, 204);
    const own = addJob(a.id);
    const j = await c.req('GET', `/api/v1/jobs/${own}`);
    assert.equal(j.status, 200, j.text);
    assert.equal(j.json.state, 'done');
    assert.equal(j.json.started_by, a.id);

    // Administration: only the administrator.
    const checks = [
      ['GET', '/api/v1/users', undefined, 200],
      ['GET', `/api/v1/users/${target}`, undefined, 200],
      ['POST', '/api/v1/users', { login: `made-by-${role.replace(/_/g, '-')}`, display_name: 'X', role: 'admin', password: 'long-enough-pw' }, 201],
      ['PATCH', `/api/v1/users/${target}`, { display_name: `Renamed by ${role}` }, 200],
      ['POST', `/api/v1/users/${target}/password`, { password: 'reset-password-1' }, 204],
      ['GET', '/api/v1/audit', undefined, 200],
      ['POST', '/api/v1/backups', undefined, 202],
    ];
    for (const [m, p, json, okStatus] of checks) {
      const r = await c.req(m, p, json ? { json } : {});
      if (isAdmin) assert.equal(r.status, okStatus, `${role} ${m} ${p}: ${r.text}`);
      else apiError(r, 403, 'forbidden');
    }
    if (!isAdmin) {
      // Nothing changed behind the refusals.
      const u = await admin.req('GET', `/api/v1/users/${target}`);
      assert.notEqual(u.json.display_name, `Renamed by ${role}`, "the PATCH did not happen");
      const l = await admin.req('GET', '/api/v1/users?limit=500');
      assert.ok(!l.json.items.some(i => i.login === `made-by-${role.replace(/_/g, '-')}`), 'the POST did not happen');
      // Someone else's job does not exist for this role.
      apiError(await c.req('GET', `/api/v1/jobs/${adminJob}`), 404, 'not_found');
    } else {
      assert.equal((await c.req('GET', `/api/v1/jobs/${adminJob}`)).status, 200);
    }
  });
}

test('a role cannot raise itself through /api/v1/me', async () => {
  const c = accounts.teacher.client;
  apiError(await c.req('PATCH', '/api/v1/me', { json: { role: 'admin' } }), 400, 'unknown_field', 'role');
  apiError(await c.req('PATCH', '/api/v1/me', { json: { scope: '' } }), 400, 'unknown_field', 'scope');
  assert.equal((await c.req('GET', '/api/v1/me')).json.role, 'teacher');
});

test('the administrator reads anyone\'s job; other accounts read only their own', async () => {
  const teacherJob = addJob(accounts.teacher.id);
  assert.equal((await admin.req('GET', `/api/v1/jobs/${teacherJob}`)).status, 200);
  apiError(await accounts.student.client.req('GET', `/api/v1/jobs/${teacherJob}`), 404, 'not_found');
  apiError(await accounts.national_officer.client.req('GET', `/api/v1/jobs/${teacherJob}`), 404, 'not_found');
  assert.equal((await accounts.teacher.client.req('GET', `/api/v1/jobs/${teacherJob}`)).status, 200);
});

test('anonymous callers get 401 on everything that needs an account', async () => {
  const a = new Client(srv.url);
  const id = accounts.teacher.id;
  const calls = [
    ['GET', '/api/v1/me'], ['PATCH', '/api/v1/me', { display_name: 'x' }],
    ['POST', '/api/v1/me/password', { current_password: 'x', new_password: 'y' }],
    ['GET', '/api/v1/tokens'], ['POST', '/api/v1/tokens', { name: 'x' }], ['DELETE', `/api/v1/tokens/${id}`],
    ['GET', '/api/v1/users'], ['POST', '/api/v1/users', { login: 'x' }], ['GET', `/api/v1/users/${id}`],
    ['PATCH', `/api/v1/users/${id}`, { disabled: true }], ['POST', `/api/v1/users/${id}/password`, { password: 'x' }],
    ['GET', '/api/v1/audit'], ['POST', '/api/v1/backups'], ['GET', `/api/v1/jobs/${adminJob}`],
    ['POST', '/api/v1/auth/logout'],
  ];
  for (const [m, p, json] of calls) {
    const r = await a.req(m, p, json ? { json } : {});
    apiError(r, 401, 'unauthenticated');
  }
  // The account is untouched.
  assert.equal((await admin.req('GET', `/api/v1/users/${id}`)).json.disabled, false);
});

test('account validation: login, duplicates, password, role, scope', async () => {
  const base = { display_name: 'New', role: 'teacher', password: 'long-enough-pw' };
  const post = body => admin.req('POST', '/api/v1/users', { json: body });
  apiError(await post({ ...base, login: 'Bad Login!' }), 400, 'invalid', 'login');
  apiError(await post({ ...base, login: 'UPPER' }), 400, 'invalid', 'login');
  apiError(await post({ ...base, login: 'ünï' }), 400, 'invalid', 'login');
  apiError(await post({ ...base, login: 'x'.repeat(65) }), 400, 'invalid', 'login');
  apiError(await post({ ...base, login: 'u-teacher' }), 409, 'exists', 'login');
  apiError(await post({ ...base, login: 'shorty', password: 'short' }), 400, 'invalid', 'password');
  apiError(await post({ ...base, login: 'shorty', password: '123456789' }), 400, 'invalid', 'password');
  apiError(await post({ ...base, login: 'roleless', role: 'king' }), 400, 'invalid', 'role');
  apiError(await post({ ...base, login: 'roleless', role: '' }), 400, 'required', 'role');
  apiError(await post({ ...base, login: 'scoped', scope: 's'.repeat(65) }), 400, 'invalid', 'scope');
  apiError(await post({ ...base, login: 'langy', lang: 'de' }), 400, 'invalid', 'lang');
  apiError(await post({ login: 'nameless', role: 'teacher', password: 'long-enough-pw' }), 400, 'required', 'display_name');
  apiError(await post({ ...base, login: 'extra', admin: true }), 400, 'unknown_field', 'admin');
  const l = await admin.req('GET', '/api/v1/users?limit=500');
  for (const bad of ['shorty', 'roleless', 'scoped', 'langy', 'nameless', 'extra'])
    assert.ok(!l.json.items.some(i => i.login === bad), `${bad} was not made`);
  const ok = await post({ ...base, login: 'new.person_1@school-2' });
  assert.equal(ok.status, 201, ok.text);
});

test('users for an id that does not exist are 404', async () => {
  apiError(await admin.req('GET', `/api/v1/users/${randomUUID()}`), 404, 'not_found');
  apiError(await admin.req('PATCH', `/api/v1/users/${randomUUID()}`, { json: { disabled: true } }), 404, 'not_found');
  apiError(await admin.req('POST', `/api/v1/users/${randomUUID()}/password`, { json: { password: 'long-enough-pw' } }), 404, 'not_found');
});

test('paging: limit=3 pages through every account exactly once', async () => {
  for (let i = 0; i < 7; i++) {
    const r = await admin.req('POST', '/api/v1/users',
      { json: { login: `page${i}`, display_name: `Page ${i}`, role: 'learner', password: 'long-enough-pw' } });
    assert.equal(r.status, 201, r.text);
  }
  const all = (await admin.req('GET', '/api/v1/users?limit=500')).json;
  assert.equal(all.next, null);
  const total = all.items.length;
  assert.ok(total >= 7 + ROLES.length + 1);
  const seen = [];
  let url = '/api/v1/users?limit=3', pages = 0;
  for (;;) {
    const r = await admin.req('GET', url);
    assert.equal(r.status, 200, r.text);
    pages++;
    assert.ok(r.json.items.length <= 3);
    if (r.json.next !== null) assert.equal(r.json.items.length, 3, 'full pages until the last');
    seen.push(...r.json.items.map(i => i.id));
    if (r.json.next === null) break;
    assert.equal(typeof r.json.next, 'string');
    assert.ok(pages < 100, 'paging ends');
    url = `/api/v1/users?limit=3&cursor=${encodeURIComponent(r.json.next)}`;
  }
  assert.equal(pages, Math.ceil(total / 3));
  assert.equal(new Set(seen).size, seen.length, 'no account twice');
  assert.deepEqual(seen, all.items.map(i => i.id), 'every account, in the same order');
  const first = (await admin.req('GET', '/api/v1/users?limit=3')).json;
  assert.equal(first.items.length, 3);
  assert.equal(typeof first.next, 'string');
});

test('paging: bad cursors and limits are 400', async () => {
  apiError(await admin.req('GET', '/api/v1/users?cursor=garbage!!'), 400, 'invalid', 'cursor');
  apiError(await admin.req('GET', '/api/v1/users?cursor=AAAA'), 400, 'invalid', 'cursor');
  apiError(await admin.req('GET', `/api/v1/users?cursor=${Buffer.from('k-5').toString('base64url')}`), 400, 'invalid', 'cursor');
  apiError(await admin.req('GET', '/api/v1/audit?cursor=%E2%9C%93'), 400, 'invalid', 'cursor');
  apiError(await admin.req('GET', '/api/v1/users?limit=0'), 400, 'invalid', 'limit');
  apiError(await admin.req('GET', '/api/v1/users?limit=-1'), 400, 'invalid', 'limit');
  apiError(await admin.req('GET', '/api/v1/users?limit=501'), 400, 'invalid', 'limit');
  apiError(await admin.req('GET', '/api/v1/users?limit=abc'), 400, 'invalid', 'limit');
  // A cursor from beyond the end is an empty last page, not an error.
  const far = Buffer.from('k999999999').toString('base64url');
  const r = await admin.req('GET', `/api/v1/users?cursor=${far}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { items: [], next: null });
});

try {
  srv = await startServer();
  process.exitCode = await run();
} finally {
  if (srv) await srv.stop();
}
