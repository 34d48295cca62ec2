// Who sees what in the registry: district officers their district, a
// teacher or school head their school, a guardian their own children, a
// donor no people at all. A record outside the caller's scope answers 404,
// exactly like one that does not exist (so ids cannot be probed); a
// change the caller's role may not make answers 403. Then paging: limit
// and next until null yield every row once, through a region subtree.
import { test, run, assert, apiError } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

let srv, admin;
const p = {};        // people by name: {id, …}
const as = {};       // clients by account

async function post(c, path, json) {
  const r = await c.req('POST', path, { json });
  assert.equal(r.status, 201, `${path} ${JSON.stringify(json)}: ${r.text}`);
  return r.json;
}

async function account(login, role, scope) {
  const password = `${login}-password`;
  const body = { login, display_name: login, role, password };
  if (scope) body.scope = scope;
  await post(admin, '/api/v1/users', body);
  const c = new Client(srv.url);
  assert.equal((await c.login(login, password)).status, 200);
  as[login] = c;
  return c;
}

// Follows next until null; returns every item, checking none comes twice.
async function all(c, path, limit) {
  const seen = new Set(), items = [];
  let next = null, pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await c.req('GET', `${path}${sep}limit=${limit}${next ? `&cursor=${next}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length <= limit);
    for (const it of r.json.items) {
      assert.ok(!seen.has(it.id), `${it.id} twice in ${path}`);
      seen.add(it.id);
      items.push(it);
    }
    next = r.json.next;
    assert.ok(++pages < 500, 'the pages end');
  } while (next);
  return items;
}

const ids = items => items.map(x => x.id).sort();

test('the administrator builds two provinces, four schools and their people', async () => {
  admin = new Client(srv.url);
  assert.equal((await admin.login(ADMIN.login, ADMIN.password)).status, 200);
  for (const [code, parent_code, level] of [['IR', undefined, 'country'], ['IR-07', 'IR', 'province'],
    ['IR-07-03', 'IR-07', 'district'], ['IR-07-03-001', 'IR-07-03', 'village'], ['IR-07-03-002', 'IR-07-03', 'village'],
    ['IR-07-04', 'IR-07', 'district'], ['IR-08', 'IR', 'province'], ['IR-08-01', 'IR-08', 'district']])
    await post(admin, '/api/v1/regions', { code, parent_code, level, name: `Region ${code}` });
  for (const [code, region_code] of [['S1', 'IR-07-03-001'], ['S2', 'IR-07-03-002'], ['S4', 'IR-07-04'], ['S8', 'IR-08-01']])
    await post(admin, '/api/v1/schools', { code, name: `School ${code}`, region_code });
  for (const [name, school] of [['kid1', 'S1'], ['kid2', 'S2'], ['kid4', 'S4'], ['kid8', 'S8']])
    p[name] = await post(admin, '/api/v1/people', { role: 'learner', given_name: name, family_name: 'Test', birth_date: '2016-01-01',
      school_code: school });
  p.teacher = await post(admin, '/api/v1/people', { role: 'teacher', given_name: 'Teacher', family_name: 'One', school_code: 'S1' });
  p.mum = await post(admin, '/api/v1/people', { role: 'guardian', given_name: 'Mum', family_name: 'Test', region_code: 'IR-07-03' });
  const g = await admin.req('POST', `/api/v1/people/${p.kid1.id}/guardians`, { json: { guardian_id: p.mum.id, relation: 'mother' } });
  assert.equal(g.status, 201, g.text);
  p.enrol1 = await post(admin, '/api/v1/enrolments', { learner_id: p.kid1.id, school_code: 'S1', grade: '3', school_year: '1405' });
  p.enrol8 = await post(admin, '/api/v1/enrolments', { learner_id: p.kid8.id, school_code: 'S8', grade: '2', school_year: '1405' });
  await account('district', 'district_officer', 'IR-07-03');
  await account('bam', 'district_officer', 'IR-08-01');
  await account('teacher', 'teacher', 'S1');
  await account('head', 'school_head', 'S1');
  await account('guardian', 'guardian', '');
  await account('donor', 'donor', '');
  // An administrator links the guardian's account to her person record.
  const users = (await admin.req('GET', '/api/v1/users?limit=500')).json.items;
  const gid = users.find(u => u.login === 'guardian').id;
  apiError(await admin.req('PATCH', `/api/v1/users/${gid}`, { json: { person_id: '01a20592-019f-7855-a7f4-91370c71ad32' } }),
    400, 'invalid', 'person_id');
  const linked = await admin.req('PATCH', `/api/v1/users/${gid}`, { json: { person_id: p.mum.id } });
  assert.equal(linked.status, 200, linked.text);
  assert.equal(linked.json.person_id, p.mum.id);
  const audit = (await admin.req('GET', '/api/v1/audit?limit=5')).json.items;
  assert.ok(audit.some(e => e.action === 'user.link_person' && e.object_id === gid));
});

test('a district officer reads their district\'s learners, and no one else\'s (404)', async () => {
  const c = as.district;
  assert.equal((await c.req('GET', `/api/v1/people/${p.kid1.id}`)).status, 200);
  assert.equal((await c.req('GET', `/api/v1/people/${p.kid2.id}`)).status, 200);
  apiError(await c.req('GET', `/api/v1/people/${p.kid4.id}`), 404, 'not_found');
  apiError(await c.req('GET', `/api/v1/people/${p.kid8.id}`), 404, 'not_found');
  apiError(await c.req('PATCH', `/api/v1/people/${p.kid8.id}`, { json: { given_name: 'X' } }), 404, 'not_found');
  apiError(await c.req('GET', `/api/v1/enrolments/${p.enrol8.id}`), 404, 'not_found');
  assert.deepEqual(ids(await all(c, '/api/v1/people', 50)), ids([p.kid1, p.kid2, p.teacher, p.mum]));
  assert.deepEqual(ids(await all(c, '/api/v1/people?region=IR-08', 50)), []);
  assert.deepEqual(ids(await all(c, '/api/v1/people?region=IR', 50)), ids([p.kid1, p.kid2, p.teacher, p.mum]));
  assert.deepEqual(ids(await all(c, '/api/v1/enrolments', 50)), [p.enrol1.id]);
  assert.deepEqual((await all(c, '/api/v1/schools', 50)).map(s => s.code).sort(), ['S1', 'S2']);
  // Writes: only inside the district.
  apiError(await c.req('POST', '/api/v1/people', { json: { role: 'learner', given_name: 'A', family_name: 'B',
    birth_date: '2016-01-01', school_code: 'S8' } }), 403, 'forbidden', 'school_code');
  const ok = await c.req('POST', '/api/v1/people', { json: { role: 'learner', given_name: 'New', family_name: 'Kid',
    birth_date: '2017-01-01', school_code: 'S2' } });
  assert.equal(ok.status, 201, ok.text);
  p.kidNew = ok.json;
  apiError(await c.req('POST', '/api/v1/schools', { json: { code: 'S9', name: 'X', region_code: 'IR-08-01' } }),
    403, 'forbidden', 'region_code');
  const other = as.bam;
  assert.equal((await other.req('GET', `/api/v1/people/${p.kid8.id}`)).status, 200);
  apiError(await other.req('GET', `/api/v1/people/${p.kid1.id}`), 404, 'not_found');
  assert.deepEqual(ids(await all(other, '/api/v1/people', 50)), [p.kid8.id]);
});

test('a teacher reads their school\'s people only and changes nothing', async () => {
  const c = as.teacher;
  assert.equal((await c.req('GET', `/api/v1/people/${p.kid1.id}`)).status, 200);
  apiError(await c.req('GET', `/api/v1/people/${p.kid2.id}`), 404, 'not_found');
  assert.deepEqual(ids(await all(c, '/api/v1/people', 50)), ids([p.kid1, p.teacher]));
  assert.deepEqual(ids(await all(c, '/api/v1/people?school=S2', 50)), []);
  apiError(await c.req('PATCH', `/api/v1/people/${p.kid1.id}`, { json: { given_name: 'X' } }), 403, 'forbidden');
  apiError(await c.req('POST', '/api/v1/schools', { json: { code: 'S9', name: 'X', region_code: 'IR-07-03' } }), 403, 'forbidden');
  assert.deepEqual((await all(c, '/api/v1/schools', 50)).map(s => s.code), ['S1']);
});

test('a school head changes their own school, not another', async () => {
  const c = as.head;
  const r = await c.req('PATCH', '/api/v1/schools/S1', { json: { computers: 12, electricity: 'grid' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.computers, 12);
  apiError(await c.req('PATCH', '/api/v1/schools/S4', { json: { computers: 12 } }), 404, 'not_found');
  apiError(await c.req('POST', '/api/v1/schools', { json: { code: 'S10', name: 'X', region_code: 'IR-07-03' } }),
    403, 'forbidden', 'region_code');
});

test('a guardian sees themselves and their own child only', async () => {
  const c = as.guardian;
  const kid = await c.req('GET', `/api/v1/people/${p.kid1.id}`);
  assert.equal(kid.status, 200, kid.text);
  assert.deepEqual(kid.json.guardians.map(g => g.id), [p.mum.id]);
  apiError(await c.req('GET', `/api/v1/people/${p.kid2.id}`), 404, 'not_found');
  apiError(await c.req('GET', `/api/v1/people/${p.teacher.id}`), 404, 'not_found');
  assert.deepEqual(ids(await all(c, '/api/v1/people', 50)), ids([p.kid1, p.mum]));
  assert.deepEqual(ids(await all(c, '/api/v1/enrolments', 50)), [p.enrol1.id]);
  apiError(await c.req('PATCH', `/api/v1/people/${p.kid1.id}`, { json: { given_name: 'X' } }), 403, 'forbidden');
  // School profiles are not personal: a guardian may read them.
  assert.equal((await c.req('GET', '/api/v1/schools/S8')).status, 200);
});

test('a donor sees no person, no enrolment, no person page', async () => {
  const c = as.donor;
  apiError(await c.req('GET', '/api/v1/people'), 403, 'forbidden');
  apiError(await c.req('GET', `/api/v1/people/${p.kid1.id}`), 403, 'forbidden');
  apiError(await c.req('GET', '/api/v1/enrolments'), 403, 'forbidden');
  const page = await c.req('GET', `/people/${p.kid1.id}`);
  assert.equal(page.status, 403);
  assert.ok(!page.text.includes('kid1'));
  const s = await c.req('GET', `/search?q=kid1`);
  assert.equal(s.status, 403);
});

test('paging: limit and next until null give every row once, through a region subtree', async () => {
  const schools = ['S1', 'S2', 'S4', 'S8'];
  const made = [];
  for (let i = 0; i < 48; i++)
    made.push(await post(admin, '/api/v1/people', { role: 'learner', given_name: `Child ${i}`,
      family_name: i % 3 ? 'Rahimi' : 'Nguyễn', birth_date: '2015-05-05', school_code: schools[i % 4] }));
  const inDistrict = made.filter((_, i) => i % 4 < 2);
  const everyone = await all(admin, '/api/v1/people?role=learner', 500);
  for (const limit of [1, 5, 7, 50]) {
    const got = await all(admin, '/api/v1/people?region=IR-07-03&role=learner', limit);
    assert.deepEqual(ids(got), ids([...inDistrict, p.kid1, p.kid2, p.kidNew]), `limit ${limit}`);
    assert.deepEqual(ids(await all(admin, '/api/v1/people?role=learner', limit)), ids(everyone), `all, limit ${limit}`);
  }
  assert.equal(everyone.length, 48 + 5);
  assert.deepEqual(ids(await all(as.district, '/api/v1/people?role=learner', 4)), ids([...inDistrict, p.kid1, p.kid2, p.kidNew]));
  const named = made.filter((_, i) => i % 3 === 0);
  assert.deepEqual(ids(await all(admin, '/api/v1/people?q=nguyen', 3)), ids(named));
  assert.deepEqual(ids(await all(as.district, '/api/v1/people?q=NGUYỄN', 2)), ids(named.filter((_, k) => (k * 3) % 4 < 2)));
  assert.deepEqual((await all(admin, '/api/v1/schools?region=IR-07', 1)).map(s => s.code).sort(), ['S1', 'S2', 'S4']);
  apiError(await admin.req('GET', '/api/v1/people?cursor=not-a-cursor'), 400, 'invalid', 'cursor');
});

srv = await startServer();
const failed = await run();
await srv.stop();
process.exit(failed ? 1 : 0);
