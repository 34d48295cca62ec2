// API tokens: created by their owner (the secret shown once), used as
// Authorization: Bearer, listed without the secret, revoked by their
// owner only, and ended by a password change or a disabled account.
import { test, run, assert, apiError } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

const HAL = { login: 'hal', password: 'hal-password-123', role: 'district_officer', scope: 'IR-07' };
const IDA = { login: 'ida', password: 'ida-password-123', role: 'teacher' };

async function signedIn(url, who) {
  const c = new Client(url);
  const r = await c.login(who.login, who.password);
  assert.equal(r.status, 200, r.text);
  return c;
}

function bearer(url, token) {
  const c = new Client(url);
  c.bearer = token;
  return c;
}

let srv;

test('POST /api/v1/tokens gives 201 with an id and a secret shown once', async () => {
  const c = await signedIn(srv.url, HAL);
  const r = await c.req('POST', '/api/v1/tokens', { json: { name: 'nightly export' } });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.id, /^[0-9a-f-]{36}$/);
  assert.equal(typeof r.json.token, 'string');
  assert.ok(r.json.token.length >= 43, 'at least 256 bits');
  assert.equal(r.json.name, 'nightly export');
  assert.equal(r.json.last_used_at, null);
  const r2 = await c.req('POST', '/api/v1/tokens', { json: { name: 'nightly export' } });
  assert.notEqual(r2.json.token, r.json.token);
  assert.notEqual(r2.json.id, r.json.id);
});

test('a bearer token signs the machine in as its owner', async () => {
  const c = await signedIn(srv.url, HAL);
  const t = (await c.req('POST', '/api/v1/tokens', { json: { name: 'me' } })).json;
  const m = bearer(srv.url, t.token);
  const me = await m.req('GET', '/api/v1/me');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.login, HAL.login);
  assert.equal(me.json.scope, 'IR-07');
  assert.equal(me.headers.getSetCookie().length, 0, 'a token gets no cookie');
  const list = await c.req('GET', '/api/v1/tokens');
  const item = list.json.items.find(i => i.id === t.id);
  assert.ok(item.last_used_at, 'last use recorded');
});

test('GET /api/v1/tokens lists the caller\'s tokens without their secrets', async () => {
  const c = await signedIn(srv.url, IDA);
  const a = (await c.req('POST', '/api/v1/tokens', { json: { name: 'alpha' } })).json;
  const b = (await c.req('POST', '/api/v1/tokens', { json: { name: 'beta' } })).json;
  const list = await c.req('GET', '/api/v1/tokens');
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.items.map(i => i.name), ['alpha', 'beta']);
  assert.equal(list.json.next, null);
  for (const i of list.json.items) {
    assert.ok(!('token' in i), 'no secret in the list');
    assert.deepEqual(Object.keys(i).sort(), ['created_at', 'id', 'last_used_at', 'name']);
  }
  assert.ok(!list.text.includes(a.token) && !list.text.includes(b.token), 'no secret anywhere in the list');
  // Another account sees only its own.
  const h = await signedIn(srv.url, HAL);
  const other = await h.req('GET', '/api/v1/tokens');
  assert.ok(!other.json.items.some(i => i.id === a.id || i.id === b.id));
});

test('DELETE /api/v1/tokens/:id is 204, and then the token is 401', async () => {
  const c = await signedIn(srv.url, IDA);
  const t = (await c.req('POST', '/api/v1/tokens', { json: { name: 'short-lived' } })).json;
  const m = bearer(srv.url, t.token);
  assert.equal((await m.req('GET', '/api/v1/me')).status, 200);
  const d = await c.req('DELETE', `/api/v1/tokens/${t.id}`);
  assert.equal(d.status, 204);
  assert.equal(d.text, '');
  const after = await m.req('GET', '/api/v1/me');
  apiError(after, 401, 'unauthenticated');
  assert.match(after.headers.get('www-authenticate') || '', /^Bearer/);
  assert.ok(!(await c.req('GET', '/api/v1/tokens')).json.items.some(i => i.id === t.id), 'gone from the list');
  apiError(await c.req('DELETE', `/api/v1/tokens/${t.id}`), 404, 'not_found');
});

test('a token can revoke itself', async () => {
  const c = await signedIn(srv.url, IDA);
  const t = (await c.req('POST', '/api/v1/tokens', { json: { name: 'self' } })).json;
  const m = bearer(srv.url, t.token);
  assert.equal((await m.req('DELETE', `/api/v1/tokens/${t.id}`)).status, 204);
  apiError(await m.req('GET', '/api/v1/me'), 401, 'unauthenticated');
});

test('nobody else can revoke a token (404), not even an administrator', async () => {
  const owner = await signedIn(srv.url, IDA);
  const t = (await owner.req('POST', '/api/v1/tokens', { json: { name: 'mine' } })).json;
  const thief = await signedIn(srv.url, HAL);
  apiError(await thief.req('DELETE', `/api/v1/tokens/${t.id}`), 404, 'not_found');
  const admin = await signedIn(srv.url, ADMIN);
  apiError(await admin.req('DELETE', `/api/v1/tokens/${t.id}`), 404, 'not_found');
  assert.equal((await bearer(srv.url, t.token).req('GET', '/api/v1/me')).status, 200, 'the token still works');
  apiError(await thief.req('DELETE', '/api/v1/tokens/not-an-id'), 404, 'not_found');
  apiError(await thief.req('DELETE', '/api/v1/tokens/0190a000-0000-7000-8000-000000000000'), 404, 'not_found');
});

test('a malformed or unknown bearer is 401 with WWW-Authenticate', async () => {
  const c = await signedIn(srv.url, IDA);
  const t = (await c.req('POST', '/api/v1/tokens', { json: { name: 'shape' } })).json;
  const bad = ['Bearer', 'Bearer ', 'Bearer garbage', `Bearer ${t.token}x`, `Bearer ${t.token.slice(1)}`,
    `bearer ${t.token}`, `Basic ${Buffer.from('ida:ida-password-123').toString('base64')}`,
    `Token ${t.token}`, `Bearer  ${t.token}`, 'Bearer ' + 'A'.repeat(4000)];
  for (const h of bad) {
    const r = await fetch(srv.url + '/api/v1/me', { headers: { authorization: h } });
    const text = await r.text();
    assert.equal(r.status, 401, `${h.slice(0, 30)}: ${r.status}`);
    assert.match(r.headers.get('www-authenticate') || '', /^Bearer/, h.slice(0, 30));
    assert.equal(JSON.parse(text).error.code, 'unauthenticated');
  }
  // Even a public route refuses a bad token rather than ignoring it.
  const r = await fetch(srv.url + '/api/v1/openapi.json', { headers: { authorization: 'Bearer garbage' } });
  assert.equal(r.status, 401);
});

test('a token is not a session cookie, and a session cookie is not a token', async () => {
  const c = await signedIn(srv.url, IDA);
  const t = (await c.req('POST', '/api/v1/tokens', { json: { name: 'kinds' } })).json;
  const r = await fetch(srv.url + '/api/v1/me', { headers: { cookie: `reach_session=${t.token}` } });
  assert.equal(r.status, 401);
  const r2 = await fetch(srv.url + '/api/v1/me', { headers: { authorization: `Bearer ${c.cookies.reach_session}` } });
  assert.equal(r2.status, 401);
});

test('token names are validated', async () => {
  const c = await signedIn(srv.url, IDA);
  apiError(await c.req('POST', '/api/v1/tokens', { json: {} }), 400, 'required', 'name');
  apiError(await c.req('POST', '/api/v1/tokens', { json: { name: '' } }), 400, 'invalid', 'name');
  apiError(await c.req('POST', '/api/v1/tokens', { json: { name: 'n'.repeat(101) } }), 400, 'invalid', 'name');
  apiError(await c.req('POST', '/api/v1/tokens', { json: { name: 7 } }), 400, 'invalid', 'name');
  const ok = await c.req('POST', '/api/v1/tokens', { json: { name: 'تست ✓ Tiếng' } });
  assert.equal(ok.status, 201);
  assert.equal(ok.json.name, 'تست ✓ Tiếng');
});

test('anonymous callers cannot create, list or revoke tokens', async () => {
  const a = new Client(srv.url);
  apiError(await a.req('POST', '/api/v1/tokens', { json: { name: 'x' } }), 401, 'unauthenticated');
  apiError(await a.req('GET', '/api/v1/tokens'), 401, 'unauthenticated');
  apiError(await a.req('DELETE', '/api/v1/tokens/0190a000-0000-7000-8000-000000000000'), 401, 'unauthenticated');
});

test('tokens die when the password changes (own change and an administrator\'s reset)', async () => {
  const jo = { login: 'jo', password: 'jo-password-1234', role: 'school_head' };
  const admin = await signedIn(srv.url, ADMIN);
  const made = await admin.req('POST', '/api/v1/users',
    { json: { login: jo.login, display_name: 'Jo', role: jo.role, password: jo.password } });
  assert.equal(made.status, 201, made.text);
  let c = await signedIn(srv.url, jo);
  const t1 = (await c.req('POST', '/api/v1/tokens', { json: { name: 'one' } })).json;
  assert.equal((await bearer(srv.url, t1.token).req('GET', '/api/v1/me')).status, 200);
  const ch = await c.req('POST', '/api/v1/me/password', { json: { current_password: jo.password, new_password: 'jo-second-pass-1' } });
  assert.equal(ch.status, 204, ch.text);
  apiError(await bearer(srv.url, t1.token).req('GET', '/api/v1/me'), 401, 'unauthenticated');
  c = await signedIn(srv.url, { login: jo.login, password: 'jo-second-pass-1' });
  assert.equal((await c.req('GET', '/api/v1/tokens')).json.items.length, 0, 'the list is empty too');
  const t2 = (await c.req('POST', '/api/v1/tokens', { json: { name: 'two' } })).json;
  assert.equal((await bearer(srv.url, t2.token).req('GET', '/api/v1/me')).status, 200);
  const reset = await admin.req('POST', `/api/v1/users/${made.json.id}/password`, { json: { password: 'jo-third-pass-12' } });
  assert.equal(reset.status, 204, reset.text);
  apiError(await bearer(srv.url, t2.token).req('GET', '/api/v1/me'), 401, 'unauthenticated');
});

test('a disabled account\'s tokens stop working', async () => {
  const admin = await signedIn(srv.url, ADMIN);
  const made = await admin.req('POST', '/api/v1/users',
    { json: { login: 'kim', display_name: 'Kim', role: 'donor', password: 'kim-password-123' } });
  const c = await signedIn(srv.url, { login: 'kim', password: 'kim-password-123' });
  const t = (await c.req('POST', '/api/v1/tokens', { json: { name: 'k' } })).json;
  assert.equal((await bearer(srv.url, t.token).req('GET', '/api/v1/me')).status, 200);
  await admin.req('PATCH', `/api/v1/users/${made.json.id}`, { json: { disabled: true } });
  apiError(await bearer(srv.url, t.token).req('GET', '/api/v1/me'), 401, 'unauthenticated');
});

try {
  srv = await startServer({ users: [HAL, IDA] });
  process.exitCode = await run();
} finally {
  if (srv) await srv.stop();
}
