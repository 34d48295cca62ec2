// The audit log: every change records who, when, what, which object and
// from where; newest first; paged; the command line is audited as a
// "system:" actor; secrets never appear in it.
import { test, run, assert } from '../lib/harness.mjs';
import { startServer, Client, ADMIN, cli } from '../lib/server.mjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';

let srv, admin, adminId;
const ids = {};   // what the steps made: {token, user, userReq, ...}

async function audit(limit = 100) {
  const r = await admin.req('GET', `/api/v1/audit?limit=${limit}`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

test('the changes are made: login, token, user, disable, password', async () => {
  admin = new Client(srv.url);
  const l = await admin.login(ADMIN.login, ADMIN.password);
  assert.equal(l.status, 200);
  adminId = l.json.user.id;
  const t = await admin.req('POST', '/api/v1/tokens', { json: { name: 'audited' } });
  assert.equal(t.status, 201);
  ids.token = t.json.id;
  ids.secret = t.json.token;
  const u = await admin.req('POST', '/api/v1/users',
    { json: { login: 'lee', display_name: 'Lee', role: 'teacher', scope: 'S9', password: 'lee-password-123' } });
  assert.equal(u.status, 201);
  ids.user = u.json.id;
  ids.userReq = u.headers.get('x-request-id');
  const d = await admin.req('PATCH', `/api/v1/users/${ids.user}`, { json: { disabled: true } });
  assert.equal(d.status, 200);
  const p = await admin.req('POST', '/api/v1/me/password',
    { json: { current_password: ADMIN.password, new_password: 'admin-new-password-1' } });
  assert.equal(p.status, 204);
  // The change ended the session: sign in again with the new password.
  admin = new Client(srv.url);
  assert.equal((await admin.login(ADMIN.login, 'admin-new-password-1')).status, 200);
});

test('each change is in the log with actor, action, object, address and time', async () => {
  const items = await audit();
  const find = (action, objectId) => items.find(e => e.action === action && (!objectId || e.object_id === objectId));
  const expect = [
    ['session.login', 'user', adminId],
    ['token.create', 'api_token', ids.token],
    ['user.create', 'user', ids.user],
    ['user.disable', 'user', ids.user],
    ['user.password', 'user', adminId],
  ];
  for (const [action, kind, obj] of expect) {
    const e = find(action, obj);
    assert.ok(e, `${action} on ${obj} is logged`);
    assert.equal(e.actor_login, ADMIN.login, action);
    assert.equal(e.actor_id, adminId, action);
    assert.equal(e.object_kind, kind, action);
    assert.equal(e.ip, '127.0.0.1', action);
    assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, action + ' at ' + e.at);
    assert.ok(Math.abs(Date.parse(e.at) - Date.now()) < 5 * 60 * 1000, 'at is now-ish');
    assert.match(e.id, /^[0-9a-f-]{36}$/);
  }
  const create = find('user.create', ids.user);
  assert.equal(create.request_id, ids.userReq, 'the entry names the request that made it');
  assert.deepEqual(create.detail, { login: 'lee', role: 'teacher', scope: 'S9' });
  assert.deepEqual(find('user.disable', ids.user).detail, { disabled: true });
});

test('no secret ends up in the log', async () => {
  const text = JSON.stringify(await audit(500));
  for (const s of [ADMIN.password, 'admin-new-password-1', 'lee-password-123', ids.secret])
    assert.ok(!text.includes(s), 'a secret in the audit log');
  assert.ok(!/argon2/.test(text), 'a password hash in the audit log');
});

test('newest first', async () => {
  const items = await audit();
  assert.ok(items.length >= 6);
  for (let i = 1; i < items.length; i++)
    assert.ok(items[i - 1].at >= items[i].at, `entry ${i} is older: ${items[i - 1].at} ${items[i].at}`);
  const pos = a => items.findIndex(e => e.action === a);
  assert.ok(pos('user.password') < pos('user.disable'), 'password after disable');
  assert.ok(pos('user.disable') < pos('user.create'), 'disable after create');
  assert.ok(pos('user.create') < pos('token.create'), 'create after token');
  assert.equal(items[0].action, 'session.login', 'the latest sign-in is first');
});

test('the command line is audited as a system: actor', async () => {
  const items = await audit(500);
  // The test server's administrator was made with `reach user add`.
  const made = items.find(e => e.action === 'user.create' && e.object_id === adminId);
  assert.ok(made, 'the CLI account creation is logged');
  assert.match(made.actor_login, /^system:/);
  assert.equal(made.actor_id, null);
  assert.equal(made.ip, 'cli');
  // And a command run now, beside the server, too.
  const pw = join(srv.data, '.pw2');
  writeFileSync(pw, 'mo-password-1234\n');
  const r = cli(srv.data, ['user', 'add', 'mo', '--role', 'donor', '--password-file', pw]);
  assert.equal(r.status, 0, r.stderr);
  const after = await audit();
  const e = after.find(x => x.action === 'user.create' && x.detail && x.detail.login === 'mo');
  assert.ok(e, 'the new CLI change is logged');
  assert.equal(e.actor_login, 'system:' + userInfo().username, 'the account that ran the command');
  assert.equal(after[0], after.find(x => x.action === 'user.create' && x.detail && x.detail.login === 'mo'), 'and it is the newest');
});

test('more changes: logout, token revoke, enable, admin password reset, backup job', async () => {
  // The password change revoked the first token with the sessions: make another.
  const t = await admin.req('POST', '/api/v1/tokens', { json: { name: 'second' } });
  assert.equal(t.status, 201);
  ids.token = t.json.id;
  assert.equal((await admin.req('DELETE', `/api/v1/tokens/${ids.token}`)).status, 204);
  assert.equal((await admin.req('PATCH', `/api/v1/users/${ids.user}`, { json: { disabled: false } })).status, 200);
  assert.equal((await admin.req('POST', `/api/v1/users/${ids.user}/password`, { json: { password: 'lee-new-password' } })).status, 204);
  const j = await admin.req('POST', '/api/v1/backups');
  assert.equal(j.status, 202);
  const lee = new Client(srv.url);
  assert.equal((await lee.login('lee', 'lee-new-password')).status, 200);
  assert.equal((await lee.req('POST', '/api/v1/auth/logout')).status, 204);
  const items = await audit();
  const has = (action, obj, actor) => items.some(e => e.action === action && e.object_id === obj && e.actor_login === actor);
  assert.ok(has('token.revoke', ids.token, 'admin'), 'token.revoke');
  assert.ok(has('user.enable', ids.user, 'admin'), 'user.enable');
  assert.ok(has('user.password', ids.user, 'admin'), 'reset by the administrator');
  assert.ok(has('job.submit', j.json.id, 'admin'), 'job.submit');
  assert.ok(has('session.login', ids.user, 'lee'), 'lee signs in');
  assert.ok(has('session.logout', ids.user, 'lee'), 'lee signs out');
});

test('failed and refused changes leave no entry', async () => {
  const before = (await audit(500)).length;
  const r = await admin.req('POST', '/api/v1/users',
    { json: { login: 'lee', display_name: 'Again', role: 'teacher', password: 'lee-password-123' } });
  assert.equal(r.status, 409);
  const t = new Client(srv.url);
  await t.login('lee', 'lee-new-password');
  assert.equal((await t.req('PATCH', `/api/v1/users/${adminId}`, { json: { disabled: true } })).status, 403);
  const after = await audit(500);
  assert.equal(after.length, before + 1, 'only lee\'s sign-in was added');
  assert.equal(after[0].action, 'session.login');
});

test('the audit log pages newest to oldest without gaps or repeats', async () => {
  const all = await audit(500);
  const seen = [];
  let url = '/api/v1/audit?limit=4';
  for (let i = 0; i < 100; i++) {
    const r = await admin.req('GET', url);
    assert.equal(r.status, 200);
    seen.push(...r.json.items.map(e => e.id));
    if (!r.json.next) break;
    url = `/api/v1/audit?limit=4&cursor=${r.json.next}`;
  }
  assert.deepEqual(seen, all.map(e => e.id));
});

test('the audit log is for administrators only (API and page)', async () => {
  const t = new Client(srv.url);
  await t.login('lee', 'lee-new-password');
  const r = await t.req('GET', '/api/v1/audit');
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'forbidden');
  const page = await t.req('GET', '/admin/audit');
  assert.equal(page.status, 403);
  const ok = await admin.req('GET', '/admin/audit');
  assert.equal(ok.status, 200);
  assert.match(ok.text, /user\.create/);
  assert.match(ok.text, /127\.0\.0\.1/);
});

try {
  srv = await startServer();
  process.exitCode = await run();
} finally {
  if (srv) await srv.stop();
}
