// The registry API as an administrator: regions, schools, people,
// enrolments and guardians created, read, changed and listed; validation
// errors that name the field; retiring instead of deleting; the audit rows;
// the routes in the OpenAPI document.
import { test, run, assert, apiError } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

let srv, admin;
const ids = {};

async function post(path, json, status = 201) {
  const r = await admin.req('POST', path, { json });
  assert.equal(r.status, status, `${path}: ${r.text}`);
  return r.json;
}

test('regions: a tree from the country down, each one level below its parent', async () => {
  admin = new Client(srv.url);
  assert.equal((await admin.login(ADMIN.login, ADMIN.password)).status, 200);
  const ir = await post('/api/v1/regions', { code: 'IR', level: 'country', name: 'ایران', name_en: 'Iran' });
  assert.equal(ir.depth, 0);
  assert.deepEqual(ir.path, ['IR']);
  assert.equal(ir.parent_code, null);
  await post('/api/v1/regions', { code: 'IR-07', parent_code: 'IR', level: 'province', name: 'فارس', deprivation: '0.25' });
  const d = await post('/api/v1/regions', { code: 'IR-07-03', parent_code: 'IR-07', level: 'district', name: 'Shiraz',
    population: 1500000, school_age_population: 300000 });
  assert.deepEqual(d.path, ['IR', 'IR-07', 'IR-07-03']);
  assert.equal(d.level, 'district');
  assert.equal(d.population, 1500000);
  const r = await admin.req('GET', '/api/v1/regions/IR-07');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.deprivation, 0.25);
  assert.equal(r.json.name, 'فارس');
  ids.province = r.json.id;
  assert.equal((await admin.req('GET', `/api/v1/regions/${ids.province}`)).json.code, 'IR-07');
  const kids = await admin.req('GET', '/api/v1/regions?parent=IR');
  assert.deepEqual(kids.json.items.map(x => x.code), ['IR-07']);
  const districts = await admin.req('GET', '/api/v1/regions?level=district');
  assert.deepEqual(districts.json.items.map(x => x.code), ['IR-07-03']);
});

test('regions: validation names the field', async () => {
  apiError(await admin.req('POST', '/api/v1/regions', { json: { code: 'IR-07-09', parent_code: 'IR-07', level: 'village', name: 'X' } }),
    400, 'invalid', 'level');
  apiError(await admin.req('POST', '/api/v1/regions', { json: { code: 'IR-09', parent_code: 'NOPE', level: 'province', name: 'X' } }),
    400, 'invalid', 'parent_code');
  apiError(await admin.req('POST', '/api/v1/regions', { json: { code: 'IR 09', parent_code: 'IR', level: 'province', name: 'X' } }),
    400, 'invalid', 'code');
  apiError(await admin.req('POST', '/api/v1/regions', { json: { code: 'IR-09', parent_code: 'IR', level: 'province', name: 'X', deprivation: '2' } }),
    400, 'invalid', 'deprivation');
  apiError(await admin.req('POST', '/api/v1/regions', { json: { code: 'IR-07', parent_code: 'IR', level: 'province', name: 'X' } }),
    409, 'exists', 'code');
  apiError(await admin.req('PATCH', '/api/v1/regions/IR-07', { json: { code: 'IR-70' } }), 400, 'unknown_field', 'code');
  apiError(await admin.req('GET', '/api/v1/regions?parent=NOPE'), 400, 'invalid', 'parent');
  apiError(await admin.req('GET', '/api/v1/regions/NOPE'), 404, 'not_found');
  const p = await admin.req('PATCH', '/api/v1/regions/IR-07', { json: { name_en: 'Fars', population: 4800000 } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.name_en, 'Fars');
  assert.equal(p.json.population, 4800000);
});

test('schools: create, read by id and code, change, list', async () => {
  const s = await post('/api/v1/schools', { code: 'S1', name: 'دبستان آزادی', region_code: 'IR-07-03', levels: 'primary,lower_secondary',
    boarding: true, nomadic: false, rural: true, language: 'fa', lat: '29.61', lon: '52.53', learners: 240, teachers: 9,
    electricity: 'solar', connectivity: '3g', download_mbps: '2.5', measured_at: '1405/02/10', computers: 4, tablets: 6,
    projectors: 1, computer_centre: false });
  ids.s1 = s.id;
  assert.deepEqual(s.levels, ['primary', 'lower_secondary']);
  assert.equal(s.boarding, true);
  assert.equal(s.lat, 29.61);
  assert.equal(s.download_mbps, 2.5);
  assert.equal(s.measured_at, '2026-04-30');   // Solar Hijri in, Gregorian out
  assert.equal(s.region_code, 'IR-07-03');
  const byCode = await admin.req('GET', '/api/v1/schools/S1');
  assert.equal(byCode.json.id, s.id);
  const r = await admin.req('GET', `/api/v1/schools/${s.id}`);
  assert.equal(r.status, 200);
  const p = await admin.req('PATCH', `/api/v1/schools/${s.id}`, { json: { connectivity: '4g', download_mbps: '12', computers: 10 } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.connectivity, '4g');
  assert.equal(p.json.computers, 10);
  assert.ok(p.json.seq > s.seq);
  await post('/api/v1/schools', { code: 'S2', name: 'Trường Nguyễn Du', region_code: 'IR-07' });
  const l = await admin.req('GET', '/api/v1/schools?region=IR-07-03');
  assert.deepEqual(l.json.items.map(x => x.code), ['S1']);
  assert.equal(l.json.next, null);
  const all = await admin.req('GET', '/api/v1/schools?region=IR');
  assert.deepEqual(all.json.items.map(x => x.code).sort(), ['S1', 'S2']);
  const q = await admin.req('GET', '/api/v1/schools?q=nguyen');
  assert.deepEqual(q.json.items.map(x => x.code), ['S2']);
});

test('schools: validation errors name the field', async () => {
  const base = { code: 'S9', name: 'X', region_code: 'IR-07' };
  apiError(await admin.req('POST', '/api/v1/schools', { json: { ...base, connectivity: '5g' } }), 400, 'invalid', 'connectivity');
  apiError(await admin.req('POST', '/api/v1/schools', { json: { ...base, lat: '91' } }), 400, 'invalid', 'lat');
  apiError(await admin.req('POST', '/api/v1/schools', { json: { ...base, lat: 'north' } }), 400, 'invalid', 'lat');
  apiError(await admin.req('POST', '/api/v1/schools', { json: { ...base, lat: -90.5 } }), 400, 'invalid', 'lat');
  apiError(await admin.req('POST', '/api/v1/schools', { json: { ...base, region_code: 'NOWHERE' } }), 400, 'invalid', 'region_code');
  apiError(await admin.req('POST', '/api/v1/schools', { json: { ...base, download_mbps: '3' } }), 400, 'invalid', 'download_mbps');
  apiError(await admin.req('POST', '/api/v1/schools', { json: { ...base, measured_at: '2026-02-30' } }), 400, 'invalid', 'measured_at');
  apiError(await admin.req('POST', '/api/v1/schools', { json: { ...base, levels: 'primary,university' } }), 400, 'invalid', 'levels');
  apiError(await admin.req('POST', '/api/v1/schools', { json: { ...base, computers: -1 } }), 400, 'invalid', 'computers');
  apiError(await admin.req('POST', '/api/v1/schools', { json: { code: 'S9', region_code: 'IR-07' } }), 400, 'required', 'name');
  apiError(await admin.req('POST', '/api/v1/schools', { json: { ...base, code: 'S1' } }), 409, 'exists', 'code');
  apiError(await admin.req('PATCH', '/api/v1/schools/S1', { json: { connectivity: 'none' } }), 400, 'invalid', 'download_mbps');
  apiError(await admin.req('GET', '/api/v1/schools?region=NOWHERE'), 400, 'invalid', 'region');
});

test('people: learners, guardians and teachers; names as written', async () => {
  const kid = await post('/api/v1/people', { role: 'learner', given_name: 'علي', family_name: 'كريمي', father_name: 'حسن',
    sex: 'm', birth_date: '۱۳۹۵/۰۶/۱۵', school_code: 'S1', has_device: false, has_internet: true, ext_id: 'REG-1' });
  ids.kid = kid.id;
  assert.equal(kid.given_name, 'علي');          // stored as written
  assert.equal(kid.birth_date, '2016-09-05');
  assert.equal(kid.school_code, 'S1');
  assert.equal(kid.school_id, ids.s1);
  assert.equal(kid.region_code, 'IR-07-03');    // the school's, when none is given
  assert.equal(kid.has_device, false);
  const mum = await post('/api/v1/people', { role: 'guardian', given_name: 'Zahra', family_name: 'Karimi', region_code: 'IR-07-03' });
  ids.mum = mum.id;
  const t = await post('/api/v1/people', { role: 'teacher', given_name: 'Leila', family_name: 'Moradi', school_code: ids.s1,
    subjects: 'maths; science', digital_skills: 2, has_device: true });
  assert.deepEqual(t.subjects, ['maths', 'science']);
  assert.equal(t.digital_skills, 2);
  const g = await admin.req('POST', `/api/v1/people/${kid.id}/guardians`, { json: { guardian_id: mum.id, relation: 'mother' } });
  assert.equal(g.status, 201, g.text);
  const read = await admin.req('GET', `/api/v1/people/${kid.id}`);
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.json.guardians.map(x => [x.id, x.relation]), [[mum.id, 'mother']]);
  const back = await admin.req('GET', `/api/v1/people/${mum.id}`);
  assert.deepEqual(back.json.children.map(x => x.id), [kid.id]);
  const p = await admin.req('PATCH', `/api/v1/people/${kid.id}`, { json: { given_name: 'علی', has_device: true } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.given_name, 'علی');
  const l = await admin.req('GET', '/api/v1/people?role=teacher');
  assert.deepEqual(l.json.items.map(x => x.family_name), ['Moradi']);
  const bySchool = await admin.req('GET', '/api/v1/people?school=S1');
  assert.equal(bySchool.json.items.length, 2);
});

test('people: validation errors name the field', async () => {
  const base = { role: 'learner', given_name: 'A', family_name: 'B', birth_date: '2015-01-01' };
  apiError(await admin.req('POST', '/api/v1/people', { json: { ...base, birth_date: '2015-02-29' } }), 400, 'invalid', 'birth_date');
  apiError(await admin.req('POST', '/api/v1/people', { json: { ...base, birth_date: '1394/12/30' } }), 400, 'invalid', 'birth_date');
  apiError(await admin.req('POST', '/api/v1/people', { json: { ...base, birth_date: '2999-01-01' } }), 400, 'invalid', 'birth_date');
  apiError(await admin.req('POST', '/api/v1/people', { json: { ...base, birth_date: undefined } }), 400, 'invalid', 'birth_date');
  apiError(await admin.req('POST', '/api/v1/people', { json: { ...base, role: 'pupil' } }), 400, 'invalid', 'role');
  apiError(await admin.req('POST', '/api/v1/people', { json: { ...base, region_code: 'NOWHERE' } }), 400, 'invalid', 'region_code');
  apiError(await admin.req('POST', '/api/v1/people', { json: { ...base, school_code: 'S404' } }), 400, 'invalid', 'school_code');
  apiError(await admin.req('POST', '/api/v1/people', { json: { ...base, role: 'teacher' } }), 400, 'invalid', 'school_code');
  apiError(await admin.req('POST', '/api/v1/people', { json: { ...base, digital_skills: 7 } }), 400, 'invalid', 'digital_skills');
  apiError(await admin.req('POST', '/api/v1/people', { json: { ...base, ext_id: 'REG-1' } }), 409, 'exists', 'ext_id');
  apiError(await admin.req('POST', '/api/v1/people', { json: { ...base, nickname: 'x' } }), 400, 'unknown_field', 'nickname');
  apiError(await admin.req('POST', `/api/v1/people/${ids.kid}/guardians`, { json: { guardian_id: ids.kid } }), 400, 'invalid', 'guardian_id');
  apiError(await admin.req('GET', '/api/v1/people/0190b7a2-0000-7000-8000-000000000000'), 404, 'not_found');
});

test('enrolments: create, change, list; the learner follows their enrolment', async () => {
  const e = await post('/api/v1/enrolments', { learner_id: ids.kid, school_code: 'S2', grade: '3', school_year: '1405',
    start_date: '2026-09-22' });
  assert.equal(e.status, 'enrolled');
  assert.equal(e.school_code, 'S2');
  assert.equal((await admin.req('GET', `/api/v1/people/${ids.kid}`)).json.school_code, 'S2');
  const p = await admin.req('PATCH', `/api/v1/enrolments/${e.id}`, { json: { status: 'dropped_out', end_date: '1405/09/01' } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.status, 'dropped_out');
  assert.equal(p.json.end_date, '2026-11-22');
  assert.equal((await admin.req('GET', `/api/v1/enrolments/${e.id}`)).json.grade, '3');
  const l = await admin.req('GET', `/api/v1/enrolments?learner=${ids.kid}`);
  assert.deepEqual(l.json.items.map(x => x.id), [e.id]);
  assert.equal((await admin.req('GET', '/api/v1/enrolments?status=enrolled')).json.items.length, 0);
  assert.equal((await admin.req('GET', '/api/v1/enrolments?school=S2&grade=3')).json.items.length, 1);
  const base = { learner_id: ids.kid, school_code: 'S1', grade: '4', school_year: '2026-2027' };
  apiError(await admin.req('POST', '/api/v1/enrolments', { json: { ...base, school_year: '2026' } }), 400, 'invalid', 'school_year');
  apiError(await admin.req('POST', '/api/v1/enrolments', { json: { ...base, status: 'expelled' } }), 400, 'invalid', 'status');
  apiError(await admin.req('POST', '/api/v1/enrolments', { json: { ...base, learner_id: ids.mum } }), 400, 'invalid', 'learner_id');
  apiError(await admin.req('POST', '/api/v1/enrolments', { json: { ...base, start_date: '2026-09-01', end_date: '2026-08-01' } }),
    400, 'invalid', 'end_date');
  apiError(await admin.req('PATCH', `/api/v1/enrolments/${e.id}`, { json: { learner_id: ids.mum } }), 400, 'unknown_field', 'learner_id');
});

test('retiring keeps the person; lists leave them out unless asked', async () => {
  const p = await post('/api/v1/people', { role: 'adult', given_name: 'Old', family_name: 'Record', region_code: 'IR-07' });
  const r = await admin.req('POST', `/api/v1/people/${p.id}/retire`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.retired_at);
  apiError(await admin.req('POST', `/api/v1/people/${p.id}/retire`), 409, 'conflict');
  apiError(await admin.req('PATCH', `/api/v1/people/${p.id}`, { json: { given_name: 'New' } }), 409, 'conflict');
  assert.equal((await admin.req('GET', `/api/v1/people/${p.id}`)).status, 200);
  assert.equal((await admin.req('DELETE', `/api/v1/people/${p.id}`)).status, 405);
  const l = await admin.req('GET', '/api/v1/people?region=IR-07&role=adult');
  assert.equal(l.json.items.length, 0);
  const withRetired = await admin.req('GET', '/api/v1/people?region=IR-07&role=adult&retired=true');
  assert.deepEqual(withRetired.json.items.map(x => x.id), [p.id]);
});

test('every change is in the audit log with what changed', async () => {
  const r = await admin.req('GET', '/api/v1/audit?limit=500');
  const acts = r.json.items.map(e => e.action);
  for (const a of ['region.create', 'region.update', 'school.create', 'school.update', 'person.create', 'person.update',
    'person.guardian_add', 'person.retire', 'enrolment.create', 'enrolment.update'])
    assert.ok(acts.includes(a), `${a} in the audit log`);
  const upd = r.json.items.find(e => e.action === 'school.update');
  assert.deepEqual(upd.detail.connectivity, { from: '3g', to: '4g' });
  assert.equal(upd.object_id, ids.s1);
});

test('the OpenAPI document describes the registry routes and their fields', async () => {
  const r = await admin.req('GET', '/api/v1/openapi.json');
  const paths = r.json.paths;
  for (const p of ['/api/v1/regions', '/api/v1/regions/{id}', '/api/v1/schools', '/api/v1/schools/{id}', '/api/v1/people',
    '/api/v1/people/{id}', '/api/v1/people/{id}/retire', '/api/v1/people/{id}/guardians', '/api/v1/enrolments',
    '/api/v1/enrolments/{id}'])
    assert.ok(paths[p], p);
  const props = paths['/api/v1/schools'].post.requestBody.content['application/json'].schema.properties;
  assert.deepEqual(props.connectivity.enum, ['none', '2g', '3g', '4g', 'fibre', 'satellite']);
  assert.ok(paths['/api/v1/people'].get.parameters.some(x => x.name === 'q'));
});

srv = await startServer();
const failed = await run();
await srv.stop();
process.exit(failed ? 1 : 0);
