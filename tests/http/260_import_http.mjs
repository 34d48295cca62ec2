// Imports over HTTP: an upload (raw body with ?kind=, or a multipart form
// from the /imports page) becomes a background job; the run is read back
// with counts, state and progress; its rejected rows come as CSV; who may
// import, and who may see whose runs.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, run, assert, apiError } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

const DATA = resolve(import.meta.dirname, '../data/import');
const TEA = { login: 'tea', password: 'tea-password-123', role: 'teacher' };
const OFF = { login: 'off', password: 'off-password-123', role: 'province_officer', scope: 'IR-07' };
const DIS = { login: 'dis', password: 'dis-password-123', role: 'district_officer', scope: 'IR-07-05' };
const sleep = ms => new Promise(r => setTimeout(r, ms));
let srv, admin;

async function upload(c, kind, file, extra = '') {
  return c.req('POST', `/api/v1/imports?kind=${kind}${extra}`, {
    raw: readFileSync(resolve(DATA, file)), headers: { 'content-type': 'text/csv' },
  });
}

async function waitRun(c, id) {
  for (let i = 0; i < 400; i++) {
    const r = await c.req('GET', `/api/v1/imports/${id}`);
    assert.equal(r.status, 200, r.text);
    if (r.json.state === 'done' || r.json.state === 'failed') return r.json;
    await sleep(25);
  }
  throw new Error('the import did not finish');
}

test('POST /api/v1/imports: 202 with a Location; the job imports the file', async () => {
  admin = new Client(srv.url);
  assert.equal((await admin.login(ADMIN.login, ADMIN.password)).status, 200);
  for (const k of ['regions', 'schools', 'people']) {
    const r = await upload(admin, k, `${k}.csv`);
    assert.equal(r.status, 202, r.text);
    assert.equal(r.headers.get('location'), `/api/v1/imports/${r.json.id}`);
    assert.equal(r.json.kind, k);
    assert.ok(['queued', 'running', 'done'].includes(r.json.state));
    assert.ok(r.json.job && r.json.job.id, 'a job');
    const done = await waitRun(admin, r.json.id);
    assert.equal(done.state, 'done', JSON.stringify(done));
    assert.equal(done.rejected, 0);
    assert.ok(done.written > 0 && done.written === done.read, JSON.stringify(done));
    assert.equal(done.job.progress, done.read, 'progress reached the end');
    // The run's row says done as the import ends; the job records its own
    // end a moment later.
    let job;
    for (let i = 0; i < 400; i++) {
      job = await admin.req('GET', `/api/v1/jobs/${done.job.id}`);
      if (job.json.state !== 'running') break;
      await sleep(25);
    }
    assert.equal(job.json.state, 'done');
    assert.equal(job.json.result.import_id, done.id);
  }
});

test('rejected rows: counts in the run, the report as CSV', async () => {
  const r = await upload(admin, 'people', 'people_impossible_dates.csv');
  assert.equal(r.status, 202, r.text);
  const done = await waitRun(admin, r.json.id);
  assert.deepEqual([done.read, done.written, done.rejected], [4, 1, 3]);
  const rep = await admin.req('GET', `/api/v1/imports/${done.id}/report.csv`);
  assert.equal(rep.status, 200);
  assert.match(rep.headers.get('content-type'), /^text\/csv/);
  const lines = rep.text.trim().split('\n');
  assert.equal(lines[0], 'file,row,column,reason');
  assert.equal(lines.length, 4);
  assert.match(lines[1], /,2,birth_date,2026-02-30: February 2026 has 28 days$/);
});

test('strict and dry-run modes over HTTP write nothing', async () => {
  let r = await upload(admin, 'people', 'people_duplicate_ids.csv', '&mode=strict');
  let done = await waitRun(admin, r.json.id);
  assert.equal(done.mode, 'strict');
  assert.deepEqual([done.written, done.rejected], [0, 1]);
  r = await upload(admin, 'people', 'people_solar_hijri.csv', '&mode=dry_run&calendar=solar-hijri');
  done = await waitRun(admin, r.json.id);
  assert.deepEqual([done.state, done.written, done.rejected], ['done', 0, 0]);
  const people = await admin.req('GET', '/api/v1/people?limit=100');
  if (people.status === 200) assert.ok(!people.text.includes('"H1"'), 'dry run wrote nothing');
});

test('a file that cannot be used: the run fails with a message', async () => {
  const r = await upload(admin, 'people', 'people_missing_column.csv');
  const done = await waitRun(admin, r.json.id);
  assert.equal(done.state, 'failed');
  assert.match(done.message, /family_name/);
});

test('bad requests: unknown kind 400, empty body 400, no CSRF 403', async () => {
  let r = await admin.req('POST', '/api/v1/imports?kind=pupils', { raw: 'a,b\n' });
  apiError(r, 400, null, 'kind');
  r = await admin.req('POST', '/api/v1/imports?kind=people', { raw: '' });
  apiError(r, 400);
  r = await admin.req('POST', '/api/v1/imports?kind=people', { raw: 'id\n', headers: { 'x-csrf-token': 'nope' } });
  assert.equal(r.status, 403);
});

test('who may: a teacher may not import; an officer sees only their own runs', async () => {
  const tea = new Client(srv.url);
  assert.equal((await tea.login(TEA.login, TEA.password)).status, 200);
  apiError(await upload(tea, 'people', 'people.csv'), 403);
  const list = await admin.req('GET', '/api/v1/imports?limit=2');
  assert.equal(list.status, 200);
  assert.equal(list.json.items.length, 2);
  assert.ok(list.json.next, 'a next page');
  const off = new Client(srv.url);
  assert.equal((await off.login(OFF.login, OFF.password)).status, 200);
  apiError(await off.req('GET', `/api/v1/imports/${list.json.items[0].id}`), 404);
  const mine = await off.req('GET', '/api/v1/imports');
  assert.equal(mine.status, 200);
  assert.equal(mine.json.items.length, 0);
});

test("scope: a district officer's upload touches only their district", async () => {
  const dis = new Client(srv.url);
  assert.equal((await dis.login(DIS.login, DIS.password)).status, 200);
  const r = await upload(dis, 'schools', 'schools.csv');
  assert.equal(r.status, 202, r.text);
  const done = await waitRun(dis, r.json.id);
  assert.deepEqual([done.read, done.rejected], [3, 2]);
  const rep = await dis.req('GET', `/api/v1/imports/${done.id}/report.csv`);
  assert.match(rep.text, /schools\.csv,1,region_code,outside your scope \(IR-07-05\)/);
  assert.match(rep.text, /schools\.csv,3,region_code,outside your scope/);
  assert.doesNotMatch(rep.text, /,2,/);
});

test('the /imports page: a form upload, the runs with their reports', async () => {
  let r = await admin.req('GET', '/imports');
  assert.equal(r.status, 200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(r.text)[1];
  assert.match(r.text, /enctype="multipart\/form-data"/);
  const form = new FormData();
  form.append('csrf', csrf);
  form.append('kind', 'enrolments');
  form.append('file', new Blob([readFileSync(resolve(DATA, 'enrolments_bad.csv'))]), 'enrolments_bad.csv');
  const res = await fetch(srv.url + '/imports', {
    method: 'POST', body: form, redirect: 'manual',
    headers: { cookie: Object.entries(admin.cookies).map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  assert.equal(res.status, 303, await res.text());
  for (let i = 0; i < 200; i++) {
    r = await admin.req('GET', '/imports');
    if (!/<progress/.test(r.text)) break;
    await sleep(25);
  }
  assert.match(r.text, /enrolments_bad\.csv/);
  assert.match(r.text, /\/api\/v1\/imports\/[0-9a-f-]{36}\/report\.csv/);
});

srv = await startServer({ users: [TEA, OFF, DIS] });
let failed;
try {
  failed = await run();
} finally {
  await srv.stop();
}
process.exit(failed ? 1 : 0);
