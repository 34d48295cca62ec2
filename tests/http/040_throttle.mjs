// Login throttling: per account and per address, configurable; while
// throttled even the right password is refused; a success clears the
// account's count; unknown logins are throttled like known ones.
import { test, run, assert, apiError } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

const USERS = [
  { login: 'dana', password: 'dana-password-123', role: 'teacher' },
  { login: 'eli', password: 'eli-password-123', role: 'donor' },
  { login: 'fay', password: 'fay-password-123', role: 'learner' },
];

const attempt = (url, login, password) => new Client(url).login(login, password);

test('per account: the 4th wrong password is 429, and then even the right one is refused', async () => {
  const s = await startServer({ settings: { login_account_limit: 3 }, users: USERS });
  try {
    for (let i = 0; i < 3; i++) apiError(await attempt(s.url, 'dana', 'wrong-password'), 401, 'unauthenticated');
    const e = apiError(await attempt(s.url, 'dana', 'wrong-password'), 429, 'too_many_requests');
    assert.match(e.message, /later/i);
    const right = await attempt(s.url, 'dana', 'dana-password-123');
    apiError(right, 429, 'too_many_requests');
    assert.equal(right.headers.getSetCookie().length, 0, 'no session while throttled');
    // Another account from the same address still signs in.
    const eli = await attempt(s.url, 'eli', 'eli-password-123');
    assert.equal(eli.status, 200, eli.text);
    assert.equal(eli.json.user.login, 'eli');
    // The form path is throttled too (an HTML page with 429).
    const form = await fetch(s.url + '/login', {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'login=dana&password=dana-password-123',
    });
    assert.equal(form.status, 429);
    assert.match(form.headers.get('content-type'), /^text\/html/);
    assert.equal(form.headers.getSetCookie().length, 0);
  } finally {
    await s.stop();
  }
});

test('per account: unknown logins are throttled exactly like known ones', async () => {
  const s = await startServer({ settings: { login_account_limit: 3 }, users: USERS });
  try {
    const known = [], unknown = [];
    for (let i = 0; i < 4; i++) known.push(await attempt(s.url, 'fay', 'wrong-password'));
    for (let i = 0; i < 4; i++) unknown.push(await attempt(s.url, 'ghost', 'wrong-password'));
    assert.deepEqual(known.map(r => r.status), [401, 401, 401, 429]);
    assert.deepEqual(unknown.map(r => r.status), [401, 401, 401, 429]);
    assert.equal(known[3].text, unknown[3].text);
  } finally {
    await s.stop();
  }
});

test('per account: a successful sign-in clears the count', async () => {
  const s = await startServer({ settings: { login_account_limit: 3 }, users: USERS });
  try {
    for (let i = 0; i < 2; i++) apiError(await attempt(s.url, 'dana', 'wrong-password'), 401, 'unauthenticated');
    assert.equal((await attempt(s.url, 'dana', 'dana-password-123')).status, 200);
    for (let i = 0; i < 3; i++) apiError(await attempt(s.url, 'dana', 'wrong-password'), 401, 'unauthenticated');
    apiError(await attempt(s.url, 'dana', 'wrong-password'), 429, 'too_many_requests');
  } finally {
    await s.stop();
  }
});

test('per account: a throttled account keeps its sessions', async () => {
  const s = await startServer({ settings: { login_account_limit: 3 }, users: USERS });
  try {
    const c = new Client(s.url);
    assert.equal((await c.login('eli', 'eli-password-123')).status, 200);
    for (let i = 0; i < 4; i++) await attempt(s.url, 'eli', 'wrong-password');
    apiError(await attempt(s.url, 'eli', 'eli-password-123'), 429, 'too_many_requests');
    assert.equal((await c.req('GET', '/api/v1/me')).status, 200, 'an attacker cannot sign the owner out');
  } finally {
    await s.stop();
  }
});

test('per address: failures across different logins give 429 after 5', async () => {
  const s = await startServer({ settings: { login_ip_limit: 5 }, users: USERS });
  try {
    const logins = ['dana', 'eli', 'fay', 'nobody', 'admin'];
    for (const l of logins) apiError(await attempt(s.url, l, 'wrong-password'), 401, 'unauthenticated');
    apiError(await attempt(s.url, 'someone-else', 'wrong-password'), 429, 'too_many_requests');
    // From this address no account signs in now, not even with its password.
    apiError(await attempt(s.url, ADMIN.login, ADMIN.password), 429, 'too_many_requests');
    apiError(await attempt(s.url, 'fay', 'fay-password-123'), 429, 'too_many_requests');
  } finally {
    await s.stop();
  }
});

const attemptFrom = async (url, xff, login, password) => {
  const r = await fetch(url + '/api/v1/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
    body: JSON.stringify({ login, password }),
  });
  const text = await r.text();
  return { status: r.status, text, json: JSON.parse(text) };
};

test('per address: X-Forwarded-For is ignored unless trust_proxy is set', async () => {
  const s = await startServer({ settings: { login_ip_limit: 3 }, users: USERS });
  try {
    for (let i = 0; i < 3; i++)
      apiError(await attemptFrom(s.url, `10.0.0.${i}`, `pupil${i}`, 'wrong-password'), 401, 'unauthenticated');
    // A new forged address each time does not escape the limit.
    apiError(await attemptFrom(s.url, '10.0.0.99', 'dana', 'dana-password-123'), 429, 'too_many_requests');
  } finally {
    await s.stop();
  }
});

test('per address: behind a trusted proxy, the address it appends is the one counted', async () => {
  const s = await startServer({ settings: { login_ip_limit: 3, trust_proxy: true }, users: USERS });
  try {
    // The client may send its own X-Forwarded-For; the proxy appends the
    // real address last, and that is the one that counts.
    for (let i = 0; i < 3; i++)
      apiError(await attemptFrom(s.url, `1.2.3.${i}, 10.0.0.1`, `pupil${i}`, 'wrong-password'), 401, 'unauthenticated');
    apiError(await attemptFrom(s.url, '5.5.5.5, 10.0.0.1', 'dana', 'dana-password-123'), 429, 'too_many_requests');
    const other = await attemptFrom(s.url, '10.0.0.1, 10.0.0.2', 'dana', 'dana-password-123');
    assert.equal(other.status, 200, 'another address is not throttled: ' + other.text);
    // The audit log records the address the proxy gave.
    const admin = new Client(s.url);
    assert.equal((await admin.login(ADMIN.login, ADMIN.password)).status, 200, 'loopback itself is not throttled');
    const a = await admin.req('GET', '/api/v1/audit?limit=5');
    const e = a.json.items.find(x => x.action === 'session.login' && x.actor_login === 'dana');
    assert.equal(e.ip, '10.0.0.2');
  } finally {
    await s.stop();
  }
});

test('per address: the default limit is generous (a school behind one address)', async () => {
  const s = await startServer({ users: USERS });
  try {
    // 30 failures spread over accounts stay under both default limits.
    for (let i = 0; i < 30; i++) {
      const r = await attempt(s.url, `pupil${i % 10}`, 'wrong-password');
      assert.equal(r.status, 401, `attempt ${i}: ${r.status}`);
    }
    assert.equal((await attempt(s.url, 'dana', 'dana-password-123')).status, 200);
  } finally {
    await s.stop();
  }
});

try {
  process.exitCode = await run();
} catch (e) {
  console.log('not ok - setup: ' + e);
  process.exitCode = 1;
}
