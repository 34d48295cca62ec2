// `reach import` and `reach export` on the command line: the sample files
// of tests/data/import, broken files (bad quoting, wrong column count,
// invalid UTF-8, duplicate ids, unknown school, impossible dates, a 10 MB
// field, BOM + CRLF, Solar Hijri dates in Persian digits, a missing
// required column), exit statuses 0/3/2, the --report file, idempotency,
// --strict and --dry-run, a kill in the middle, OneRoster as a directory
// and as a zip, and the export round trip.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import zlib from 'node:zlib';
import { test, run, assert } from '../lib/harness.mjs';
import { BIN } from '../lib/server.mjs';

const DATA = resolve(import.meta.dirname, '../data/import');
const sleep = ms => new Promise(r => setTimeout(r, ms));
const work = mkdtempSync(join(tmpdir(), 'reach-import-'));
const sql = (data, q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', join(data, 'reach.db'), q]).toString().trim();

function reach(data, args) {
  const r = spawnSync(BIN, ['--data', data, '--log', '/dev/null', ...args], { encoding: 'utf8', timeout: 120000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// A data directory with the sample regions and schools in it.
function fresh(name, kinds = ['regions', 'schools']) {
  const d = join(work, name);
  for (const k of kinds) {
    const r = reach(d, ['import', k, join(DATA, `${k}.csv`)]);
    assert.equal(r.status, 0, r.stderr);
  }
  return d;
}

// The rows of a --report file, without its header.
function report(path) {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'file,row,column,reason');
  return lines.slice(1);
}

const broken = [
  ['people_bad_quoting.csv', 2, [/,2,given_name,.*quote/, /,3,given_name,.*closing quote/]],
  ['people_wrong_columns.csv', 2, [/,2,,.*expected 10 fields, found 9/, /,3,,.*found 11/]],
  ['people_invalid_utf8.csv', 1, [/,2,given_name,.*UTF-8/]],
  ['people_duplicate_ids.csv', 1, [/,3,id,"duplicate id ""D1"", first seen at row 1"/]],
  ['people_unknown_school.csv', 2, [/,2,school_code,"unknown school ""S9999"""/, /,3,region_code,"unknown region ""IR-99"""/]],
  ['people_impossible_dates.csv', 3, [/,2,birth_date,2026-02-30: February 2026 has 28 days/, /,3,birth_date,1400\/13\/01: there is no month 13/]],
];

for (const [file, nbad, patterns] of broken) {
  test(`${file}: exit 3, each bad row named in the report, the good rows in`, () => {
    const d = fresh(file.replace('.csv', ''));
    const rep = join(work, file + '.report.csv');
    const r = reach(d, ['import', 'people', join(DATA, file), '--report', rep]);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`${nbad} rows rejected`));
    const rows = report(rep);
    for (const p of patterns) assert.ok(rows.some(l => p.test(l)), `${p} in:\n${rows.join('\n')}`);
    const total = readFileSync(join(DATA, file), 'utf8').trim().split('\n').length - 1;
    const imported = Number(sql(d, 'select count(*) from people'));
    assert.equal(imported, total - nbad, 'every good row is in');
    assert.equal(Number(sql(d, 'select count(*) from import_rejects')), rows.length, 'the store has the same rejects');
  });
}

test('a 10 MB field: that row is rejected, the others are in', () => {
  const d = fresh('bigfield');
  const f = join(work, 'big.csv');
  writeFileSync(f, 'id,role,given_name,family_name,birth_date,school_code\n' +
    'G1,learner,Ali,Ahmadi,2015-01-01,S1001\n' +
    `G2,learner,${'x'.repeat(10 << 20)},Ahmadi,2015-01-01,S1001\n` +
    'G3,learner,Sara,Ahmadi,2015-01-01,S1001\n');
  const rep = join(work, 'big.report.csv');
  const r = reach(d, ['import', 'people', f, '--report', rep]);
  assert.equal(r.status, 3, r.stderr);
  const rows = report(rep);
  assert.equal(rows.length, 1);
  assert.match(rows[0], /^big\.csv,2,given_name,.*(longer|over|bytes)/);
  assert.equal(sql(d, "select group_concat(ext_id) from people"), 'G1,G3');
});

test('BOM, CRLF and quoted fields: exit 0', () => {
  const d = fresh('bom');
  const r = reach(d, ['import', 'people', join(DATA, 'people_bom_crlf.csv')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sql(d, "select given_name from people where ext_id = 'B2'"), 'Sara "Mimi"');
});

test('Solar Hijri dates with Persian digits, stored Gregorian', () => {
  const d = fresh('hijri');
  const r = reach(d, ['import', 'people', join(DATA, 'people_solar_hijri.csv'), '--calendar', 'solar-hijri']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sql(d, "select group_concat(birth_date) from (select birth_date from people order by ext_id)"),
    '2015-03-21,2016-03-19,2017-03-20');
});

test('unusable input: exit 2 with the file and the column named', () => {
  const d = fresh('unusable');
  let r = reach(d, ['import', 'people', join(DATA, 'people_missing_column.csv')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /people_missing_column\.csv: the required column "family_name" is missing/);
  r = reach(d, ['import', 'people', join(work, 'no-such-file.csv')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no-such-file\.csv/);
  const empty = join(work, 'empty.csv');
  writeFileSync(empty, '');
  r = reach(d, ['import', 'people', empty]);
  assert.equal(r.status, 2);
  const latin1 = join(work, 'latin1.csv');
  writeFileSync(latin1, Buffer.from('id,r\xf4le,given_name\n', 'latin1'));
  r = reach(d, ['import', 'people', latin1]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /UTF-8/);
  r = reach(d, ['import', 'pupils', latin1]);
  assert.equal(r.status, 2);
  assert.equal(Number(sql(d, 'select count(*) from people')), 0);
});

test('idempotent: a second run changes nothing (no seq or updated_at moves)', () => {
  const d = fresh('idem', ['regions', 'schools', 'people', 'enrolments']);
  const q = "select group_concat(seq || '/' || updated_at) from (select seq, updated_at from people union all " +
    'select seq, updated_at from enrolments union all select seq, updated_at from schools union all ' +
    'select seq, updated_at from regions)';
  const before = sql(d, q);
  for (const k of ['regions', 'schools', 'people', 'enrolments']) {
    const r = reach(d, ['import', k, join(DATA, `${k}.csv`)]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, / 0 written/);
  }
  assert.equal(sql(d, q), before);
  // An updated file updates in place.
  const f = join(work, 'people2.csv');
  writeFileSync(f, readFileSync(join(DATA, 'people.csv'), 'utf8').replace('فاطمه', 'زهرا'));
  const r = reach(d, ['import', 'people', f]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, / 1 written/);
  assert.equal(sql(d, "select given_name from people where ext_id = 'L2'"), 'زهرا');
  assert.equal(sql(d, 'select count(*) from people'), '5');
});

test('--strict and --dry-run write nothing', () => {
  const d = fresh('strict');
  let r = reach(d, ['import', 'people', join(DATA, 'people_duplicate_ids.csv'), '--strict']);
  assert.equal(r.status, 3);
  assert.equal(sql(d, 'select count(*) from people'), '0');
  r = reach(d, ['import', 'people', join(DATA, 'people.csv'), '--dry-run']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sql(d, 'select count(*) from people'), '0');
  assert.equal(sql(d, "select group_concat(mode || ':' || state || ':' || rows_written) from imports where kind = 'people'"),
    'strict:done:0,dry_run:done:0');
  r = reach(d, ['import', 'people', join(DATA, 'people.csv'), '--strict']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sql(d, 'select count(*) from people'), '5');
});

test('killed in the middle: the store is whole, a re-run completes without duplicates', async () => {
  const d = fresh('kill');
  const n = 400000;
  const f = join(work, 'many.csv');
  const lines = ['id,role,given_name,family_name,birth_date,school_code'];
  for (let i = 0; i < n; i++) lines.push(`K${i},learner,محمد,کریمی ${i % 97},2015-01-01,S1001`);
  writeFileSync(f, lines.join('\n') + '\n');
  const p = spawn(BIN, ['--data', d, '--log', '/dev/null', 'import', 'people', f], { stdio: 'ignore' });
  // Kill it once some transactions have been committed, before the end.
  for (let t = 0; t < 600; t++) {
    await sleep(50);
    const c = Number(sql(d, 'select count(*) from people'));
    if (c > 0) break;
  }
  p.kill('SIGKILL');
  await new Promise(res => p.on('exit', res));
  assert.equal(sql(d, 'PRAGMA integrity_check'), 'ok');
  const c = Number(sql(d, 'select count(*) from people'));
  assert.ok(c > 0 && c < n, `killed mid-way (${c} of ${n})`);
  assert.equal(c % 50000, 0, `whole transactions only (${c})`);
  assert.equal(sql(d, "select count(*) from people where name_fold = '' or id = ''"), '0', 'no half rows');
  // The load into the empty table dropped its indexes (all but the public
  // id's) in its first transaction and recorded them in the same one: each
  // is either in the schema or in deferred_indexes, never lost.
  const indexes = "select group_concat(name) from (select name from sqlite_master where type = 'index' " +
    "and tbl_name = 'people' and sql is not null order by name)";
  const deferred = 'select group_concat(name) from (select name from deferred_indexes order by name)';
  assert.equal(sql(d, deferred), 'people_ext_id,people_name,people_region,people_school');
  assert.equal(sql(d, indexes), '');
  // The next open builds them again (any command that opens the store).
  let r = reach(d, ['export', 'regions', join(work, 'kill-regions.csv')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sql(d, indexes), 'people_ext_id,people_name,people_region,people_school');
  assert.equal(sql(d, 'select count(*) from deferred_indexes'), '0');
  r = reach(d, ['import', 'people', f]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(Number(sql(d, 'select count(*) from people')), n);
  assert.equal(sql(d, 'select count(*) - count(distinct ext_id) from people'), '0');
  assert.equal(sql(d, 'select count(*) - count(distinct id) from people'), '0');
  assert.equal(sql(d, indexes), 'people_ext_id,people_name,people_region,people_school');
  assert.equal(sql(d, 'select count(*) from deferred_indexes'), '0');
  assert.equal(sql(d, 'PRAGMA integrity_check'), 'ok');
});

test('a load into an empty table builds its indexes at the end; a load into a full one keeps them', () => {
  const d = fresh('deferred', ['regions', 'schools', 'people', 'enrolments']);
  const q = "select group_concat(name) from (select name from sqlite_master where type = 'index' " +
    "and tbl_name in ('people', 'enrolments') order by name)";
  assert.equal(sql(d, q), 'enrolments_ext_id,enrolments_learner,enrolments_school,people_ext_id,people_name,' +
    'people_region,people_school,sqlite_autoindex_enrolments_1,sqlite_autoindex_people_1');
  assert.equal(sql(d, 'select count(*) from deferred_indexes'), '0');
  // The indexes answer as before: the planner uses them.
  assert.match(sql(d, "explain query plan select pid from people where name_fold = 'x'"), /people_name/);
  assert.match(sql(d, "explain query plan select pid from people where ext_id = 'x'"), /people_ext_id/);
  assert.match(sql(d, 'explain query plan select eid from enrolments where learner_pid = 1'), /enrolments_learner/);
  // Importing again (the tables have rows) changes nothing and keeps them.
  const r = reach(d, ['import', 'people', join(DATA, 'people.csv')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, / 0 written/);
  assert.equal(sql(d, q).split(',').length, 9);
});

// A zip of the files in dir (deflated), written by hand: no zip tool needed.
function zipDir(dir, out) {
  const locals = [], centrals = [];
  let off = 0;
  for (const name of readdirSync(dir).sort()) {
    const raw = readFileSync(join(dir, name)), data = zlib.deflateRawSync(raw), crc = zlib.crc32(raw);
    const fn = Buffer.from('export/' + name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4); h.writeUInt16LE(8, 8);
    h.writeUInt32LE(crc, 14); h.writeUInt32LE(data.length, 18); h.writeUInt32LE(raw.length, 22);
    h.writeUInt16LE(fn.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(8, 10);
    c.writeUInt32LE(crc, 16); c.writeUInt32LE(data.length, 20); c.writeUInt32LE(raw.length, 24);
    c.writeUInt16LE(fn.length, 28); c.writeUInt32LE(off, 42);
    locals.push(h, fn, data);
    centrals.push(c, fn);
    off += h.length + fn.length + data.length;
  }
  const cd = Buffer.concat(centrals), end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(centrals.length / 2, 8); end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(off, 16);
  writeFileSync(out, Buffer.concat([...locals, cd, end]));
}

test('export → import into a fresh instance → export: identical files (native and OneRoster, dir and zip)', () => {
  const a = fresh('rt-a', ['regions', 'schools', 'people', 'enrolments']);
  const b = join(work, 'rt-b'), z = join(work, 'rt-z');
  const outA = join(work, 'out-a'), outB = join(work, 'out-b');
  mkdirSync(outA);
  mkdirSync(outB);
  for (const k of ['regions', 'schools', 'people', 'enrolments']) {
    let r = reach(a, ['export', k, join(outA, `${k}.csv`)]);
    assert.equal(r.status, 0, r.stderr);
    r = reach(b, ['import', k, join(outA, `${k}.csv`)]);
    assert.equal(r.status, 0, r.stderr);
    r = reach(b, ['export', k, join(outB, `${k}.csv`)]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(outB, `${k}.csv`), 'utf8'), readFileSync(join(outA, `${k}.csv`), 'utf8'), k);
  }
  assert.equal(sql(a, "select count(*) from audit where action like 'export.%'"), '4');
  let r = reach(a, ['export', 'oneroster', join(work, 'or-a')]);
  assert.equal(r.status, 0, r.stderr);
  zipDir(join(work, 'or-a'), join(work, 'or-a.zip'));
  r = reach(z, ['import', 'oneroster', join(work, 'or-a.zip')]);
  assert.equal(r.status, 0, r.stderr);
  r = reach(z, ['export', 'oneroster', join(work, 'or-z')]);
  assert.equal(r.status, 0, r.stderr);
  for (const f of readdirSync(join(work, 'or-a')))
    assert.equal(readFileSync(join(work, 'or-z', f), 'utf8'), readFileSync(join(work, 'or-a', f), 'utf8'), f);
  // The directory form reads the same.
  const zd = join(work, 'rt-zd');
  r = reach(zd, ['import', 'oneroster', join(work, 'or-a')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sql(zd, 'select count(*) from people'), sql(z, 'select count(*) from people'));
  assert.equal(sql(zd, 'select count(*) from guardianships'), '2');
});

test('OneRoster: unknown class and user are rejected by name; a zip that is not one is unusable', () => {
  const d = fresh('or-bad');
  const dir = join(work, 'or-bad-files');
  mkdirSync(dir);
  writeFileSync(join(dir, 'users.csv'), 'sourcedId,role,givenName,familyName,orgSourcedIds\n' +
    'u1,student,Ali,Ahmadi,S1001\nu2,teacher,Sara,Ahmadi,NOPE\nu3,administrator,Boss,Ahmadi,S1001\n');
  // A class without a school is refused, and so is its enrolment (it
  // used to crash the import).
  writeFileSync(join(dir, 'classes.csv'), 'sourcedId,grades,schoolSourcedId,termSourcedIds\n' +
    'c-noschool,05,,\n');
  writeFileSync(join(dir, 'enrollments.csv'), 'sourcedId,classSourcedId,userSourcedId,role\n' +
    'e1,c-missing,u1,student\ne2,c-noschool,u1,student\n');
  const rep = join(work, 'or-bad.report.csv');
  let r = reach(d, ['import', 'oneroster', dir, '--report', rep]);
  assert.equal(r.status, 3, r.stderr);
  const rows = report(rep);
  assert.ok(rows.some(l => /^users\.csv,2,orgSourcedIds,/.test(l)), rows.join('\n'));
  assert.ok(rows.some(l => /^enrollments\.csv,1,classSourcedId,"unknown class ""c-missing""/.test(l)), rows.join('\n'));
  assert.ok(rows.some(l => /^classes\.csv,1,schoolSourcedId,/.test(l)), rows.join('\n'));
  assert.ok(rows.some(l => /^enrollments\.csv,2,classSourcedId,"unknown class ""c-noschool""/.test(l)), rows.join('\n'));
  assert.equal(sql(d, 'select group_concat(ext_id) from people'), 'u1');
  writeFileSync(join(work, 'not.zip'), 'hello');
  r = reach(d, ['import', 'oneroster', join(work, 'not.zip')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /zip/);
});

test('OneRoster 1.2: roles from roles.csv when users.csv has none; demographics; a manifest "absent" file is skipped', () => {
  const d = fresh('or12');
  const dir = join(work, 'or12-files');
  mkdirSync(dir);
  writeFileSync(join(dir, 'manifest.csv'), 'propertyName,value\noneroster.version,1.2\nfile.users,bulk\n' +
    'file.roles,bulk\nfile.demographics,bulk\nfile.enrollments,absent\n');
  writeFileSync(join(dir, 'users.csv'), 'sourcedId,status,givenName,familyName,agentSourcedIds,primaryOrgSourcedId\n' +
    'p1,active,Ali,Rahimi,,S1001\ns1,active,Nima,Rahimi,p1,S1001\nt1,active,Sara,Nouri,,S1003\n');
  writeFileSync(join(dir, 'roles.csv'), 'sourcedId,userSourcedId,roleType,role,orgSourcedId\n' +
    'r1,p1,primary,parent,S1001\nr2,s1,primary,student,S1001\nr3,t1,primary,teacher,S1003\nr4,t1,secondary,administrator,S1003\n');
  writeFileSync(join(dir, 'demographics.csv'), 'sourcedId,birthDate,sex\ns1,2016-04-01,male\nt1,,female\n');
  writeFileSync(join(dir, 'enrollments.csv'), 'not,a,oneroster,file\n');
  const r = reach(d, ['import', 'oneroster', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sql(d, "select group_concat(ext_id || ':' || role || ':' || sex || ':' || birth_date, ' ') from " +
    '(select * from people order by ext_id)'), 'p1:guardian:: s1:learner:m:2016-04-01 t1:teacher:f:');
  assert.equal(sql(d, "select count(*) from guardianships g join people l on l.pid = g.learner_pid " +
    "join people p on p.pid = g.guardian_pid where l.ext_id = 's1' and p.ext_id = 'p1'"), '1');
  assert.equal(sql(d, "select s.code from people p join schools s on s.sid = p.school_sid where p.ext_id = 't1'"), 'S1003');
  // Again: nothing changes.
  const again = reach(d, ['import', 'oneroster', dir]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, / 0 written/);
});

const failed = await run();
rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
