// The registry's pages: a school page in Persian (Persian digits, the
// Solar Hijri date, the region trail), a person page only for those allowed
// to see it, and the search box that finds names across scripts and
// diacritics.
import { test, run, assert } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

let srv, admin;
const p = {};

async function post(c, path, json) {
  const r = await c.req('POST', path, { json });
  assert.equal(r.status, 201, `${path}: ${r.text}`);
  return r.json;
}

async function page(c, path, status = 200) {
  const r = await c.req('GET', path);
  assert.equal(r.status, status, `${path}: ${r.text.slice(0, 400)}`);
  assert.match(r.headers.get('content-type'), /text\/html/);
  return r.text;
}

test('a small registry', async () => {
  admin = new Client(srv.url);
  assert.equal((await admin.login(ADMIN.login, ADMIN.password)).status, 200);
  await post(admin, '/api/v1/regions', { code: 'IR', level: 'country', name: 'Iran', name_fa: 'ایران' });
  await post(admin, '/api/v1/regions', { code: 'IR-07', parent_code: 'IR', level: 'province', name: 'Fars', name_fa: 'فارس' });
  await post(admin, '/api/v1/regions', { code: 'IR-07-03', parent_code: 'IR-07', level: 'district', name: 'Shiraz', name_fa: 'شیراز' });
  p.school = await post(admin, '/api/v1/schools', { code: 'S1', name: 'دبستان عشایری آزادی', region_code: 'IR-07-03',
    levels: 'primary', boarding: true, nomadic: true, rural: true, language: 'fa', learners: 240, electricity: 'solar',
    connectivity: '4g', download_mbps: '12.5', measured_at: '2026-04-30', computers: 12, tablets: 8, projectors: 1 });
  p.vn = await post(admin, '/api/v1/schools', { code: 'S2', name: 'Trường Nguyễn Du', region_code: 'IR-07-03' });
  p.ali = await post(admin, '/api/v1/people', { role: 'learner', given_name: 'علی', family_name: 'کریمی', father_name: 'حسن',
    sex: 'm', birth_date: '2016-09-05', school_code: 'S1' });
  p.an = await post(admin, '/api/v1/people', { role: 'learner', given_name: 'Văn An', family_name: 'Nguyễn',
    birth_date: '2015-01-02', school_code: 'S1' });
  p.az = await post(admin, '/api/v1/people', { role: 'learner', given_name: 'Əli', family_name: 'İsmayılov',
    birth_date: '2014', school_code: 'S1' });
  p.mum = await post(admin, '/api/v1/people', { role: 'guardian', given_name: 'زهرا', family_name: 'کریمی', region_code: 'IR-07-03' });
  await post(admin, '/api/v1/people', { role: 'teacher', given_name: 'Leila', family_name: 'Moradi', school_code: 'S1' });
  assert.equal((await admin.req('POST', `/api/v1/people/${p.ali.id}/guardians`, { json: { guardian_id: p.mum.id, relation: 'مادر' } })).status, 201);
  for (const [kid, grade] of [[p.ali, '3'], [p.an, '3'], [p.az, '5']])
    await post(admin, '/api/v1/enrolments', { learner_id: kid.id, school_code: 'S1', grade, school_year: '1405' });
});

test('the school page in Persian: Persian digits, Solar Hijri dates, the region trail', async () => {
  await post(admin, '/api/v1/users', { login: 'reader', display_name: 'خواننده', role: 'national_officer', lang: 'fa',
    password: 'reader-password' });
  const c = new Client(srv.url);
  assert.equal((await c.login('reader', 'reader-password')).status, 200);
  const html = await page(c, `/schools/${p.school.id}`);
  assert.match(html, /<html lang="fa" dir="rtl">/);
  assert.match(html, /دبستان عشایری آزادی/);
  for (const code of ['IR', 'IR-07', 'IR-07-03'])
    assert.ok(html.includes(`href="/regions/${code}"`), `a link to ${code}`);
  assert.match(html, />فارس</);                                 // the trail in the reader's language
  assert.match(html, /شبانه‌روزی/);                               // kind flags
  assert.match(html, /عشایری یا سیار/);
  assert.match(html, /۱۲٫۵/);                                    // the speed, Persian digits and separator
  assert.match(html, /اردیبهشت ۱۴۰۵/);                            // 2026-04-30 in the Solar Hijri calendar
  assert.match(html, /<dd>۱۲<\/dd>/);                             // computers
  assert.match(html, /یک رایانه یا تبلت برای هر ۱۲ فراگیر/);       // 240 learners, 20 devices
  assert.match(html, /<td dir="auto">3<\/td><td>۲<\/td>/);        // grade 3: two learners
  assert.match(html, /<td dir="auto">5<\/td><td>۱<\/td>/);
  assert.ok(!/<dd>12<\/dd>/.test(html), 'no Latin digits for counts');
  assert.match(html, /action="\/search"/);                        // the search box in the header
});

test('the school page in English, and a 404 page for a school that is not there', async () => {
  const html = await page(admin, '/schools/S1');
  assert.match(html, /12\.5 Mbit\/s/);
  assert.match(html, /One computer or tablet for every 12 learners/);
  await page(admin, '/schools/0190b7a2-0000-7000-8000-000000000000', 404);
});

test('the person page: name as written, father, birth date, school, guardians and children', async () => {
  const html = await page(admin, `/people/${p.ali.id}`);
  assert.match(html, /<h1 dir="auto">علی کریمی<\/h1>/);
  assert.match(html, /حسن/);
  assert.match(html, /datetime="2016-09-05"/);
  assert.ok(html.includes(`href="/schools/${p.school.id}"`));
  assert.ok(html.includes(`href="/people/${p.mum.id}"`), 'a link to the guardian');
  assert.match(html, /مادر/);
  const mum = await page(admin, `/people/${p.mum.id}`);
  assert.ok(mum.includes(`href="/people/${p.ali.id}"`), 'a link to the child');
  const fa = new Client(srv.url);
  assert.equal((await fa.login('reader', 'reader-password')).status, 200);
  const faHtml = await page(fa, `/people/${p.ali.id}`);
  assert.match(faHtml, /۱۳۹۵/);                                  // the birth date in the Solar Hijri calendar
  // Others: a teacher of another school, an officer of another district.
  await post(admin, '/api/v1/regions', { code: 'IR-08', parent_code: 'IR', level: 'province', name: 'Kerman' });
  await post(admin, '/api/v1/schools', { code: 'S8', name: 'Bam School', region_code: 'IR-08' });
  await post(admin, '/api/v1/users', { login: 'teacher8', display_name: 'T', role: 'teacher', scope: 'S8', password: 'teacher8-password' });
  const t = new Client(srv.url);
  assert.equal((await t.login('teacher8', 'teacher8-password')).status, 200);
  const denied = await page(t, `/people/${p.ali.id}`, 404);
  assert.ok(!denied.includes('کریمی'), 'nothing of the person on the 404 page');
  await post(admin, '/api/v1/users', { login: 'teacher1', display_name: 'T1', role: 'teacher', scope: 'S1', password: 'teacher1-password' });
  const t1 = new Client(srv.url);
  await t1.login('teacher1', 'teacher1-password');
  assert.match(await page(t1, `/people/${p.ali.id}`), /کریمی/);
});

test('search tolerates script, case and diacritic variants', async () => {
  const cases = [
    ['Nguyen', p.an.id, 'people'],
    ['nguyễn văn', p.an.id, 'people'],
    ['VAN AN', p.an.id, 'people'],
    ['علي', p.ali.id, 'people'],           // Arabic yeh finds the Persian one
    ['كريمي', p.ali.id, 'people'],         // Arabic kaf too
    ['ismayilov', p.az.id, 'people'],
    ['ISMAYILOV əli', p.az.id, 'people'],
    ['nguyen du', p.vn.id, 'schools'],
    ['آزادی', p.school.id, 'schools'],
  ];
  for (const [q, id, kind] of cases) {
    const html = await page(admin, `/search?q=${encodeURIComponent(q)}`);
    const href = kind === 'people' ? `/people/${id}` : `/schools/${id}`;
    assert.ok(html.includes(`href="${href}"`), `${q} finds ${kind} ${id}`);
  }
  const none = await page(admin, `/search?q=${encodeURIComponent('zzzz')}`);
  assert.match(none, /No school has this name/);
  await page(admin, `/search?q=${encodeURIComponent('!!!')}`, 400);
  const empty = await page(admin, '/search');
  assert.match(empty, /name="q"/);
  // A teacher finds only what their scope holds: their school and its people.
  const t8 = new Client(srv.url);
  await t8.login('teacher8', 'teacher8-password');
  const html = await page(t8, `/search?q=nguyen`);
  assert.ok(!html.includes(`/people/${p.an.id}`), 'not another school\'s learner');
  assert.ok(!html.includes(`/schools/${p.vn.id}`), 'not another school');
  assert.ok((await page(t8, '/search?q=bam')).includes('href="/schools/'), 'their own school');
});

srv = await startServer();
const failed = await run();
await srv.stop();
process.exit(failed ? 1 : 0);
