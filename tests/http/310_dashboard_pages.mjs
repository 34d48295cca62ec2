// Region pages and downloads: /regions sends each reader to their place
// in the tree; a region page holds the breadcrumb, the charts (SVG with
// role, title, desc and a table of the numbers), the map, the children and
// (for those who may read the registry) the schools, in English and
// Persian, and stays small; figures and children download as CSV and XLSX
// (a real zip that Python's zipfile opens) whose values are the API's; the
// same access rules as the API; an empty instance says what to do.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test, run, assert, apiError } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

const TREE = resolve(import.meta.dirname, '300_region_tree.sql');
const USERS = [
  { login: 'donor', password: 'donor-password-1', role: 'donor' },
  { login: 'officer', password: 'officer-password-1', role: 'district_officer', scope: 'XC-01-02' },
];
const sleep = ms => new Promise(r => setTimeout(r, ms));
const tmp = mkdtempSync(join(tmpdir(), 'reach-310-'));

let srv, admin, donor, officer;

async function login(u) {
  const c = new Client(srv.url);
  assert.equal((await c.login(u.login, u.password)).status, 200);
  return c;
}

async function refresh(c) {
  const r = await c.req('POST', '/api/v1/dashboards/refresh');
  assert.equal(r.status, 202, r.text);
  for (let i = 0; i < 400; i++) {
    const j = await c.req('GET', `/api/v1/jobs/${r.json.id}`);
    if (j.json.state === 'done') return;
    await sleep(25);
  }
  throw new Error('the refresh did not finish');
}

// The figures of the API as "key" -> value, flattened the way the
// downloads name them ("schools_by_kind.boarding", "teachers_by_skill.0").
function flatten(o, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') flatten(v, key, out); else out[key] = v;
  }
  return out;
}

// RFC 4180, enough for these files (quoted fields may hold commas).
function parseCsv(text) {
  const rows = [];
  for (const line of text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean)) {
    const cells = [];
    let cur = '', q = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (q && ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') q = !q;
      else if (ch === ',' && !q) { cells.push(cur); cur = ''; } else cur += ch;
    }
    cells.push(cur);
    rows.push(cells);
  }
  return rows;
}

// The first sheet of an XLSX as rows of cell texts, read with Python's
// zipfile (so a broken zip fails here) and a few lines of XML handling.
function readXlsx(bytes) {
  const path = join(tmp, `book-${Date.now()}.xlsx`);
  writeFileSync(path, bytes);
  const py = `
import json, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
names = z.namelist()
shared = re.findall(r'<t[^>]*>(.*?)</t>', z.read('xl/sharedStrings.xml').decode()) if 'xl/sharedStrings.xml' in names else []
rows = []
for row in re.findall(r'<row[^>]*>(.*?)</row>', z.read('xl/worksheets/sheet1.xml').decode()):
    cells = []
    for attrs, body in re.findall(r'<c([^>]*?)(?:/>|>(.*?)</c>)', row):
        v = re.search(r'<v>(.*?)</v>', body or '')
        v = v.group(1) if v else ''
        cells.append(shared[int(v)] if 't="s"' in attrs else v)
    rows.append(cells)
print(json.dumps({'names': names, 'rows': rows}))
`;
  return JSON.parse(execFileSync('python3', ['-c', py, path]).toString());
}

test('/regions sends each reader to their own place in the tree', async () => {
  admin = await login(ADMIN);
  await refresh(admin);
  const r = await admin.req('GET', '/regions');
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/regions/XC');
  officer = await login(USERS[1]);
  assert.equal((await officer.req('GET', '/regions')).headers.get('location'), '/regions/XC-01-02');
  const anon = await new Client(srv.url).req('GET', '/regions/XC');
  assert.equal(anon.status, 303, 'a page sends anonymous readers to sign in');
  assert.match(anon.headers.get('location'), /^\/login\?back=\/regions\/XC/);
});

test('a province page: breadcrumb, figures, accessible charts, map, children; under 50 KB', async () => {
  const r = await admin.req('GET', '/regions/XC-01');
  assert.equal(r.status, 200);
  assert.ok(r.text.length < 50 * 1024, `${r.text.length} bytes`);
  const h = r.text;
  assert.match(h, /<nav class="crumbs"[^>]*>[\s\S]*href="\/regions\/XC"[\s\S]*aria-current="page"[^>]*>Province 1</);
  assert.equal((h.match(/<svg class="bars" role="img" aria-labelledby="[a-z]+-t [a-z]+-d"/g) || []).length, 4);
  assert.equal((h.match(/<title>/g) || []).length >= 5 + 1, true, 'a title in every chart and the map');
  for (const id of ['kinds', 'shares', 'skills', 'conn']) {
    assert.match(h, new RegExp(`id="${id}-t"`));
    assert.match(h, new RegExp(`<desc id="${id}-d">`));
  }
  assert.match(h, /<svg class="dots" role="img" aria-labelledby="map-t map-d"/);
  assert.equal((h.match(/<path class="k-(none|2g|3g|4g|fibre|satellite)" d="M/g) || []).length >= 4, true);
  assert.match(h, /href="\/regions\/XC-01-01"/);
  assert.match(h, /href="\/regions\/XC-01\/figures.csv"/);
  assert.match(h, /href="\/regions\/XC-01\/regions.xlsx"/);
  assert.ok(!/id="schools"/.test(h), 'a province does not list every school');
  assert.ok(!/<script/i.test(h) && !/ style=/.test(h), 'no script and no inline style');
});

test('district and village pages list their schools, linking to the school pages', async () => {
  const d = await admin.req('GET', '/regions/XC-01-02');
  assert.match(d.text, /id="schools"/);
  assert.equal((d.text.match(/href="\/schools\/[0-9a-f-]{36}"/g) || []).length, 6);
  const v = await admin.req('GET', '/regions/XC-02-01-001');
  assert.equal((v.text.match(/href="\/schools\/[0-9a-f-]{36}"/g) || []).length, 4);
  assert.match(v.text, /School without coordinates/);
  assert.match(v.text, /Schools without coordinates \(not on the map\): 1/);
  const bad = await admin.req('GET', '/regions/XC-01-02?cursor=%%%');
  assert.equal(bad.status, 400);
  assert.match(bad.text, /cursor is not valid/);
});

test('in Persian the page is right to left, with Persian digits and names', async () => {
  const c = await login(ADMIN);
  assert.equal((await c.req('PATCH', '/api/v1/me', { json: { lang: 'fa' } })).status, 200);
  const r = await c.req('GET', '/regions/XC-01');
  assert.match(r.text, /<html lang="fa" dir="rtl">/);
  assert.match(r.text, /استان 1/);
  assert.match(r.text, /<dd>۶۱<\/dd>/, 'learners in Persian digits');
  assert.match(r.text, /۸۳٪/, 'a share with the Persian per cent sign');
});

test('donors see the dashboards but not the school lists', async () => {
  donor = await login(USERS[0]);
  const r = await donor.req('GET', '/regions/XC-01-02');
  assert.equal(r.status, 200);
  assert.ok(!/id="schools"/.test(r.text) && !/href="\/schools\//.test(r.text), 'no school list for donors');
});

test('a district officer sees their district, and is refused the province', async () => {
  assert.equal((await officer.req('GET', '/regions/XC-01-02')).status, 200);
  const r = await officer.req('GET', '/regions/XC-01');
  assert.equal(r.status, 403);
  assert.match(r.text, /outside your scope/);
  apiError(await officer.req('GET', '/regions/XC-01/figures.csv'), 403, 'forbidden');
});

test('a region that does not exist is a 404 page', async () => {
  const r = await admin.req('GET', '/regions/NOPE');
  assert.equal(r.status, 404);
  assert.match(r.headers.get('content-type'), /text\/html/);
  apiError(await admin.req('GET', '/regions/NOPE/figures.csv'), 404, 'not_found');
  apiError(await admin.req('GET', '/regions/NOPE/regions.xlsx'), 404, 'not_found');
});

test('figures.csv holds the values of the API', async () => {
  const api = flatten((await admin.req('GET', '/api/v1/regions/XC-01/stats')).json.figures);
  const r = await admin.req('GET', '/regions/XC-01/figures.csv');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /attachment; filename="XC-01-figures.csv"/);
  const raw = Buffer.from(await (await fetch(srv.url + '/regions/XC-01/figures.csv',
    { headers: { authorization: 'Bearer ' + await token() } })).arrayBuffer());
  assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte-order mark, so spreadsheets read UTF-8');
  const rows = parseCsv(r.text);
  assert.deepEqual(rows[0], ['region', 'figure', 'label', 'value', 'refreshed_at']);
  const csv = Object.fromEntries(rows.slice(1).map(row => [row[1], Number(row[3])]));
  assert.deepEqual(csv, api);
  assert.ok(rows.slice(1).every(row => row[0] === 'XC-01' && row[2].length > 0));
});

test('figures.xlsx is a workbook (a zip) with the same values', async () => {
  const res = await fetch(srv.url + '/regions/XC-01/figures.xlsx', { headers: { cookie: Object.entries(admin.cookies).map(([k, v]) => `${k}=${v}`).join('; ') } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(res.headers.get('content-disposition'), /filename="XC-01-figures.xlsx"/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], 'the zip magic');
  const book = readXlsx(bytes);
  assert.ok(book.names.includes('xl/workbook.xml'));
  const api = flatten((await admin.req('GET', '/api/v1/regions/XC-01/stats')).json.figures);
  assert.deepEqual(book.rows[0], ['region', 'figure', 'label', 'value', 'refreshed_at']);
  assert.deepEqual(Object.fromEntries(book.rows.slice(1).map(row => [row[1], Number(row[3])])), api);
});

test('regions.csv and regions.xlsx hold one row per child with its figures', async () => {
  const r = await admin.req('GET', '/regions/XC/regions.csv');
  const rows = parseCsv(r.text);
  assert.deepEqual(rows[0].slice(0, 4), ['code', 'name', 'level', 'learners']);
  assert.equal(rows.length, 3);
  for (const row of rows.slice(1)) {
    const api = flatten((await admin.req('GET', `/api/v1/regions/${row[0]}/stats`)).json.figures);
    const csv = Object.fromEntries(rows[0].slice(3).map((k, i) => [k, Number(row[3 + i])]));
    assert.deepEqual(csv, api, row[0]);
    assert.equal(row[2], 'province');
  }
  const x = await fetch(srv.url + '/regions/XC-02/regions.xlsx', { headers: { authorization: 'Bearer ' + await token() } });
  const book = readXlsx(Buffer.from(await x.arrayBuffer()));
  assert.deepEqual(book.rows.map(row => row[0]), ['code', 'XC-02-01', 'XC-02-02']);
  // A village has no children: a header and nothing else.
  assert.equal(parseCsv((await admin.req('GET', '/regions/XC-01-01-001/regions.csv')).text).length, 1);
});

test('a name a spreadsheet would take for a formula is written as text', async () => {
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', join(srv.data, 'reach.db'),
    `UPDATE regions SET name = '=HYPERLINK("x","y")', names = '{}' WHERE code = 'XC-02-02'`]);
  const rows = parseCsv((await admin.req('GET', '/regions/XC-02/regions.csv')).text);
  assert.equal(rows[2][1], `'=HYPERLINK("x","y")`);
});

test('donors may download; anonymous callers may not', async () => {
  assert.equal((await donor.req('GET', '/regions/XC/figures.csv')).status, 200);
  assert.equal((await donor.req('GET', '/regions/XC/regions.xlsx')).status, 200);
  const anon = new Client(srv.url);
  for (const f of ['figures.csv', 'figures.xlsx', 'regions.csv', 'regions.xlsx'])
    apiError(await anon.req('GET', `/regions/XC/${f}`), 401, 'unauthenticated');
});

test('an instance without regions says how to get some', async () => {
  const empty = await startServer();
  try {
    const c = new Client(empty.url);
    assert.equal((await c.login(ADMIN.login, ADMIN.password)).status, 200);
    const r = await c.req('GET', '/regions');
    assert.equal(r.status, 200);
    assert.match(r.text, /reach import regions/);
  } finally {
    await empty.stop();
  }
});

let bearer;
async function token() {
  if (!bearer) bearer = (await admin.req('POST', '/api/v1/tokens', { json: { name: 'xlsx' } })).json.token;
  return bearer;
}

srv = await startServer({ users: USERS });
execFileSync('sqlite3', ['-cmd', '.timeout 5000', join(srv.data, 'reach.db')], { input: readFileSync(TREE) });
try {
  process.exitCode = await run();
} finally {
  await srv.stop();
  rmSync(tmp, { recursive: true, force: true });
}
