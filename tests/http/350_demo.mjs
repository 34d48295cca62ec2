// `reach demo`: the same seed gives the same files from the command line;
// bad options are refused with exit 2; a tiny country imported into a
// running instance shows through the API and the pages (docs/demo.md).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, run, assert } from '../lib/harness.mjs';
import { BIN, startServer, Client, ADMIN } from '../lib/server.mjs';

const work = mkdtempSync(join(tmpdir(), 'reach-demo-'));

function reach(data, args) {
  const r = spawnSync(BIN, ['--data', data, '--log', '/dev/null', ...args], { encoding: 'utf8', timeout: 120000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Every file under dir, as relative path → contents.
function files(dir, sub = '') {
  const out = {};
  for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
    const rel = join(sub, e.name);
    if (e.isDirectory()) Object.assign(out, files(dir, rel));
    else out[rel] = readFileSync(join(dir, rel));
  }
  return out;
}

// The rows of a demo CSV file as objects (the demo quotes nothing it need not).
function rows(path) {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map(l => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

test('the same seed gives byte-identical files; another seed different ones', () => {
  const out = s => join(work, `vn-${s}`);
  for (const [dir, seed] of [[out('a'), 5], [out('b'), 5], [out('c'), 6]]) {
    const r = reach(join(work, 'data-files'), ['demo', '--scale', 'tiny', '--country', 'vn', '--seed', String(seed),
      '--no-import', '--quiet', '--out', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /learners\s+\d+/);
  }
  const a = files(out('a')), b = files(out('b')), c = files(out('c'));
  assert.ok(Object.keys(a).length >= 15, Object.keys(a).join(' '));
  for (const k of Object.keys(a)) assert.ok(a[k].equals(b[k]), `${k} differs with the same seed`);
  assert.ok(!a['people.csv'].equals(c['people.csv']), 'people.csv is the same with another seed');
});

test('bad options: exit 2 and a message', () => {
  for (const args of [['--scale', 'huge'], ['--country', 'xx'], ['--seed', '-1'], ['--learners', '5']]) {
    const r = reach(join(work, 'data-bad'), ['demo', ...args, '--no-import']);
    assert.equal(r.status, 2, `${args}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /usage: reach demo/);
  }
});

test('a tiny country imported into a running instance: API and pages', async () => {
  const s = await startServer();
  try {
    const r = reach(s.data, ['demo', '--scale', 'tiny', '--quiet']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const k of ['regions', 'schools', 'people', 'enrolments'])
      assert.match(r.stdout, new RegExp(`import ${k}\\s+\\d+ rows.*, 0 rejected`));
    const admin = new Client(s.url);
    assert.equal((await admin.login(ADMIN.login, ADMIN.password)).status, 200);
    const prov = await admin.req('GET', '/api/v1/regions?parent=IR');
    assert.equal(prov.status, 200, prov.text);
    assert.deepEqual(prov.json.items.map(x => x.code), ['IR-02']);
    const schools = rows(join(s.data, 'demo', 'schools.csv'));
    const list = await admin.req('GET', '/api/v1/schools?region=IR-02');
    assert.equal(list.status, 200, list.text);
    assert.ok(list.json.items.length > 0 && list.json.items.every(x => schools.some(y => y.code === x.code)));
    const learner = rows(join(s.data, 'demo', 'people.csv')).find(p => p.role === 'learner');
    const found = await admin.req('GET', `/api/v1/people?q=${encodeURIComponent(learner.given_name)}&role=learner`);
    assert.equal(found.status, 200, found.text);
    assert.ok(found.json.items.length > 0, `no learner named ${learner.given_name}`);
    const page = await admin.req('GET', '/regions/IR-02');
    assert.equal(page.status, 200);
  } finally {
    await s.stop();
  }
});

const failed = await run();
rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
