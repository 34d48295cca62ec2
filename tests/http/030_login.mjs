// Signing in and out: the session cookie's attributes, /me, the same
// answer for an unknown login and a wrong password, logout, password
// change ending every session, garbage cookies, disabled accounts.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test, run, assert, apiError } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

const ANA = { login: 'ana', password: 'ana-password-123', role: 'teacher' };
const BEN = { login: 'ben', password: 'ben-password-123', role: 'student' };

function sessionCookie(r) {
  const sc = r.headers.getSetCookie().find(c => c.startsWith('reach_session='));
  assert.ok(sc, 'a session cookie is set');
  return sc;
}

// A request with exactly the given cookie value and nothing else.
async function meWith(url, value) {
  const r = await fetch(url + '/api/v1/me', { headers: { cookie: `reach_session=${value}` } });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, text, json, headers: r.headers };
}

let srv;

test('login sets an HttpOnly SameSite=Lax cookie (no Secure by default) and returns csrf', async () => {
  const c = new Client(srv.url);
  const r = await c.login(ANA.login, ANA.password);
  assert.equal(r.status, 200);
  const sc = sessionCookie(r);
  assert.match(sc, /;\s*HttpOnly/i);
  assert.match(sc, /;\s*SameSite=Lax/i);
  assert.match(sc, /;\s*Path=\//);
  assert.doesNotMatch(sc, /;\s*Secure/i);
  const value = sc.split(';')[0].split('=')[1];
  assert.ok(value.length >= 43, 'at least 256 bits of token: ' + value.length);
  assert.equal(typeof r.json.csrf, 'string');
  assert.ok(r.json.csrf.length >= 32);
  assert.notEqual(r.json.csrf, value, 'the CSRF token is not the session token');
  assert.equal(r.json.user.login, ANA.login);
  assert.equal(r.json.user.role, 'teacher');
  assert.ok(!('password_hash' in r.json.user) && !JSON.stringify(r.json).includes('argon2'), 'no hash leaks');
});

test('two logins give two different sessions and CSRF tokens', async () => {
  const a = new Client(srv.url), b = new Client(srv.url);
  await a.login(ANA.login, ANA.password);
  await b.login(ANA.login, ANA.password);
  assert.notEqual(a.cookies.reach_session, b.cookies.reach_session);
  assert.notEqual(a.csrf, b.csrf);
});

test('with secure_cookies the session cookie is Secure', async () => {
  const s2 = await startServer({ settings: { secure_cookies: true } });
  try {
    const c = new Client(s2.url);
    const r = await c.login(ADMIN.login, ADMIN.password);
    assert.equal(r.status, 200);
    const sc = sessionCookie(r);
    assert.match(sc, /;\s*Secure/i);
    assert.match(sc, /;\s*HttpOnly/i);
  } finally {
    await s2.stop();
  }
});

test('/api/v1/me is 401 without a session and 200 with one', async () => {
  const c = new Client(srv.url);
  const anon = await c.req('GET', '/api/v1/me');
  apiError(anon, 401, 'unauthenticated');
  await c.login(ANA.login, ANA.password);
  const me = await c.req('GET', '/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.login, ANA.login);
  assert.match(me.json.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUIDv7 id');
  assert.equal(me.json.disabled, false);
});

test('a wrong password and an unknown login get the same answer', async () => {
  const c = new Client(srv.url);
  const wrong = await c.login(ANA.login, 'not-the-password');
  const unknown = await c.login('no-such-person', 'not-the-password');
  apiError(wrong, 401, 'unauthenticated');
  apiError(unknown, 401, 'unauthenticated');
  assert.equal(wrong.status, unknown.status);
  assert.equal(wrong.json.error.code, unknown.json.error.code);
  assert.equal(wrong.json.error.message, unknown.json.error.message);
  assert.equal(wrong.text, unknown.text, 'byte-identical bodies');
  assert.equal(wrong.headers.getSetCookie().length, 0, 'no cookie on failure');
  assert.equal(unknown.headers.getSetCookie().length, 0, 'no cookie on failure');
});

test('logout: 204, the cookie is cleared, and the old cookie no longer works', async () => {
  const c = new Client(srv.url);
  await c.login(ANA.login, ANA.password);
  const old = c.cookies.reach_session;
  assert.equal((await meWith(srv.url, old)).status, 200);
  const r = await c.req('POST', '/api/v1/auth/logout');
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  const sc = sessionCookie(r);
  assert.match(sc, /^reach_session=;/);
  assert.match(sc, /Max-Age=0/);
  apiError(await c.req('GET', '/api/v1/me'), 401, 'unauthenticated');
  apiError(await meWith(srv.url, old), 401, 'unauthenticated');
});

test('logout ends only that session', async () => {
  const a = new Client(srv.url), b = new Client(srv.url);
  await a.login(ANA.login, ANA.password);
  await b.login(ANA.login, ANA.password);
  assert.equal((await a.req('POST', '/api/v1/auth/logout')).status, 204);
  assert.equal((await b.req('GET', '/api/v1/me')).status, 200);
});

test('changing the password ends every session; the new password works, the old does not', async () => {
  const a = new Client(srv.url), b = new Client(srv.url);
  assert.equal((await a.login(BEN.login, BEN.password)).status, 200);
  assert.equal((await b.login(BEN.login, BEN.password)).status, 200);
  const oldA = a.cookies.reach_session;
  const wrong = await a.req('POST', '/api/v1/me/password',
    { json: { current_password: 'not-it-at-all', new_password: 'ben-new-password-1' } });
  apiError(wrong, 400, 'invalid', 'current_password');
  assert.equal((await b.req('GET', '/api/v1/me')).status, 200, 'a failed change ends nothing');
  const short = await a.req('POST', '/api/v1/me/password',
    { json: { current_password: BEN.password, new_password: 'short' } });
  apiError(short, 400, 'invalid', 'new_password');
  const r = await a.req('POST', '/api/v1/me/password',
    { json: { current_password: BEN.password, new_password: 'ben-new-password-1' } });
  assert.equal(r.status, 204, r.text);
  apiError(await b.req('GET', '/api/v1/me'), 401, 'unauthenticated');
  apiError(await meWith(srv.url, oldA), 401, 'unauthenticated');
  const c = new Client(srv.url);
  apiError(await c.login(BEN.login, BEN.password), 401, 'unauthenticated');
  assert.equal((await c.login(BEN.login, 'ben-new-password-1')).status, 200);
  assert.equal((await c.req('GET', '/api/v1/me')).json.login, BEN.login);
});

test('a garbage or made-up session cookie is 401', async () => {
  const tries = ['garbage', '', 'x'.repeat(5000), randomBytes(32).toString('base64url'),
    randomBytes(32).toString('hex'), '%00%ff', '"quoted"'];
  for (const v of tries) {
    const r = await meWith(srv.url, v);
    apiError(r, 401, 'unauthenticated');
  }
  // A real token with one character changed is not a session either.
  const c = new Client(srv.url);
  await c.login(ANA.login, ANA.password);
  const t = c.cookies.reach_session;
  const flipped = t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A');
  apiError(await meWith(srv.url, flipped), 401, 'unauthenticated');
  assert.equal((await meWith(srv.url, t)).status, 200);
});

// Ages every session of the store by the given seconds (the sqlite3 tool
// writes beside the running server; WAL lets it).
function ageSessions(data, column, seconds) {
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', join(data, 'reach.db'),
    `UPDATE sessions SET ${column} = ${column} - ${seconds * 1000}`]);
}

test('a session unused for longer than session_idle is refused (and one that is used is not)', async () => {
  const s2 = await startServer({ settings: { session_idle: 60 } });
  try {
    const c = new Client(s2.url);
    assert.equal((await c.login(ADMIN.login, ADMIN.password)).status, 200);
    ageSessions(s2.data, 'seen_ms', 30);
    assert.equal((await c.req('GET', '/api/v1/me')).status, 200, 'idle 30 s of 60: alive');
    ageSessions(s2.data, 'seen_ms', 61);
    apiError(await c.req('GET', '/api/v1/me'), 401, 'unauthenticated');
    const n = execFileSync('sqlite3', [join(s2.data, 'reach.db'), 'SELECT count(*) FROM sessions']).toString().trim();
    assert.equal(n, '0', 'the expired session is deleted');
  } finally {
    await s2.stop();
  }
});

test('a session older than session_absolute is refused even when in use', async () => {
  const s2 = await startServer({ settings: { session_absolute: 120 } });
  try {
    const c = new Client(s2.url);
    assert.equal((await c.login(ADMIN.login, ADMIN.password)).status, 200);
    ageSessions(s2.data, 'created_ms', 100);
    assert.equal((await c.req('GET', '/api/v1/me')).status, 200);
    ageSessions(s2.data, 'created_ms', 30);
    apiError(await c.req('GET', '/api/v1/me'), 401, 'unauthenticated');
  } finally {
    await s2.stop();
  }
});

test('disabling an account ends its sessions at once; it cannot sign in until enabled', async () => {
  const admin = new Client(srv.url);
  assert.equal((await admin.login(ADMIN.login, ADMIN.password)).status, 200);
  const made = await admin.req('POST', '/api/v1/users', {
    json: { login: 'cai', display_name: 'Cai', role: 'guardian', password: 'cai-password-123' },
  });
  assert.equal(made.status, 201, made.text);
  const cai = new Client(srv.url);
  assert.equal((await cai.login('cai', 'cai-password-123')).status, 200);
  assert.equal((await cai.req('GET', '/api/v1/me')).status, 200);
  const off = await admin.req('PATCH', `/api/v1/users/${made.json.id}`, { json: { disabled: true } });
  assert.equal(off.status, 200, off.text);
  assert.equal(off.json.disabled, true);
  apiError(await cai.req('GET', '/api/v1/me'), 401, 'unauthenticated');
  const again = new Client(srv.url);
  apiError(await again.login('cai', 'cai-password-123'), 401, 'unauthenticated');
  const on = await admin.req('PATCH', `/api/v1/users/${made.json.id}`, { json: { disabled: false } });
  assert.equal(on.json.disabled, false);
  assert.equal((await again.login('cai', 'cai-password-123')).status, 200);
});

test('an administrator cannot disable their own account', async () => {
  const admin = new Client(srv.url);
  await admin.login(ADMIN.login, ADMIN.password);
  const me = await admin.req('GET', '/api/v1/me');
  const r = await admin.req('PATCH', `/api/v1/users/${me.json.id}`, { json: { disabled: true } });
  apiError(r, 400, 'invalid', 'disabled');
  assert.equal((await admin.req('GET', '/api/v1/me')).status, 200);
});

test('PATCH /api/v1/me changes the display name and language', async () => {
  const c = new Client(srv.url);
  await c.login(ANA.login, ANA.password);
  const r = await c.req('PATCH', '/api/v1/me', { json: { display_name: 'Ana Lima', lang: 'vi' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.display_name, 'Ana Lima');
  assert.equal(r.json.lang, 'vi');
  apiError(await c.req('PATCH', '/api/v1/me', { json: { lang: 'xx' } }), 400, 'invalid', 'lang');
  // An empty language means "the browser's": it clears the choice.
  const cleared = await c.req('PATCH', '/api/v1/me', { json: { lang: '' } });
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.json.lang, '');
  assert.equal(cleared.json.display_name, 'Ana Lima', 'other fields untouched');
  apiError(await c.req('PATCH', '/api/v1/me', { json: { display_name: '' } }), 400, 'invalid', 'display_name');
  apiError(await c.req('PATCH', '/api/v1/me', { json: { role: 'admin' } }), 400, 'unknown_field', 'role');
  assert.equal((await c.req('GET', '/api/v1/me')).json.role, 'teacher');
});

try {
  srv = await startServer({ users: [ANA, BEN] });
  process.exitCode = await run();
} finally {
  if (srv) await srv.stop();
}
