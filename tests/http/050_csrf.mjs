// CSRF: every state change made with the session cookie carries the
// session's token (X-CSRF-Token, or a "csrf" form field); bearer tokens
// need none; a cross-site Origin is refused even with the right token.
import { test, run, assert, apiError } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

const GIL = { login: 'gil', password: 'gil-password-123', role: 'case_worker' };

async function signedIn(url, who = GIL) {
  const c = new Client(url);
  const r = await c.login(who.login, who.password);
  assert.equal(r.status, 200, r.text);
  return c;
}

let srv;

test('POST, PATCH and DELETE with the cookie but no X-CSRF-Token are 403 csrf', async () => {
  const c = await signedIn(srv.url);
  const csrf = c.csrf;
  const made = await c.req('POST', '/api/v1/tokens', { json: { name: 'for-delete' } });
  assert.equal(made.status, 201);
  c.csrf = null;
  apiError(await c.req('POST', '/api/v1/tokens', { json: { name: 'x' } }), 403, 'csrf');
  apiError(await c.req('PATCH', '/api/v1/me', { json: { display_name: 'Changed' } }), 403, 'csrf');
  apiError(await c.req('DELETE', `/api/v1/tokens/${made.json.id}`), 403, 'csrf');
  apiError(await c.req('POST', '/api/v1/auth/logout'), 403, 'csrf');
  apiError(await c.req('POST', '/api/v1/me/password',
    { json: { current_password: GIL.password, new_password: 'another-password-1' } }), 403, 'csrf');
  // Nothing happened.
  c.csrf = csrf;
  const me = await c.req('GET', '/api/v1/me');
  assert.equal(me.status, 200, 'still signed in: logout was refused');
  assert.notEqual(me.json.display_name, 'Changed');
  const list = await c.req('GET', '/api/v1/tokens');
  assert.deepEqual(list.json.items.map(t => t.name), ['for-delete']);
});

test('a wrong or foreign CSRF token is 403', async () => {
  const c = await signedIn(srv.url);
  const other = await signedIn(srv.url);
  for (const bad of ['nope', '', c.csrf.slice(0, -1), c.csrf + 'x', c.csrf.toUpperCase() === c.csrf ? c.csrf.toLowerCase() : c.csrf.toUpperCase(), other.csrf]) {
    const r = await c.req('PATCH', '/api/v1/me', { json: { display_name: 'Bad' }, headers: { 'x-csrf-token': bad } });
    apiError(r, 403, 'csrf');
  }
});

test('with the right token the change goes through', async () => {
  const c = await signedIn(srv.url);
  const r = await c.req('PATCH', '/api/v1/me', { json: { display_name: 'Gil Rights' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.display_name, 'Gil Rights');
  const t = await c.req('POST', '/api/v1/tokens', { json: { name: 'ok' } });
  assert.equal(t.status, 201);
  assert.equal((await c.req('DELETE', `/api/v1/tokens/${t.json.id}`)).status, 204);
  assert.equal((await c.req('POST', '/api/v1/auth/logout')).status, 204);
});

test('reading needs no CSRF token', async () => {
  const c = await signedIn(srv.url);
  c.csrf = null;
  assert.equal((await c.req('GET', '/api/v1/me')).status, 200);
  assert.equal((await c.req('GET', '/api/v1/tokens')).status, 200);
});

test('HTML form: POST /account with the csrf field is 303, without it 403', async () => {
  const c = await signedIn(srv.url);
  const page = await c.req('GET', '/account');
  assert.equal(page.status, 200);
  const m = /name="csrf" value="([^"]+)"/.exec(page.text);
  assert.ok(m, 'the page carries the token');
  assert.equal(m[1], c.csrf, 'the same token as the API login returned');
  const csrf = c.csrf;
  c.csrf = null;
  const ok = await c.req('POST', '/account', { form: { display_name: 'Gil Form', lang: 'en', csrf } });
  assert.equal(ok.status, 303, ok.text.slice(0, 200));
  assert.equal(ok.headers.get('location'), '/account?saved=1');
  const bad = await c.req('POST', '/account', { form: { display_name: 'Gil Evil', lang: 'en' } });
  assert.equal(bad.status, 403);
  assert.match(bad.headers.get('content-type'), /^text\/html/, 'a page, not JSON, for a form');
  assert.match(bad.text, /<html/);
  const wrong = await c.req('POST', '/account', { form: { display_name: 'Gil Evil', lang: 'en', csrf: 'forged' } });
  assert.equal(wrong.status, 403);
  c.csrf = csrf;
  assert.equal((await c.req('GET', '/api/v1/me')).json.display_name, 'Gil Form');
});

test('HTML form: signing out without the csrf field is refused', async () => {
  const c = await signedIn(srv.url);
  const csrf = c.csrf;
  c.csrf = null;
  const bad = await c.req('POST', '/logout', { form: {} });
  assert.equal(bad.status, 403);
  assert.equal((await c.req('GET', '/api/v1/me')).status, 200);
  const ok = await c.req('POST', '/logout', { form: { csrf } });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/login');
  assert.equal((await c.req('GET', '/api/v1/me')).status, 401);
});

test('requests with Authorization: Bearer need no CSRF token', async () => {
  const c = await signedIn(srv.url);
  const t = await c.req('POST', '/api/v1/tokens', { json: { name: 'machine' } });
  assert.equal(t.status, 201);
  const m = new Client(srv.url);
  m.bearer = t.json.token;
  const made = await m.req('POST', '/api/v1/tokens', { json: { name: 'made-by-machine' } });
  assert.equal(made.status, 201, made.text);
  const p = await m.req('PATCH', '/api/v1/me', { json: { display_name: 'Gil Machine' } });
  assert.equal(p.status, 200, p.text);
  assert.equal((await m.req('DELETE', `/api/v1/tokens/${made.json.id}`)).status, 204);
});

test('a bearer token wins over a cookie: a cookie without CSRF cannot ride along', async () => {
  const c = await signedIn(srv.url);
  const t = await c.req('POST', '/api/v1/tokens', { json: { name: 'both' } });
  const m = new Client(srv.url);
  m.cookies = { ...c.cookies };
  m.bearer = t.json.token;
  const r = await m.req('PATCH', '/api/v1/me', { json: { display_name: 'Gil Both' } });
  assert.equal(r.status, 200, r.text);
  // With a bad bearer, the cookie does not rescue the request.
  m.bearer = 'not-a-token';
  apiError(await m.req('PATCH', '/api/v1/me', { json: { display_name: 'x' } }), 401, 'unauthenticated');
});

test('a cross-site Origin is 403 cross_origin even with the right token', async () => {
  const c = await signedIn(srv.url);
  const evil = await c.req('PATCH', '/api/v1/me',
    { json: { display_name: 'Evil' }, headers: { origin: 'http://evil.example' } });
  apiError(evil, 403, 'cross_origin');
  const evil2 = await c.req('POST', '/api/v1/tokens',
    { json: { name: 'evil' }, headers: { origin: 'null' } });
  apiError(evil2, 403, 'cross_origin');
  // A look-alike host is not this host.
  const host = new URL(srv.url).host;
  const evil3 = await c.req('POST', '/api/v1/tokens',
    { json: { name: 'evil' }, headers: { origin: `http://${host}.evil.example` } });
  apiError(evil3, 403, 'cross_origin');
  const evil4 = await c.req('POST', '/api/v1/tokens',
    { json: { name: 'evil' }, headers: { origin: `http://evil.example/${host}` } });
  apiError(evil4, 403, 'cross_origin');
  const same = await c.req('PATCH', '/api/v1/me',
    { json: { display_name: 'Same Origin' }, headers: { origin: srv.url } });
  assert.equal(same.status, 200, same.text);
  assert.equal(same.json.display_name, 'Same Origin');
});

test('a cross-site form cannot sign someone in (login CSRF)', async () => {
  const r = await fetch(srv.url + '/login', {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
    body: new URLSearchParams({ login: ADMIN.login, password: ADMIN.password }).toString(),
  });
  assert.equal(r.status, 403);
  assert.equal(r.headers.getSetCookie().length, 0);
  const api = await fetch(srv.url + '/api/v1/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
    body: JSON.stringify({ login: ADMIN.login, password: ADMIN.password }),
  });
  assert.equal(api.status, 403);
  assert.equal((await api.json()).error.code, 'cross_origin');
});

test('signing in needs no CSRF token, even with a stale cookie', async () => {
  const c = await signedIn(srv.url);
  await c.req('POST', '/api/v1/auth/logout');
  c.cookies.reach_session = 'stale-value';
  c.csrf = null;
  const r = await c.login(GIL.login, GIL.password);
  assert.equal(r.status, 200, r.text);
});

try {
  srv = await startServer({ users: [GIL] });
  process.exitCode = await run();
} finally {
  if (srv) await srv.stop();
}
