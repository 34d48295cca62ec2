// Probes and metrics: /healthz, /readyz, /metrics, and the security
// headers that every kind of response carries (JSON, page, static file,
// 404, 405, 413), with a request id.
import { test, run, assert } from '../lib/harness.mjs';
import { startServer, raw, parseRaw } from '../lib/server.mjs';

// Reads one sample of a metric by its exact label text ('' for none).
function sample(text, name, labels = '') {
  const key = labels ? `${name}{${labels}}` : name;
  for (const line of text.split('\n'))
    if (line.startsWith(key + ' ')) return Number(line.slice(key.length + 1));
  return undefined;
}

function checkSecurity(h, what) {
  const get = k => (typeof h.get === 'function' ? h.get(k) : h[k]);
  const csp = get('content-security-policy');
  assert.ok(csp, `${what}: Content-Security-Policy missing`);
  assert.ok(!csp.includes("'unsafe-inline'"), `${what}: CSP allows inline: ${csp}`);
  assert.ok(!csp.includes("'unsafe-eval'"), `${what}: CSP allows eval: ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP without frame-ancestors 'none'`);
  assert.match(csp, /script-src 'self'/, `${what}: CSP script-src`);
  assert.equal(get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.equal(get('referrer-policy'), 'same-origin', `${what}: Referrer-Policy`);
  assert.match(get('x-request-id') || '', /^[0-9a-f]{16}$/, `${what}: X-Request-Id`);
}

let srv;

test('healthz answers a small JSON object without touching a session', async () => {
  const r = await fetch(srv.url + '/healthz');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  const text = await r.text();
  assert.ok(text.length < 200, 'healthz body is small: ' + text.length);
  assert.deepEqual(JSON.parse(text), { status: 'ok' });
  assert.equal(r.headers.get('set-cookie'), null);
  const h = await fetch(srv.url + '/healthz', { method: 'HEAD' });
  assert.equal(h.status, 200, 'HEAD on a GET route');
});

test('readyz reports the store and the schema version', async () => {
  const r = await fetch(srv.url + '/readyz');
  assert.equal(r.status, 200);
  const j = await r.json();
  assert.equal(j.status, 'ok');
  assert.equal(j.store, 'ok');
  assert.ok(Number.isInteger(j.schema) && j.schema >= 1, 'schema is a migration number: ' + j.schema);
});

test('every request gets its own X-Request-Id', async () => {
  const a = await fetch(srv.url + '/healthz');
  const b = await fetch(srv.url + '/healthz');
  assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
});

test('metrics: Prometheus text with request counts by route and status', async () => {
  const before = await (await fetch(srv.url + '/metrics')).text();
  const ok0 = sample(before, 'reach_http_requests_total', 'route="/readyz",status="200"') || 0;
  const nf0 = sample(before, 'reach_http_requests_total', 'route="unmatched",status="404"') || 0;
  const cnt0 = sample(before, 'reach_http_request_duration_seconds_count');
  for (let i = 0; i < 3; i++) await (await fetch(srv.url + '/readyz')).text();
  await (await fetch(srv.url + '/no/such/thing')).text();
  await (await fetch(srv.url + '/no/such/thing/either')).text();
  const r = await fetch(srv.url + '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await r.text();
  assert.match(text, /^# TYPE reach_http_requests_total counter$/m);
  assert.equal(sample(text, 'reach_http_requests_total', 'route="/readyz",status="200"'), ok0 + 3);
  assert.equal(sample(text, 'reach_http_requests_total', 'route="unmatched",status="404"'), nf0 + 2);
  // Every sample line is "name{labels} number" or "name number".
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    assert.match(line, /^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+-]+$/, 'bad line: ' + line);
  }
  assert.ok(sample(text, 'reach_http_request_duration_seconds_count') >= cnt0 + 5);
});

test('metrics: latency histogram has cumulative buckets ending in +Inf = count', async () => {
  const text = await (await fetch(srv.url + '/metrics')).text();
  assert.match(text, /^# TYPE reach_http_request_duration_seconds histogram$/m);
  const buckets = [...text.matchAll(/^reach_http_request_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)]
    .map(m => [m[1], Number(m[2])]);
  assert.ok(buckets.length >= 5, 'several buckets');
  assert.equal(buckets[buckets.length - 1][0], '+Inf');
  for (let i = 1; i < buckets.length; i++) {
    assert.ok(buckets[i][1] >= buckets[i - 1][1], 'buckets are cumulative');
    if (buckets[i][0] !== '+Inf') assert.ok(Number(buckets[i][0]) > Number(buckets[i - 1][0]), 'bounds grow');
  }
  const count = sample(text, 'reach_http_request_duration_seconds_count');
  assert.equal(buckets[buckets.length - 1][1], count);
  assert.ok(sample(text, 'reach_http_request_duration_seconds_sum') >= 0);
});

test('metrics: store errors and jobs counters are present', async () => {
  const text = await (await fetch(srv.url + '/metrics')).text();
  assert.match(text, /^# TYPE reach_store_errors_total counter$/m);
  assert.equal(sample(text, 'reach_store_errors_total'), 0, 'a healthy store has no errors');
  assert.match(text, /^# TYPE reach_jobs_total counter$/m);
  assert.ok(Number.isInteger(sample(text, 'reach_jobs_total', 'state="done"')));
  assert.ok(Number.isInteger(sample(text, 'reach_jobs_total', 'state="failed"')));
});

test('security headers on a JSON answer', async () => {
  const r = await fetch(srv.url + '/readyz');
  assert.equal(r.status, 200);
  checkSecurity(r.headers, 'JSON');
});

test('security headers on an HTML page', async () => {
  const r = await fetch(srv.url + '/login');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  const html = await r.text();
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), 'no inline script in the page');
  assert.ok(!/\sstyle="/i.test(html), 'no inline style attributes in the page');
  checkSecurity(r.headers, 'HTML');
});

test('security headers on a static file', async () => {
  const r = await fetch(srv.url + '/static/reach.css');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/css/);
  checkSecurity(r.headers, 'static');
});

test('security headers on 404 and 405', async () => {
  const nf = await fetch(srv.url + '/api/v1/nothing-here');
  assert.equal(nf.status, 404);
  checkSecurity(nf.headers, '404');
  assert.equal((await nf.json()).error.code, 'not_found');
  const na = await fetch(srv.url + '/healthz', { method: 'DELETE' });
  assert.equal(na.status, 405);
  checkSecurity(na.headers, '405');
  assert.equal((await na.json()).error.code, 'method_not_allowed');
});

test('security headers on 413 (Content-Length too large, no body sent)', async () => {
  const t0 = Date.now();
  const text = await raw(srv.port, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    'Content-Type: application/json\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n', { timeout: 4000 });
  const r = parseRaw(text);
  assert.equal(r.status, 413, text.slice(0, 200));
  assert.ok(Date.now() - t0 < 3000, 'answered without waiting for the body');
  checkSecurity(r.headers, '413');
  assert.equal(JSON.parse(r.body).error.code, 'too_large');
});

test('pages and API answers are not cached; probes stay out of the access log', async () => {
  const r = await fetch(srv.url + '/api/v1/me');
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  await (await fetch(srv.url + '/healthz')).text();
  await (await fetch(srv.url + '/api/v1/me?probe-marker=1')).text();
  await new Promise(res => setTimeout(res, 50));
  const lines = srv.log().split('\n').filter(l => l.includes('"event":"access"'));
  assert.ok(lines.some(l => l.includes('"path":"/api/v1/me')), 'API requests are logged');
  assert.ok(!lines.some(l => l.includes('"path":"/healthz"') && l.includes('"status":200')),
    'answered health probes are not logged');
  const me = lines.find(l => l.includes('"path":"/api/v1/me"'));
  const j = JSON.parse(me);
  assert.equal(j.method, 'GET');
  assert.equal(j.status, 401);
  assert.equal(typeof j.ms, 'number');
});

try {
  srv = await startServer();
  process.exitCode = await run();
} finally {
  if (srv) await srv.stop();
}
