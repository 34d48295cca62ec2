// Region figures: the refresh job (202, Location, done with its timings;
// who may start it), GET /api/v1/regions/:code/stats against figures
// counted independently with SQL over the same store, the roll-up (a
// province is the sum of its districts, a district of its villages), where
// people without a school are counted, no personal data in the answer,
// who may read it (donors yes, a district officer in their district only,
// anonymous callers no) and 404 for a region that does not exist.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test, run, assert, apiError } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

const TREE = resolve(import.meta.dirname, '300_region_tree.sql');
const USERS = [
  { login: 'donor', password: 'donor-password-1', role: 'donor' },
  { login: 'officer', password: 'officer-password-1', role: 'district_officer', scope: 'XC-01-02' },
];
const sleep = ms => new Promise(r => setTimeout(r, ms));
const VILLAGES = ['XC-01-01-001', 'XC-01-01-002', 'XC-01-02-001', 'XC-01-02-002', 'XC-02-01-001',
  'XC-02-01-002', 'XC-02-02-001', 'XC-02-02-002'];
const DISTRICTS = ['XC-01-01', 'XC-01-02', 'XC-02-01', 'XC-02-02'];

let srv, admin, donor, officer, db;
const sql = q => execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, q]).toString().trim();
const num = q => Number(sql(q));

async function login(u) {
  const c = new Client(srv.url);
  assert.equal((await c.login(u.login, u.password)).status, 200);
  return c;
}

async function refresh(c) {
  const r = await c.req('POST', '/api/v1/dashboards/refresh');
  assert.equal(r.status, 202, r.text);
  assert.equal(r.headers.get('location'), `/api/v1/jobs/${r.json.id}`);
  assert.equal(r.json.kind, 'dashboard_refresh');
  for (let i = 0; i < 400; i++) {
    const j = await c.req('GET', `/api/v1/jobs/${r.json.id}`);
    if (j.json.state === 'done') return j.json;
    assert.notEqual(j.json.state, 'failed', j.text);
    await sleep(25);
  }
  throw new Error('the refresh did not finish');
}

const stats = async (code, c = admin) => {
  const r = await c.req('GET', `/api/v1/regions/${code}/stats`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};

// The figures of a region counted straight from the tables, by a different
// route than the refresh takes (subtree by path, joins instead of C).
function expected(code) {
  const sub = `(SELECT rid FROM regions WHERE path LIKE (SELECT path FROM regions WHERE code = '${code}') || '%')`;
  const root = code === 'XC';
  const placed = `(p.school_sid IN (SELECT sid FROM schools WHERE region_rid IN ${sub}) OR ` +
    `(p.school_sid IS NULL AND p.region_rid IN ${sub})${root ? ' OR (p.school_sid IS NULL AND p.region_rid IS NULL)' : ''})`;
  const people = (role, extra = '1') =>
    num(`SELECT COUNT(*) FROM people p WHERE p.retired_at IS NULL AND p.role = '${role}' AND ${placed} AND ${extra}`);
  const schools = extra => num(`SELECT COUNT(*) FROM schools WHERE region_rid IN ${sub} AND ${extra}`);
  const counted = `(SELECT COUNT(*) FROM people l WHERE l.school_sid = schools.sid AND l.role = 'learner' AND l.retired_at IS NULL)`;
  return {
    learners: people('learner'), teachers: people('teacher'), guardians: people('guardian'),
    schools: schools('1'),
    schools_by_kind: { boarding: schools('boarding <> 0'), nomadic: schools('nomadic <> 0'), rural: schools('rural <> 0') },
    schools_connected: schools(`connectivity <> 'none'`),
    schools_equipped: schools(`electricity <> 'none' AND computers + tablets >= 1 AND ` +
      `(computers + tablets) * 20 >= COALESCE(learners, ${counted})`),
    learners_device: people('learner', 'p.has_device = 1'),
    learners_internet: people('learner', 'p.has_internet = 1'),
    teachers_by_skill: [0, 1, 2, 3, 4].map(k => people('teacher', `p.digital_skills = ${k}`)),
    teachers_device: people('teacher', 'p.has_device = 1'),
    by_connectivity: Object.fromEntries(['none', '2g', '3g', '4g', 'fibre', 'satellite']
      .map(k => [k, schools(`connectivity = '${k}'`)])),
  };
}

function sum(list) {
  const add = (a, b) => {
    if (typeof b === 'number') return (a || 0) + b;
    if (Array.isArray(b)) return b.map((v, i) => add(a && a[i], v));
    const o = { ...(a || {}) };
    for (const [k, v] of Object.entries(b)) o[k] = add(o[k], v);
    return o;
  };
  return list.reduce(add, undefined);
}

test('before the first refresh a region has no figures yet', async () => {
  admin = await login(ADMIN);
  const s = await stats('XC');
  assert.equal(s.figures, null);
  assert.equal(s.refreshed_at, null);
  assert.deepEqual(s.region, { code: 'XC', name: 'Xcountry', level: 'country' });
});

test('POST /api/v1/dashboards/refresh queues a job that computes every region', async () => {
  const job = await refresh(admin);
  assert.equal(job.result.regions, 15);
  assert.equal(job.result.schools, 25);
  for (const k of ['read_ms', 'compute_ms', 'write_ms', 'total_ms']) assert.equal(typeof job.result[k], 'number');
  assert.equal(num('SELECT COUNT(*) FROM region_stats'), 15);
});

test('the country\'s figures are those counted from the tables', async () => {
  const s = await stats('XC');
  assert.match(s.refreshed_at, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(s.figures, expected('XC'));
  // The cases of the tree: one child out of school counts among learners,
  // the guardian with no place only here, the retired and the adult nowhere.
  assert.equal(s.figures.learners, 121);
  assert.equal(s.figures.guardians, 121);
  assert.equal(s.figures.schools, 25);
});

test('every province, district and village matches, and each is the sum of its children', async () => {
  for (const code of [...VILLAGES, ...DISTRICTS, 'XC-01', 'XC-02'])
    assert.deepEqual((await stats(code)).figures, expected(code), code);
  for (const d of DISTRICTS) {
    const kids = await Promise.all(VILLAGES.filter(v => v.startsWith(d + '-')).map(v => stats(v)));
    assert.deepEqual((await stats(d)).figures, sum(kids.map(k => k.figures)), d);
  }
  for (const p of ['XC-01', 'XC-02']) {
    const kids = await Promise.all(DISTRICTS.filter(d => d.startsWith(p + '-')).map(d => stats(d)));
    assert.deepEqual((await stats(p)).figures, sum(kids.map(k => k.figures)), p);
  }
  // The country adds the one guardian who lives nowhere known.
  const provinces = sum([(await stats('XC-01')).figures, (await stats('XC-02')).figures]);
  const country = (await stats('XC')).figures;
  assert.equal(country.learners, provinces.learners);
  assert.equal(country.guardians, provinces.guardians + 1);
});

test('the answer holds aggregates only: no names, ids or personal fields', async () => {
  const r = await admin.req('GET', '/api/v1/regions/XC-01-01-001/stats');
  assert.deepEqual(Object.keys(r.json).sort(), ['figures', 'refreshed_at', 'region']);
  assert.deepEqual(Object.keys(r.json.figures), ['learners', 'teachers', 'guardians', 'schools', 'schools_by_kind',
    'schools_connected', 'schools_equipped', 'learners_device', 'learners_internet', 'teachers_by_skill',
    'teachers_device', 'by_connectivity']);
  assert.ok(!/Given|Family|Teacher|Ofschool|00000006-/.test(r.text), r.text);
});

test('a refresh after a change updates the figures; running it twice changes nothing', async () => {
  const before = await stats('XC-02-02-002');
  sql(`UPDATE schools SET connectivity = 'fibre' WHERE code = 'S02-02-002-01'`);
  sql(`UPDATE people SET retired_at = '2026-03-01T00:00:00.000Z' WHERE id = (SELECT MIN(id) FROM people ` +
    `WHERE role = 'learner' AND school_sid = (SELECT sid FROM schools WHERE code = 'S02-02-002-02'))`);
  await refresh(admin);
  const after = await stats('XC-02-02-002');
  assert.deepEqual(after.figures, expected('XC-02-02-002'));
  assert.equal(after.figures.learners, before.figures.learners - 1);
  assert.equal(after.figures.by_connectivity.fibre, expected('XC-02-02-002').by_connectivity.fibre);
  await refresh(admin);
  assert.deepEqual((await stats('XC-02-02-002')).figures, after.figures);
  assert.deepEqual((await stats('XC')).figures, expected('XC'));
});

test('donors may read figures but not start a refresh', async () => {
  donor = await login(USERS[0]);
  assert.deepEqual((await stats('XC', donor)).figures, (await stats('XC')).figures);
  assert.equal((await donor.req('GET', '/api/v1/regions/XC-02-01-001/stats')).status, 200);
  apiError(await donor.req('POST', '/api/v1/dashboards/refresh'), 403, 'forbidden');
});

test('a district officer reads their district and what is beneath it, nothing else', async () => {
  officer = await login(USERS[1]);
  assert.equal((await officer.req('GET', '/api/v1/regions/XC-01-02/stats')).status, 200);
  assert.equal((await officer.req('GET', '/api/v1/regions/XC-01-02-001/stats')).status, 200);
  for (const code of ['XC', 'XC-01', 'XC-01-01', 'XC-02-01-001'])
    apiError(await officer.req('GET', `/api/v1/regions/${code}/stats`), 403, 'forbidden');
});

test('anonymous callers get 401, an unknown region 404', async () => {
  const anon = new Client(srv.url);
  apiError(await anon.req('GET', '/api/v1/regions/XC/stats'), 401, 'unauthenticated');
  apiError(await anon.req('POST', '/api/v1/dashboards/refresh'), 401, 'unauthenticated');
  apiError(await admin.req('GET', '/api/v1/regions/NOPE/stats'), 404, 'not_found');
  apiError(await donor.req('GET', '/api/v1/regions/XC-09/stats'), 404, 'not_found');
});

test('the API description lists the new routes', async () => {
  const doc = (await admin.req('GET', '/api/v1/openapi.json')).json;
  const paths = Object.keys(doc.paths).join(' ');
  assert.match(paths, /\/api\/v1\/regions\/\{code\}\/stats/);
  assert.match(paths, /\/api\/v1\/dashboards\/refresh/);
});

srv = await startServer({ users: USERS });
db = join(srv.data, 'reach.db');
execFileSync('sqlite3', ['-cmd', '.timeout 5000', db], { input: readFileSync(TREE) });
try {
  process.exitCode = await run();
} finally {
  await srv.stop();
}
