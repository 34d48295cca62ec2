// A small test harness: test(name, fn) cases run in order; each prints
// "ok - name" or "not ok - name" with the reason, and the file ends with
// "# N passed, M failed" for tests/run.sh to add up. Exit status is 1 when
// anything failed.
import assert from 'node:assert/strict';

const cases = [];
let only = process.env.TEST_ONLY || '';

export function test(name, fn) {
  cases.push({ name, fn });
}

export async function run() {
  let passed = 0, failed = 0;
  for (const c of cases) {
    if (only && !c.name.includes(only)) continue;
    const t0 = Date.now();
    try {
      await c.fn();
      passed++;
      console.log(`ok - ${c.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${c.name}`);
      console.log('  ' + String(e && e.stack || e).split('\n').slice(0, 6).join('\n  '));
    }
  }
  console.log(`# ${passed} passed, ${failed} failed`);
  return failed;
}

// Checks an API error answer: the status, the body
// {"error":{"code","message","field"}} with a message a person can read,
// and (when given) the code and the field. Returns the error object.
export function apiError(r, status, code, field) {
  assert.equal(r.status, status, `status ${r.status}, want ${status}: ${r.text}`);
  assert.ok(r.json && typeof r.json === 'object', 'a JSON body: ' + r.text);
  const e = r.json.error;
  assert.ok(e, 'an error object: ' + r.text);
  if (code) assert.equal(e.code, code, r.text);
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0, 'a message a person can read');
  if (field) assert.equal(e.field, field, r.text);
  return e;
}

export { assert };
