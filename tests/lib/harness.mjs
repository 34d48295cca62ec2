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

export { assert };
