// Many requests at once: concurrent writes (tokens, sign-ins, accounts),
// reads and backup jobs through every thread's own store connection. No
// request may fail with 5xx (a busy store), none may be lost, and the
// store reports no errors.
import { test, run, assert } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

let srv, admin;

const histogram = xs => xs.reduce((h, x) => ({ ...h, [x]: (h[x] || 0) + 1 }), {});

test('concurrent writes and reads: every one answered, none lost, no 5xx', async () => {
  admin = new Client(srv.url);
  assert.equal((await admin.login(ADMIN.login, ADMIN.password)).status, 200);
  const jobs = [];
  const work = [];
  for (let i = 0; i < 120; i++)
    work.push(admin.req('POST', '/api/v1/tokens', { json: { name: `parallel-${i}` } }).then(r => r.status));
  for (let i = 0; i < 30; i++)
    work.push(new Client(srv.url).login(ADMIN.login, ADMIN.password).then(r => r.status));
  for (let i = 0; i < 30; i++)
    work.push(admin.req('POST', '/api/v1/users', {
      json: { login: `many${i}`, display_name: `Many ${i}`, role: 'learner', password: 'many-password-1' },
    }).then(r => r.status));
  for (let i = 0; i < 5; i++)
    work.push(admin.req('POST', '/api/v1/backups').then(r => { jobs.push(r.json.id); return r.status; }));
  for (let i = 0; i < 120; i++)
    work.push(admin.req('GET', i % 2 ? '/api/v1/audit?limit=50' : '/api/v1/users?limit=50').then(r => r.status));
  const statuses = await Promise.all(work);
  const h = histogram(statuses);
  assert.deepEqual(h, { 200: 150, 201: 150, 202: 5 }, JSON.stringify(h));
  const tokens = (await admin.req('GET', '/api/v1/tokens')).json.items;
  assert.equal(tokens.filter(t => t.name.startsWith('parallel-')).length, 120, 'every token is there');
  const users = (await admin.req('GET', '/api/v1/users?limit=500')).json.items;
  assert.equal(users.filter(u => u.login.startsWith('many')).length, 30, 'every account is there');
  const audit = (await admin.req('GET', '/api/v1/audit?limit=500')).json.items;
  assert.equal(audit.filter(e => e.action === 'token.create').length, 120, 'every change audited once');
  // The backups finish too.
  for (const id of jobs) {
    for (let t = 0; ; t++) {
      const j = await admin.req('GET', `/api/v1/jobs/${id}`);
      if (j.json.state === 'done') break;
      assert.notEqual(j.json.state, 'failed', j.json.message);
      assert.ok(t < 400, 'job finishes');
      await new Promise(r => setTimeout(r, 50));
    }
  }
});

test('concurrent sign-ins of one account each get their own session', async () => {
  const clients = Array.from({ length: 20 }, () => new Client(srv.url));
  const rs = await Promise.all(clients.map(c => c.login(ADMIN.login, ADMIN.password)));
  assert.ok(rs.every(r => r.status === 200));
  assert.equal(new Set(clients.map(c => c.cookies.reach_session)).size, 20);
  assert.equal(new Set(clients.map(c => c.csrf)).size, 20);
  const me = await Promise.all(clients.map(c => c.req('GET', '/api/v1/me')));
  assert.ok(me.every(r => r.status === 200));
});

test('afterwards: no store errors, no 5xx in the metrics', async () => {
  const m = await (await fetch(srv.url + '/metrics')).text();
  assert.match(m, /^reach_store_errors_total 0$/m);
  assert.ok(!/status="5\d\d"/.test(m), (m.match(/.*status="5\d\d".*/g) || []).join('; '));
  assert.match(m, /^reach_http_in_flight 1$/m, 'only this request is in flight');
});

try {
  srv = await startServer();
  process.exitCode = await run();
} finally {
  if (srv) await srv.stop();
}
