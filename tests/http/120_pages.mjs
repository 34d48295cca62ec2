// The HTML pages, as a browser without JavaScript uses them: redirects,
// forms with hidden CSRF fields, the language switch (Persian is
// right-to-left), Accept-Language, administrator pages, escaping, size.
import { test, run, assert } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

const TEA = { login: 'tea', password: 'tea-password-123', role: 'teacher' };
const MAX_PAGE = 50 * 1024;

const htmlAttrs = text => {
  const m = /<html lang="([^"]+)" dir="(ltr|rtl)">/.exec(text);
  assert.ok(m, 'an <html lang dir> element');
  return { lang: m[1], dir: m[2] };
};
const hiddenCsrf = text => {
  const m = /<input type="hidden" name="csrf" value="([^"]+)">/.exec(text);
  assert.ok(m, 'a hidden csrf input');
  return m[1];
};

// Signs in through the form, as a browser does; returns the client with
// its cookie and no CSRF header (forms carry the token themselves).
async function formLogin(url, who, back) {
  const c = new Client(url);
  const form = { login: who.login, password: who.password };
  if (back) form.back = back;
  const r = await c.req('POST', '/login', { form });
  assert.equal(r.status, 303, r.text.slice(0, 200));
  assert.ok(c.cookies.reach_session, 'a session cookie');
  return { c, r };
}

let srv;

test('GET / for an anonymous visitor is 303 to /login', async () => {
  const r = await new Client(srv.url).req('GET', '/');
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login');
});

test('a page that needs an account sends an anonymous visitor to sign in, remembering where', async () => {
  const r = await new Client(srv.url).req('GET', '/account');
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login?back=/account');
});

test('GET /login is an English, left-to-right page with a form', async () => {
  const r = await new Client(srv.url).req('GET', '/login');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
  assert.deepEqual(htmlAttrs(r.text), { lang: 'en', dir: 'ltr' });
  assert.match(r.text, /<form[^>]*method="post"[^>]*action="\/login"/);
  assert.match(r.text, /<label for="login">/);
  assert.match(r.text, /<label for="password">/);
  assert.match(r.text, /name="password" type="password"/);
  assert.ok(r.text.length < MAX_PAGE);
});

test('a wrong password gives the sign-in page again with 401 and the error', async () => {
  const c = new Client(srv.url);
  const r = await c.req('POST', '/login', { form: { login: TEA.login, password: 'wrong-password' } });
  assert.equal(r.status, 401);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.text, /role="alert"[^>]*>Wrong login or password\.</);
  assert.equal(c.cookies.reach_session, undefined, 'no cookie');
  const unknown = await c.req('POST', '/login', { form: { login: 'nobody-here', password: 'wrong-password' } });
  assert.equal(unknown.status, 401);
  assert.match(unknown.text, /Wrong login or password\./);
});

test('the right password is 303 with a cookie; back= is followed only on this site', async () => {
  const { r } = await formLogin(srv.url, TEA);
  assert.equal(r.headers.get('location'), '/');
  const sc = r.headers.getSetCookie().find(x => x.startsWith('reach_session='));
  assert.match(sc, /HttpOnly/);
  assert.match(sc, /SameSite=Lax/);
  const back = await formLogin(srv.url, TEA, '/account');
  assert.equal(back.r.headers.get('location'), '/account');
  for (const evil of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
    const e = await formLogin(srv.url, TEA, evil);
    assert.equal(e.r.headers.get('location'), '/', `back=${evil} is not followed`);
  }
});

test('the home page greets the signed-in user; /login redirects them away', async () => {
  const { c } = await formLogin(srv.url, TEA);
  const home = await c.req('GET', '/');
  assert.equal(home.status, 200);
  assert.match(home.text, /tea/);
  assert.match(home.text, /action="\/logout"/, 'a sign-out form');
  const login = await c.req('GET', '/login');
  assert.equal(login.status, 303);
});

test('GET /account has a hidden csrf input; the settings form saves with it', async () => {
  const { c } = await formLogin(srv.url, TEA);
  const page = await c.req('GET', '/account');
  assert.equal(page.status, 200);
  const csrf = hiddenCsrf(page.text);
  assert.ok(csrf.length >= 32);
  assert.match(page.text, /<label for="display_name">/);
  const r = await c.req('POST', '/account', { form: { csrf, display_name: 'Tea Cher', lang: '' } });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/account?saved=1');
  const again = await c.req('GET', '/account?saved=1');
  assert.match(again.text, /value="Tea Cher"/);
  assert.match(again.text, /role="status"/, 'a confirmation');
});

test('a wrong current password on the password form is a 400 page with the error', async () => {
  const { c } = await formLogin(srv.url, TEA);
  const csrf = hiddenCsrf((await c.req('GET', '/account')).text);
  const r = await c.req('POST', '/account/password',
    { form: { csrf, current_password: 'not-the-password', new_password: 'tea-new-password-1' } });
  assert.equal(r.status, 400);
  assert.match(r.text, /The current password is wrong\./);
  assert.equal((await c.req('GET', '/account')).status, 200, 'still signed in');
});

test('user text is escaped in pages', async () => {
  const { c } = await formLogin(srv.url, TEA);
  const csrf = hiddenCsrf((await c.req('GET', '/account')).text);
  const evil = '<script>alert(1)</script>"\'&';
  assert.equal((await c.req('POST', '/account', { form: { csrf, display_name: evil, lang: '' } })).status, 303);
  const page = await c.req('GET', '/account');
  assert.ok(!page.text.includes('<script>alert(1)</script>'), 'not raw');
  assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.ok(!/value="<script>/.test(page.text));
  const r = await c.req('POST', '/account', { form: { csrf, display_name: 'Tea', lang: '' } });
  assert.equal(r.status, 303);
});

test('POST /lang fa switches the pages to Persian, right to left', async () => {
  const { c } = await formLogin(srv.url, TEA);
  const page = await c.req('GET', '/account');
  const csrf = hiddenCsrf(page.text);
  assert.match(page.text, /<form class="langs" method="post" action="\/lang"/, 'a switch on every page');
  const r = await c.req('POST', '/lang', { form: { csrf, lang: 'fa', back: '/account' } });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/account');
  const fa = await c.req('GET', '/account');
  assert.deepEqual(htmlAttrs(fa.text), { lang: 'fa', dir: 'rtl' });
  assert.match(fa.text, /[\u0600-\u06FF]{3,}/, 'Persian text');
  const home = await c.req('GET', '/');
  assert.deepEqual(htmlAttrs(home.text), { lang: 'fa', dir: 'rtl' });
  // The choice is the account's: a new session (no cookie) is Persian too.
  const { c: c2 } = await formLogin(srv.url, TEA);
  delete c2.cookies.reach_lang;
  assert.deepEqual(htmlAttrs((await c2.req('GET', '/')).text), { lang: 'fa', dir: 'rtl' });
  // Without the form's csrf the switch is refused for a signed-in user.
  const bad = await c.req('POST', '/lang', { form: { lang: 'en' } });
  assert.equal(bad.status, 403);
  // Back to English for the other cases.
  assert.equal((await c.req('POST', '/lang', { form: { csrf, lang: 'en' } })).status, 303);
  assert.deepEqual(htmlAttrs((await c.req('GET', '/')).text), { lang: 'en', dir: 'ltr' });
});

test('an anonymous visitor can switch language too (a cookie)', async () => {
  const c = new Client(srv.url);
  const r = await c.req('POST', '/lang', { form: { lang: 'az', back: '/login' } });
  assert.equal(r.status, 303);
  assert.equal(c.cookies.reach_lang, 'az');
  assert.equal(htmlAttrs((await c.req('GET', '/login')).text).lang, 'az');
  const bad = await c.req('POST', '/lang', { form: { lang: 'xx' } });
  assert.equal(bad.status, 400);
});

test('Accept-Language picks the language of an anonymous visitor', async () => {
  const c = new Client(srv.url);
  const vi = await c.req('GET', '/login', { headers: { 'accept-language': 'vi' } });
  assert.deepEqual(htmlAttrs(vi.text), { lang: 'vi', dir: 'ltr' });
  const fa = await c.req('GET', '/login', { headers: { 'accept-language': 'fa-IR,fa;q=0.9,en;q=0.5' } });
  assert.deepEqual(htmlAttrs(fa.text), { lang: 'fa', dir: 'rtl' });
  const q = await c.req('GET', '/login', { headers: { 'accept-language': 'en;q=0.1, az;q=0.8' } });
  assert.equal(htmlAttrs(q.text).lang, 'az');
  const none = await c.req('GET', '/login', { headers: { 'accept-language': 'de-DE, ja' } });
  assert.equal(htmlAttrs(none.text).lang, 'en', 'English when nothing matches');
  const junk = await c.req('GET', '/login', { headers: { 'accept-language': ';;;q=,,,' + 'x'.repeat(500) } });
  assert.equal(junk.status, 200);
});

test('administrator pages render for the administrator', async () => {
  const { c } = await formLogin(srv.url, ADMIN);
  const users = await c.req('GET', '/admin/users');
  assert.equal(users.status, 200);
  assert.match(users.text, />tea</);
  assert.ok(users.text.length < MAX_PAGE, `${users.text.length} bytes`);
  const csrf = hiddenCsrf(users.text);
  const made = await c.req('POST', '/admin/users',
    { form: { csrf, login: 'formed', display_name: 'Formed', role: 'donor', scope: '', password: 'formed-password' } });
  assert.equal(made.status, 303, made.text.slice(0, 300));
  assert.equal(made.headers.get('location'), '/admin/users');
  const bad = await c.req('POST', '/admin/users',
    { form: { csrf, login: 'Bad Login!', display_name: 'Bad', role: 'donor', password: 'formed-password' } });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /lower-case letters/);
  const audit = await c.req('GET', '/admin/audit');
  assert.equal(audit.status, 200);
  assert.match(audit.text, /user\.create/);
  assert.ok(audit.text.length < MAX_PAGE);
});

test('administrator pages are a 403 page for a teacher', async () => {
  const { c } = await formLogin(srv.url, TEA);
  for (const p of ['/admin/users', '/admin/audit']) {
    const r = await c.req('GET', p);
    assert.equal(r.status, 403, p);
    assert.match(r.headers.get('content-type'), /^text\/html/, `${p}: a page`);
    assert.match(r.text, /<html lang="en"/);
    assert.ok(!/<table/.test(r.text), `${p}: no list leaks into the error page`);
  }
  const csrf = hiddenCsrf((await c.req('GET', '/account')).text);
  const r = await c.req('POST', '/admin/users',
    { form: { csrf, login: 'sneaky', display_name: 'S', role: 'admin', password: 'sneaky-password' } });
  assert.equal(r.status, 403);
});

test('every page is under 50 KB', async () => {
  const { c } = await formLogin(srv.url, ADMIN);
  for (const p of ['/', '/login', '/account', '/admin/users', '/admin/audit']) {
    const r = await fetch(srv.url + p, { headers: { cookie: `reach_session=${c.cookies.reach_session}` }, redirect: 'manual' });
    const body = Buffer.from(await r.arrayBuffer());
    assert.ok(body.length < MAX_PAGE, `${p}: ${body.length} bytes`);
  }
});

test('signing out through the form ends the session', async () => {
  const { c } = await formLogin(srv.url, TEA);
  const csrf = hiddenCsrf((await c.req('GET', '/')).text);
  const r = await c.req('POST', '/logout', { form: { csrf } });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login');
  assert.equal(c.cookies.reach_session, undefined, 'the cookie is cleared');
  const home = await c.req('GET', '/');
  assert.equal(home.status, 303);
});

test('an unknown page is a 404 (JSON for unmatched routes)', async () => {
  const r = await new Client(srv.url).req('GET', '/no-such-page', { headers: { accept: 'text/html' } });
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
});

try {
  srv = await startServer({ users: [TEA] });
  process.exitCode = await run();
} finally {
  if (srv) await srv.stop();
}
