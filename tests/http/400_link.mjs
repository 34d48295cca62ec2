// `reach link` end to end: accuracy against the truth of tiny demos of
// Iran, Vietnam and Azerbaijan (each alone and all three in one pair of
// files), one-to-one matches, the same output with 1 and 2 threads, a saved
// model used again, --explain, broken input (exit 3 with problems.csv, or
// exit 2 with a message), report.json, and a configuration with other
// column names.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, run, assert } from '../lib/harness.mjs';
import { BIN } from '../lib/server.mjs';

const work = mkdtempSync(join(tmpdir(), 'reach-link-'));
let nout = 0;

function reach(args) {
  const r = spawnSync(BIN, ['--data', join(work, 'data'), '--log', '/dev/null', ...args],
    { encoding: 'utf8', timeout: 120000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr + (r.error ? `\n${r.error}` : '') + (r.signal ? ` (${r.signal})` : '') };
}

// Runs `reach link --register R --enrolment E --out DIR ARGS --quiet` into a
// fresh directory; returns the result with .out set to that directory.
function link(reg, enr, args = []) {
  const out = join(work, `out${++nout}`);
  const r = reach(['link', '--register', reg, '--enrolment', enr, '--out', out, ...args, '--quiet']);
  return { ...r, out };
}

// RFC 4180 CSV text to rows of fields (quotes, doubled quotes, CRLF).
function parseCsv(text) {
  const rows = [];
  let row = [], f = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c !== '"') f += c;
      else if (text[i + 1] === '"') { f += '"'; i++; } else q = false;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(f); f = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(f); rows.push(row); row = []; f = '';
    } else f += c;
  }
  if (f !== '' || row.length) { row.push(f); rows.push(row); }
  return rows;
}

// The rows of a CSV file as objects keyed by its header.
function table(path, header) {
  const [h, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  if (header) assert.deepEqual(h, header, path);
  return rows.map(r => Object.fromEntries(h.map((k, i) => [k, r[i]])));
}

const matchesOf = out => table(join(out, 'matches.csv'), ['register_id', 'enrolment_id', 'probability', 'weight']);
const oosOf = out => table(join(out, 'out_of_school.csv'), ['register_id', 'best_enrolment_id', 'best_probability']);
const problemsOf = out => table(join(out, 'problems.csv'), ['file', 'row', 'column', 'problem', 'action']);
const reportOf = out => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));

// A tiny demo of a country, generated once: {dir, reg, enr, truth}.
const demos = {};
function demo(c) {
  if (demos[c]) return demos[c];
  const dir = join(work, `demo-${c}`);
  const r = reach(['demo', '--scale', 'tiny', '--country', c, '--out', dir, '--no-import', '--no-oneroster', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  return (demos[c] = { dir, reg: join(dir, 'register.csv'), enr: join(dir, 'learners.csv'), truth: join(dir, 'truth.csv') });
}

// The default run on a demo, done once: its output directory.
const linked = {};
function linkedDemo(c) {
  if (linked[c]) return linked[c];
  const d = demo(c);
  const r = link(d.reg, d.enr, ['--seed', '7']);
  assert.equal(r.status, 0, r.stderr);
  return (linked[c] = r.out);
}

// The three demos in one register and one enrolment file (one header each).
function allDemos() {
  if (demos.all) return demos.all;
  const dir = join(work, 'demo-all');
  mkdirSync(dir);
  const d = ['ir', 'vn', 'az'].map(demo);
  for (const k of ['reg', 'enr', 'truth']) {
    const parts = d.map(x => readFileSync(x[k], 'utf8').replace(/\r?\n$/, '').split(/\r?\n/));
    for (const p of parts) assert.equal(p[0], parts[0][0], `${k}: the headers differ`);
    writeFileSync(join(dir, `${k}.csv`), [parts[0][0], ...parts.flatMap(p => p.slice(1))].join('\n') + '\n');
  }
  return (demos.all = { dir, reg: join(dir, 'reg.csv'), enr: join(dir, 'enr.csv'), truth: join(dir, 'truth.csv') });
}

// Checks matches.csv and out_of_school.csv of out against the truth of d.
function checkAccuracy(d, out, label) {
  const learners = new Set(table(d.enr).map(r => r.id));
  const truth = new Map(table(d.truth).map(r => [r.register_id, r.person_id]));
  const m = matchesOf(out), o = oosOf(out);
  const truePairs = [...truth.values()].filter(p => learners.has(p)).length;
  const trueOos = new Set([...truth].filter(([, p]) => !learners.has(p)).map(([r]) => r));
  assert.ok(truePairs > 1000 && trueOos.size > 50, `${label}: ${truePairs} true pairs, ${trueOos.size} out of school`);
  const tp = m.filter(r => truth.get(r.register_id) === r.enrolment_id).length;
  const otp = o.filter(r => trueOos.has(r.register_id)).length;
  const wrong = m.filter(r => truth.get(r.register_id) !== r.enrolment_id).slice(0, 5)
    .map(r => `${r.register_id}~${r.enrolment_id} (truth ${truth.get(r.register_id)})`).join(', ');
  const f = x => x.toFixed(4);
  assert.ok(m.length > 0 && tp / m.length >= 0.999, `${label}: pair precision ${f(tp / m.length)}: ${wrong}`);
  assert.ok(tp / truePairs >= 0.995, `${label}: pair recall ${f(tp / truePairs)} (${tp} of ${truePairs})`);
  assert.ok(o.length > 0 && otp / o.length >= 0.95, `${label}: out-of-school precision ${f(otp / o.length)}`);
  assert.ok(otp / trueOos.size >= 0.99, `${label}: out-of-school recall ${f(otp / trueOos.size)}`);
  // One to one, and every register row in exactly one of the two files.
  const regIds = m.map(r => r.register_id), enrIds = m.map(r => r.enrolment_id);
  assert.equal(new Set(regIds).size, regIds.length, `${label}: a register id matched twice`);
  assert.equal(new Set(enrIds).size, enrIds.length, `${label}: an enrolment id matched twice`);
  const seen = [...regIds, ...o.map(r => r.register_id)];
  assert.equal(seen.length, truth.size, `${label}: ${seen.length} rows in the two files, ${truth.size} in the register`);
  assert.deepEqual(new Set(seen), new Set(truth.keys()), `${label}: not every register row accounted for`);
}

for (const c of ['ir', 'vn', 'az']) {
  test(`accuracy on a tiny demo of ${c}: pairs and the out-of-school list`, () => {
    checkAccuracy(demo(c), linkedDemo(c), c);
  });
}

test('accuracy on the three demos in one pair of files', () => {
  const d = allDemos();
  const r = link(d.reg, d.enr);
  assert.equal(r.status, 0, r.stderr);
  checkAccuracy(d, r.out, 'ir+vn+az');
  const m = matchesOf(r.out);
  assert.ok(m.every(x => x.register_id.slice(0, 2) === x.enrolment_id.slice(0, 2)), 'a pair across two countries');
});

test('1 and 2 threads with the same seed: byte-identical output', () => {
  const d = demo('vn');
  // --threads is a global option: it works after the command too.
  const a = link(d.reg, d.enr, ['--seed', '11', '--threads', '1']);
  const b = reach(['--threads', '2', 'link', '--register', d.reg, '--enrolment', d.enr,
    '--out', join(work, 'threads2'), '--seed', '11', '--quiet']);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  assert.equal(reportOf(a.out).threads, 1);
  assert.equal(reportOf(join(work, 'threads2')).threads, 2);
  for (const f of ['matches.csv', 'out_of_school.csv', 'model.json', 'review.csv']) {
    const x = readFileSync(join(a.out, f)), y = readFileSync(join(work, 'threads2', f));
    assert.ok(x.length > 100, `${f} is nearly empty`);
    assert.ok(x.equals(y), `${f} differs between 1 and 2 threads`);
  }
});

test('--model: a saved model gives the same matches without training', () => {
  const d = demo('ir'), first = linkedDemo('ir');
  assert.equal(reportOf(first).training.trained, true);
  const model = JSON.parse(readFileSync(join(first, 'model.json'), 'utf8'));
  assert.equal(model.trained, true);
  const r = link(d.reg, d.enr, ['--model', join(first, 'model.json')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(reportOf(r.out).training.trained, false, 'training ran with --model');
  assert.ok(readFileSync(join(first, 'matches.csv')).equals(readFileSync(join(r.out, 'matches.csv'))),
    'matches.csv differs with the saved model');
  assert.ok(readFileSync(join(first, 'out_of_school.csv')).equals(readFileSync(join(r.out, 'out_of_school.csv'))));
  // A configuration that is not a trained model is refused as a model.
  const untrained = join(work, 'untrained.json');
  writeFileSync(untrained, JSON.stringify({ ...model, trained: false }));
  const u = link(d.reg, d.enr, ['--model', untrained]);
  assert.equal(u.status, 2, u.stderr);
  assert.match(u.stderr, /not a trained model/);
});

test('--explain: each comparison with its level and weight, and the probability', () => {
  const d = demo('ir'), first = linkedDemo('ir');
  const pair = matchesOf(first)[0];
  const args = ['link', '--register', d.reg, '--enrolment', d.enr, '--model', join(first, 'model.json'), '--quiet'];
  const r = reach([...args, '--explain', pair.register_id, pair.enrolment_id]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.includes(pair.register_id) && r.stdout.includes(pair.enrolment_id), r.stdout);
  const lines = r.stdout.split('\n');
  const levels = ['exact_tones', 'exact', 'tokens', 'skeleton', 'jw1', 'jw2', 'swap', 'near', 'one_edit', 'year', 'else', 'null'];
  for (const name of ['national_id', 'given_name', 'family_name', 'father_name', 'sex', 'birth_date', 'region_code']) {
    const line = lines.find(l => l.startsWith(name + ' '));
    assert.ok(line, `no line for ${name}:\n${r.stdout}`);
    const cols = line.trim().split(/\s+/);
    assert.ok(cols.some(x => levels.includes(x)), `no level on: ${line}`);
    assert.ok(cols.some(x => /^[+-]\d+\.\d{3}$/.test(x)), `no weight on: ${line}`);
  }
  const p = /probability (\d\.\d+)/.exec(r.stdout);
  assert.ok(p, r.stdout);
  assert.ok(Math.abs(Number(p[1]) - Number(pair.probability)) < 1e-5, `explained ${p[1]}, matched with ${pair.probability}`);
  assert.match(r.stdout, /a match/);
  const none = reach([...args, '--explain', 'NO-SUCH-ID', pair.enrolment_id]);
  assert.equal(none.status, 2, none.stdout + none.stderr);
  assert.match(none.stderr, /NO-SUCH-ID/);
  const none2 = reach([...args, '--explain', pair.register_id, 'NO-SUCH-LEARNER']);
  assert.equal(none2.status, 2, none2.stdout + none2.stderr);
  assert.match(none2.stderr, /NO-SUCH-LEARNER/);
});

// ---- Broken input. The register is the Iran demo's with some lines changed;
// the model of a first run saves training time (reading and checking are the
// same with or without it).

const irLines = () => readFileSync(demo('ir').reg, 'utf8').replace(/\n$/, '').split('\n');

// A register file made of lines (header first); returns its path.
function registerFile(name, lines) {
  const p = join(work, name);
  writeFileSync(p, Buffer.isBuffer(lines) ? lines : lines.join('\n') + '\n');
  return p;
}

// Checks that every register id of the file except those set aside appears
// exactly once in matches.csv or out_of_school.csv.
function everyRowOnce(out, ids, setAside = []) {
  const want = ids.filter(x => !setAside.includes(x));
  const seen = [...matchesOf(out).map(r => r.register_id), ...oosOf(out).map(r => r.register_id)];
  assert.equal(seen.length, want.length, `${seen.length} rows in matches and out_of_school, ${want.length} used`);
  assert.deepEqual([...seen].sort(), [...want].sort());
  assert.equal(reportOf(out).register.rows, want.length);
}

const modelArgs = () => ['--model', join(linkedDemo('ir'), 'model.json')];
const idsOf = lines => lines.slice(1).map(l => l.split(',')[0]);

test('a register without the given_name column: exit 2 naming the file and the column', () => {
  const lines = irLines().map(l => l.split(',').filter((_, i) => i !== 2).join(','));
  assert.ok(!lines[0].includes('given_name'));
  const reg = registerFile('no_given.csv', lines);
  const r = link(reg, demo('ir').enr, modelArgs());
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /no_given\.csv/);
  assert.match(r.stderr, /"given_name"/);
  const e = link(demo('ir').reg, reg, modelArgs());
  assert.equal(e.status, 2, 'the enrolment file is checked too: ' + e.stderr);
  assert.match(e.stderr, /no_given\.csv.*"given_name"/);
});

test('invalid UTF-8 in a row: exit 3, the row listed and not used, the others linked', () => {
  const lines = irLines();
  const bad = 10; // rows are numbered from the first data row: this is row 10
  const buf = Buffer.concat(lines.map((l, i) => {
    if (i !== bad) return Buffer.from(l + '\n');
    const f = l.split(',');
    return Buffer.concat([Buffer.from(f.slice(0, 2).join(',') + ','), Buffer.from([0x41, 0xff, 0xfe, 0x42]),
      Buffer.from(',' + f.slice(3).join(',') + '\n')]);
  }));
  const reg = registerFile('bad_utf8.csv', buf);
  const r = link(reg, demo('ir').enr); // trained here: a bad row must not upset training either
  assert.equal(r.status, 3, r.stderr);
  const p = problemsOf(r.out);
  assert.equal(p.length, 1, JSON.stringify(p));
  assert.equal(p[0].file, 'bad_utf8.csv');
  assert.equal(p[0].row, String(bad));
  assert.equal(p[0].action, 'row not used');
  assert.match(p[0].problem, /UTF-8/);
  const ids = idsOf(lines);
  everyRowOnce(r.out, ids, [ids[bad - 1]]);
  assert.equal(reportOf(r.out).register.rejected, 1);
  assert.ok(matchesOf(r.out).length > 1900, 'the other rows are linked');
});

test('a duplicate id: exit 3, problems.csv says where the id is already used', () => {
  const lines = irLines();
  const f = lines[20].split(',');
  f[0] = lines[5].split(',')[0];
  lines[20] = f.join(',');
  const reg = registerFile('dup.csv', lines);
  const r = link(reg, demo('ir').enr, modelArgs());
  assert.equal(r.status, 3, r.stderr);
  const p = problemsOf(r.out);
  assert.equal(p.length, 1, JSON.stringify(p));
  assert.deepEqual([p[0].file, p[0].row, p[0].column, p[0].action], ['dup.csv', '20', 'id', 'row not used']);
  assert.match(p[0].problem, new RegExp(`"${f[0]}" is already used at row 5\\b`));
  everyRowOnce(r.out, [...new Set(idsOf(lines))]);
});

test('an impossible date: exit 3, the value set aside, the row still linked', () => {
  const lines = irLines(), truth = table(demo('ir').truth);
  const learners = new Set(table(demo('ir').enr).map(x => x.id));
  // A register row truly enrolled, with a national id to carry the match.
  const k = lines.findIndex((l, i) => {
    const f = l.split(',');
    return i > 0 && f[1] && learners.has(truth[i - 1].person_id) && truth[i - 1].register_id === f[0];
  });
  assert.ok(k > 0);
  const f = lines[k].split(',');
  f[6] = '2021-02-30';
  lines[k] = f.join(',');
  const reg = registerFile('baddate.csv', lines);
  const r = link(reg, demo('ir').enr, modelArgs());
  assert.equal(r.status, 3, r.stderr);
  const p = problemsOf(r.out);
  assert.equal(p.length, 1, JSON.stringify(p));
  assert.deepEqual([p[0].file, p[0].row, p[0].column, p[0].action], ['baddate.csv', String(k), 'birth_date', 'value not used']);
  assert.match(p[0].problem, /2021-02-30/);
  everyRowOnce(r.out, idsOf(lines));
  const m = matchesOf(r.out).find(x => x.register_id === f[0]);
  assert.ok(m, `${f[0]} is not matched without its birth date`);
  assert.equal(m.enrolment_id, truth[k - 1].person_id);
});

test('rows with the wrong number of fields: exit 3, each row listed, the others linked', () => {
  const lines = irLines();
  lines[3] += ',extra';
  lines[7] = lines[7].split(',').slice(0, 5).join(',');
  const reg = registerFile('fields.csv', lines);
  const r = link(reg, demo('ir').enr, modelArgs());
  assert.equal(r.status, 3, r.stderr);
  const p = problemsOf(r.out);
  assert.deepEqual(p.map(x => [x.file, x.row, x.action]), [['fields.csv', '3', 'row not used'], ['fields.csv', '7', 'row not used']]);
  const ids = idsOf(lines);
  everyRowOnce(r.out, ids, [ids[2], ids[6]]);
  assert.equal(reportOf(r.out).register.rejected, 2);
});

test('several problems at once: every row used is in exactly one output file', () => {
  const lines = irLines();
  lines[2] = lines[2].replace(/,\d{4}-\d\d-\d\d,/, ',1390-13-40,');
  lines[4] += ',x';
  lines[9] = lines[1];
  const reg = registerFile('several.csv', lines);
  const r = link(reg, demo('ir').enr, modelArgs());
  assert.equal(r.status, 3, r.stderr);
  assert.equal(problemsOf(r.out).length, 3, readFileSync(join(r.out, 'problems.csv'), 'utf8'));
  const ids = idsOf(lines);
  everyRowOnce(r.out, [...new Set(ids)], [ids[3]]);
});

test('unusable input: a bad configuration or a missing file is exit 2 with a message', () => {
  const d = demo('ir');
  const cfg = (name, obj) => { const p = join(work, name); writeFileSync(p, JSON.stringify(obj)); return p; };
  const base = {
    id: 'id',
    comparisons: [{ name: 'given_name', kind: 'name' }, { name: 'family_name', kind: 'name' },
      { name: 'birth_date', kind: 'date' }],
    blocking: [{ keys: ['birth_date'] }],
  };
  const ok = link(d.reg, d.enr, ['--config', cfg('ok.json', base)]);
  assert.equal(ok.status, 0, 'the base configuration works: ' + ok.stderr);
  const badKind = cfg('kind.json', { ...base, comparisons: [...base.comparisons, { name: 'sex', kind: 'gender' }] });
  let r = link(d.reg, d.enr, ['--config', badKind]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /kind\.json/);
  assert.match(r.stderr, /"kind"/);
  const badRule = cfg('rule.json', { ...base, blocking: [{ name: 'by_school', keys: ['school_code'] }] });
  r = link(d.reg, d.enr, ['--config', badRule]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /school_code/);
  const badJson = join(work, 'broken.json');
  writeFileSync(badJson, '{"id": "id",');
  r = link(d.reg, d.enr, ['--config', badJson]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /broken\.json/);
  r = link(d.reg, d.enr, ['--config', join(work, 'no-such-config.json')]);
  assert.equal(r.status, 2, r.stderr);
  r = link(join(work, 'no-such-register.csv'), d.enr);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /no-such-register\.csv/);
  r = link(d.reg, join(work, 'no-such-enrolment.csv'));
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /no-such-enrolment\.csv/);
  r = reach(['link', '--register', d.reg, '--enrolment', d.enr]);
  assert.equal(r.status, 2, 'no --out: ' + r.stderr);
  assert.match(r.stderr, /usage: reach link/);
  r = link(d.reg, d.enr, ['--threshold', '1.5']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /threshold/);
});

test('an output directory that cannot be made: exit 1', () => {
  const file = join(work, 'a-file');
  writeFileSync(file, 'x');
  const d = demo('ir');
  const r = reach(['link', '--register', d.reg, '--enrolment', d.enr, '--out', join(file, 'out'), '--quiet',
    ...modelArgs()]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /a-file/);
});

test('report.json: the rules with their pairs, the pairs scored, the time', () => {
  const out = linkedDemo('az');
  const rep = reportOf(out);
  const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  assert.ok(Array.isArray(rep.candidates.rules) && rep.candidates.rules.length > 0);
  assert.deepEqual(rep.candidates.rules.map(x => x.name), model.blocking.map(x => x.name));
  for (const q of rep.candidates.rules) {
    assert.ok(Number.isInteger(q.pairs) && q.pairs >= 0, JSON.stringify(q));
    assert.ok(Number.isInteger(q.new_pairs) && q.new_pairs <= q.pairs, JSON.stringify(q));
  }
  assert.equal(rep.candidates.rules.reduce((s, q) => s + q.new_pairs, 0), rep.pairs_scored,
    'the new pairs of the rules add up to the pairs scored');
  assert.ok(rep.pairs_scored > 0);
  assert.equal(typeof rep.seconds.total, 'number');
  assert.ok(rep.seconds.total > 0);
  assert.equal(rep.matches, matchesOf(out).length);
  assert.equal(rep.out_of_school, oosOf(out).length);
  assert.equal(rep.register.rows, rep.matches + rep.out_of_school);
  assert.equal(rep.problems, 0);
  assert.equal(rep.training.trained, true);
});

// ---- A configuration with other column names.

test('a configuration with other columns, a compact date and a string comparison', () => {
  const dir = join(work, 'cfg');
  mkdirSync(dir);
  const people = [
    ['Amina', 'Haddad', '20150304', 'Northfield'], ['Boris', 'Kowalski', '20140711', 'Eastbrook'],
    ['Chen', 'Wei', '20160122', 'Riverside'], ['Dalia', 'Mansour', '20151230', 'Hillcrest'],
    ['Emil', 'Novak', '20130915', 'Lakeview'], ['Farah', 'Siddiqui', '20140228', 'Northfield'],
    ['Goran', 'Petrovic', '20150505', 'Eastbrook'], ['Hana', 'Yilmaz', '20161111', 'Riverside'],
    ['Ivan', 'Horvat', '20140101', 'Hillcrest'], ['Julia', 'Fernandes', '20150817', 'Lakeview'],
    ['Kofi', 'Mensah', '20130420', 'Northfield'], ['Lena', 'Schneider', '20160609', 'Eastbrook'],
    ['Marta', 'Lindqvist', '20141003', 'Riverside'], ['Nikolai', 'Orlov', '20150214', 'Hillcrest'],
  ];
  // The register: every person; the enrolment: the first 11, some with a
  // small difference, plus two people not in the register.
  const reg = ['rec_id,given_name,surname,dob,suburb',
    ...people.map((p, i) => `R${i + 1},${p.join(',')}`)];
  const variant = (p, i) => i === 1 ? ['Borys', p[1], p[2], p[3]] : i === 2 ? [p[1], p[0], p[2], p[3]]
    : i === 4 ? [p[0], 'Nowak', p[2], 'Lake View'] : p;
  const enr = ['rec_id,surname,given_name,dob,suburb',
    ...people.slice(0, 11).map((p, i) => { const v = variant(p, i); return `E${i + 1},${v[1]},${v[0]},${v[2]},${v[3]}`; }),
    'E90,Quinn,Oscar,20150303,Northfield', 'E91,Ruiz,Paula,20140712,Eastbrook'];
  writeFileSync(join(dir, 'reg.csv'), reg.join('\n') + '\n');
  writeFileSync(join(dir, 'enr.csv'), enr.join('\n') + '\n');
  const config = {
    id: 'rec_id',
    comparisons: [
      { name: 'given_name', kind: 'name' },
      { name: 'family_name', column: 'surname', kind: 'name' },
      { name: 'birth_date', column: 'dob', kind: 'date', format: 'YYYYMMDD' },
      { name: 'suburb', kind: 'string' },
    ],
    name_swap: ['given_name', 'family_name'],
    blocking: [{ name: 'dob', keys: ['birth_date'] }, { keys: ['family_name:skeleton'] }],
  };
  writeFileSync(join(dir, 'link.json'), JSON.stringify(config));
  const r = link(join(dir, 'reg.csv'), join(dir, 'enr.csv'), ['--config', join(dir, 'link.json')]);
  assert.equal(r.status, 0, r.stderr);
  const m = matchesOf(r.out);
  const got = Object.fromEntries(m.map(x => [x.register_id, x.enrolment_id]));
  const want = Object.fromEntries(people.slice(0, 11).map((_, i) => [`R${i + 1}`, `E${i + 1}`]));
  assert.deepEqual(got, want, readFileSync(join(r.out, 'matches.csv'), 'utf8'));
  assert.deepEqual(oosOf(r.out).map(x => x.register_id), ['R12', 'R13', 'R14']);
  const rep = reportOf(r.out);
  assert.deepEqual(rep.candidates.rules.map(x => x.name), ['dob', 'rule2']);
  const model = JSON.parse(readFileSync(join(r.out, 'model.json'), 'utf8'));
  assert.equal(model.id, 'rec_id');
  assert.deepEqual(model.comparisons.map(c => [c.name, c.column, c.kind]),
    [['given_name', 'given_name', 'name'], ['family_name', 'surname', 'name'], ['birth_date', 'dob', 'date'],
      ['suburb', 'suburb', 'string']]);
  assert.equal(model.comparisons[2].format, 'YYYYMMDD');
  // A date that is not YYYYMMDD is set aside, and the row still counted.
  writeFileSync(join(dir, 'reg2.csv'), reg.join('\n').replace('20160122', '2016-01-22') + '\n');
  const r2 = link(join(dir, 'reg2.csv'), join(dir, 'enr.csv'), ['--model', join(r.out, 'model.json')]);
  assert.equal(r2.status, 3, r2.stderr);
  const p = problemsOf(r2.out);
  assert.deepEqual(p.map(x => [x.file, x.row, x.column, x.action]), [['reg2.csv', '3', 'dob', 'value not used']]);
  everyRowOnce(r2.out, people.map((_, i) => `R${i + 1}`));
});

const failed = await run();
rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
