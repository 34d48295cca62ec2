// Limits and malformed requests, answered at the edge with a 4xx and a
// JSON error body: oversized headers and bodies, bad JSON, invalid UTF-8,
// input validation, unknown routes and methods, path traversal, garbage.
// The server must never answer 5xx, hang or crash.
import { test, run, assert, apiError } from '../lib/harness.mjs';
import net from 'node:net';
import { startServer, raw, parseRaw } from '../lib/server.mjs';

async function req(url, method, path, { body, headers = {} } = {}) {
  const r = await fetch(url + path, { method, headers, body });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, headers: r.headers, text, json };
}

const login = (url, body, ct = 'application/json') =>
  req(url, 'POST', '/api/v1/auth/login', { body, headers: ct ? { 'content-type': ct } : {} });

let srv;

test('a 20 KB header is refused with 431 and a JSON body', async () => {
  const text = await raw(srv.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ' + 'a'.repeat(20 * 1024) +
    '\r\nConnection: close\r\n\r\n');
  const r = parseRaw(text);
  assert.equal(r.status, 431, text.slice(0, 100));
  assert.match(r.headers['content-type'] || '', /^application\/json/);
  assert.equal(JSON.parse(r.body).error.code, 'headers_too_large');
});

test('many headers adding up past the limit are refused with 431', async () => {
  let h = '';
  for (let i = 0; i < 40; i++) h += `X-H${i}: ${'b'.repeat(500)}\r\n`;
  const r = parseRaw(await raw(srv.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${h}Connection: close\r\n\r\n`));
  assert.equal(r.status, 431);
});

test('a 200 KB header gets a 4xx (never 5xx, never a hang)', async () => {
  const t0 = Date.now();
  const text = await raw(srv.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ' + 'a'.repeat(200 * 1024) +
    '\r\nConnection: close\r\n\r\n', { timeout: 8000 });
  const r = parseRaw(text);
  assert.ok(Date.now() - t0 < 5000, 'answered promptly');
  assert.ok(r.status >= 400 && r.status < 500, 'status ' + r.status + ': ' + text.slice(0, 80));
});

test('a Content-Length over 1 MiB is refused with 413 before the body is sent', async () => {
  const t0 = Date.now();
  const text = await raw(srv.port, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    `Content-Type: application/json\r\nContent-Length: ${1024 * 1024 + 1}\r\n\r\n`, { timeout: 5000 });
  const r = parseRaw(text);
  assert.equal(r.status, 413, text.slice(0, 100));
  assert.ok(Date.now() - t0 < 3000, 'did not wait for the body');
  const e = JSON.parse(r.body).error;
  assert.equal(e.code, 'too_large');
});

test('a body of exactly 1 MiB is read (not 413)', async () => {
  const pad = 'x'.repeat(1024 * 1024 - 40);
  const body = JSON.stringify({ login: 'a', password: 'b', z: pad }).slice(0, 1024 * 1024);
  const r = await login(srv.url, body);
  assert.notEqual(r.status, 413);
  assert.equal(r.status, 400, r.text.slice(0, 200));
});

test('a chunked body over the limit is refused with 413', async () => {
  const chunk = 'a'.repeat(64 * 1024);
  let bytes = 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
  for (let i = 0; i < 20; i++) bytes += chunk.length.toString(16) + '\r\n' + chunk + '\r\n';
  bytes += '0\r\n\r\n';
  const text = await raw(srv.port, bytes, { timeout: 8000 });
  const r = parseRaw(text);
  assert.equal(r.status, 413, text.slice(0, 100));
  assert.equal(JSON.parse(r.body).error.code, 'too_large');
});

test('a small chunked body is read like any other', async () => {
  const body = JSON.stringify({ login: 'nobody', password: 'wrong-password' });
  const bytes = 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
    body.length.toString(16) + '\r\n' + body + '\r\n0\r\n\r\n';
  const r = parseRaw(await raw(srv.port, bytes));
  assert.equal(r.status, 401);
  assert.equal(JSON.parse(r.body).error.code, 'unauthenticated');
});

test('the max_body setting is honoured', async () => {
  const small = await startServer({ settings: { max_body: 2048 } });
  try {
    const big = JSON.stringify({ login: 'a', password: 'p'.repeat(3000) });
    apiError(await login(small.url, big), 413, 'too_large');
    // Chunked (no Content-Length): found while reading.
    const bytes = 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
      big.length.toString(16) + '\r\n' + big + '\r\n0\r\n\r\n';
    assert.equal(parseRaw(await raw(small.port, bytes)).status, 413);
    const ok = JSON.stringify({ login: 'a', password: 'p'.repeat(1000) });
    apiError(await login(small.url, ok), 401, 'unauthenticated');
  } finally {
    await small.stop();
  }
});

test('bad JSON is 400 invalid_json with line and column', async () => {
  const e = apiError(await login(srv.url, '{"login": "a",\n "password": }'), 400, 'invalid_json');
  assert.match(e.message, /line 2/);
  assert.match(e.message, /column \d+/);
  apiError(await login(srv.url, '{"login": "a"'), 400, 'invalid_json');
  apiError(await login(srv.url, '{"login": "a", "password": "b"} trailing'), 400, 'invalid_json');
});

test('JSON nested 1000 deep is 400', async () => {
  const deep = '{"login":' + '['.repeat(1000) + ']'.repeat(1000) + ',"password":"x"}';
  apiError(await login(srv.url, deep), 400, 'invalid_json');
  // Brackets inside strings do not count as depth.
  const r = await login(srv.url, JSON.stringify({ login: '['.repeat(60), password: 'x' }));
  apiError(r, 401, 'unauthenticated');
});

test('invalid UTF-8 in a JSON body is 400 invalid_utf8', async () => {
  const body = Buffer.concat([Buffer.from('{"login":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('","password":"b"}')]);
  apiError(await login(srv.url, body), 400, 'invalid_utf8');
  // An overlong encoding of "/" and a lone surrogate are not UTF-8 either.
  const overlong = Buffer.concat([Buffer.from('{"login":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('","password":"b"}')]);
  apiError(await login(srv.url, overlong), 400, 'invalid_utf8');
  const surrogate = Buffer.concat([Buffer.from('{"login":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","password":"b"}')]);
  apiError(await login(srv.url, surrogate), 400, 'invalid_utf8');
});

test('JSON that is not an object is 400', async () => {
  for (const b of ['[1,2]', '"text"', '42', 'null', 'true'])
    apiError(await login(srv.url, b), 400, 'invalid_json');
  const e = apiError(await login(srv.url, '[{"login":"a","password":"b"}]'), 400, 'invalid_json');
  assert.match(e.message, /object/);
});

test('duplicate keys are 400', async () => {
  apiError(await login(srv.url, '{"login":"a","login":"b","password":"c"}'), 400, 'invalid_json');
});

test('an unknown field is 400 unknown_field naming it', async () => {
  apiError(await login(srv.url, JSON.stringify({ login: 'a', password: 'b', pasword: 'c' })), 400, 'unknown_field', 'pasword');
});

test('a field of the wrong type is 400 naming the field', async () => {
  apiError(await login(srv.url, JSON.stringify({ login: 5, password: 'b' })), 400, 'invalid', 'login');
  apiError(await login(srv.url, JSON.stringify({ login: 'a', password: ['b'] })), 400, 'invalid', 'password');
  apiError(await login(srv.url, JSON.stringify({ login: 'a', password: { x: 1 } })), 400, 'invalid', 'password');
  apiError(await login(srv.url, JSON.stringify({ login: 'a'.repeat(65), password: 'b' })), 400, 'invalid', 'login');
  // A NUL inside a string is refused (by the parser or the validator).
  apiError(await login(srv.url, JSON.stringify({ login: 'a\u0000b', password: 'b' })), 400);
});

test('a missing required field is 400 required naming the field', async () => {
  apiError(await login(srv.url, JSON.stringify({ login: 'a' })), 400, 'required', 'password');
  apiError(await login(srv.url, JSON.stringify({ password: 'a' })), 400, 'required', 'login');
  apiError(await login(srv.url, JSON.stringify({ login: null, password: 'a' })), 400, 'required', 'login');
  apiError(await login(srv.url, '{}'), 400, 'required', 'login');
  apiError(await login(srv.url, ''), 400, 'required', 'login');
});

test('an unsupported Content-Type is 415', async () => {
  const body = JSON.stringify({ login: 'a', password: 'b' });
  apiError(await login(srv.url, body, 'text/plain'), 415, 'unsupported_media_type');
  apiError(await login(srv.url, body, 'application/xml'), 415, 'unsupported_media_type');
  apiError(await login(srv.url, body, 'multipart/form-data; boundary=x'), 415, 'unsupported_media_type');
});

test('an unknown route is 404 with a JSON body', async () => {
  for (const p of ['/api/v1/nope', '/api/v2/me', '/api/v1/me/extra', '/api/v1/tokens/']) {
    const r = await req(srv.url, 'GET', p);
    apiError(r, 404, 'not_found');
    assert.match(r.headers.get('content-type'), /^application\/json/);
  }
});

test('a wrong method is 405 with an Allow header', async () => {
  const r = await req(srv.url, 'DELETE', '/healthz');
  apiError(r, 405, 'method_not_allowed');
  const allow = r.headers.get('allow').split(/,\s*/);
  assert.ok(allow.includes('GET') && allow.includes('HEAD'), 'Allow: ' + allow);
  assert.ok(!allow.includes('DELETE'));
  const r2 = await req(srv.url, 'PUT', '/api/v1/me', { body: '{}', headers: { 'content-type': 'application/json' } });
  apiError(r2, 405, 'method_not_allowed');
  const allow2 = r2.headers.get('allow').split(/,\s*/);
  assert.ok(allow2.includes('GET') && allow2.includes('PATCH'), 'Allow: ' + allow2);
  const r3 = await req(srv.url, 'GET', '/api/v1/auth/login');
  apiError(r3, 405);
  assert.deepEqual(r3.headers.get('allow').split(/,\s*/), ['POST']);
});

test('an unknown method (BREW) is 4xx', async () => {
  const r = parseRaw(await raw(srv.port, 'BREW /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
  assert.ok(r.status >= 400 && r.status < 500, 'status ' + r.status);
  assert.equal(JSON.parse(r.body).error.code, 'method_not_allowed');
});

test('path traversal is refused and never shows a file', async () => {
  const tries = [
    '/static/../../etc/passwd', '/static/..%2f..%2fetc%2fpasswd', '/static/%2e%2e/x',
    '/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/static/..\\..\\etc\\passwd', '/static/..%5c..%5cetc%5cpasswd',
    '/static/%2e%2e', '/static/./reach.css/..', '/static//etc/passwd', '/static/%00reach.css',
    '/../../../etc/passwd',
  ];
  for (const p of tries) {
    const text = await raw(srv.port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    const r = parseRaw(text);
    assert.ok(r.status === 400 || r.status === 404, `${p}: status ${r.status}`);
    assert.ok(!/root:.*:0:0:/.test(r.body), `${p}: leaked /etc/passwd`);
    assert.ok(r.body.startsWith('{"error":'), `${p}: a JSON error: ${r.body.slice(0, 80)}`);
  }
});

test('garbage request lines get a 4xx or a closed connection, never 5xx or a hang', async () => {
  // Lines with a method, a target and a version libmicrohttpd can split:
  // it or the server answers 400.
  for (const line of ['GET / FOO', 'G E T / HTTP/1.1', 'GET  HTTP/1.1']) {
    const text = await raw(srv.port, line + '\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    const r = parseRaw(text);
    assert.equal(r.status, 400, `${JSON.stringify(line)}: ${text.slice(0, 60)}`);
  }
  // A header line without a colon.
  assert.equal(parseRaw(await raw(srv.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n')).status, 400);
  // A line with nothing to split: libmicrohttpd closes the connection at
  // once without an answer. Either way, no 5xx and no hang.
  for (const line of ['garbage', 'GET', '\u0016\u0003\u0001']) {
    const t0 = Date.now();
    const text = await raw(srv.port, line + '\r\n\r\n', { timeout: 4000 });
    const r = parseRaw(text);
    assert.ok(Date.now() - t0 < 3000, `${JSON.stringify(line)}: hung`);
    assert.ok(text === '' || (r.status >= 400 && r.status < 500), `${JSON.stringify(line)}: ${text.slice(0, 60)}`);
  }
});

test('an unsupported HTTP version is refused (not 5xx from the application)', async () => {
  const r = parseRaw(await raw(srv.port, 'GET /healthz HTTP/2.7\r\nHost: 127.0.0.1\r\n\r\n'));
  assert.ok(r.status === 505 || (r.status >= 400 && r.status < 500), 'status ' + r.status);
});

test('invalid UTF-8 in the path is 400', async () => {
  const bytes = Buffer.concat([Buffer.from('GET /api/v1/'), Buffer.from([0xff, 0xfe]),
    Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')]);
  const r = parseRaw(await raw(srv.port, bytes));
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.body).error.code, 'bad_path');
  const r2 = await req(srv.url, 'GET', '/static/%ff%fe.css');
  apiError(r2, 400, 'bad_path');
});

test('a %00 in the path is 400, never read as a shorter path', async () => {
  for (const p of ['/healthz%00', '/static/reach.css%00.png', '/api/v1/users/%00', '/healthz%00/x']) {
    const r = parseRaw(await raw(srv.port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    assert.equal(r.status, 400, `${p}: ${r.status}`);
    assert.equal(JSON.parse(r.body).error.code, 'bad_path', p);
  }
});

test('media types are matched whole and without regard to case', async () => {
  const body = JSON.stringify({ login: 'nobody', password: 'wrong-password' });
  for (const ct of ['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json;charset=UTF-8'])
    apiError(await login(srv.url, body, ct), 401, 'unauthenticated');
  for (const ct of ['application/jsonx', 'application/json-patch+json', 'application/x-www-form-urlencodedx'])
    apiError(await login(srv.url, body, ct), 415, 'unsupported_media_type');
  const form = 'login=nobody&password=wrong-password';
  apiError(await login(srv.url, form, 'application/x-www-form-urlencoded; charset=UTF-8'), 401, 'unauthenticated');
  apiError(await login(srv.url, form, 'Application/X-WWW-Form-Urlencoded'), 401, 'unauthenticated');
});

test('invalid UTF-8 in a query string is 400', async () => {
  const admin = await req(srv.url, 'POST', '/api/v1/auth/login', {
    body: JSON.stringify({ login: 'admin', password: 'admin-password-123' }),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(admin.status, 200);
  const cookie = admin.headers.getSetCookie()[0].split(';')[0];
  const r = await req(srv.url, 'GET', '/api/v1/users?cursor=%ff', { headers: { cookie } });
  apiError(r, 400, 'invalid_utf8');
  // A %00 in a query value is refused too, not cut short.
  apiError(await req(srv.url, 'GET', '/api/v1/users?limit=3%00abc', { headers: { cookie } }), 400);
  apiError(await req(srv.url, 'GET', '/api/v1/users?cursor=%00', { headers: { cookie } }), 400);
});

test('a Content-Length that is not a number is refused', async () => {
  const r = parseRaw(await raw(srv.port, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    'Content-Type: application/json\r\nContent-Length: 12abc\r\nConnection: close\r\n\r\n{}'));
  assert.ok(r.status >= 400 && r.status < 500, 'status ' + r.status);
});

// Opens a connection that sends half a request and then waits; resolves
// {sock, closed} where closed resolves with the ms it stayed open.
async function halfOpen(port) {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  const t0 = Date.now();
  const closed = new Promise(res => sock.on('close', () => res(Date.now() - t0)));
  await new Promise(res => sock.on('connect', res));
  sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
  return { sock, closed };
}

test('connections per address are limited (per_ip_connections)', async () => {
  const s = await startServer({ settings: { per_ip_connections: 4 } });
  const socks = [];
  try {
    // The limit counts every connection from 127.0.0.1, this process's
    // pooled keep-alive ones too: one of five half-open ones is refused.
    for (let i = 0; i < 5; i++) socks.push(await halfOpen(s.port));
    const early = await Promise.race([
      Promise.any(socks.map(x => x.closed)),
      new Promise(res => setTimeout(() => res(null), 1500)),
    ]);
    assert.ok(early !== null && early < 1000, 'a connection over the limit is closed at once');
  } finally {
    for (const x of socks) x.sock.destroy();
  }
  try {
    await new Promise(res => setTimeout(res, 100));
    const r = parseRaw(await raw(s.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
    assert.equal(r.status, 200, 'served again once they are gone');
  } finally {
    await s.stop();
  }
});

test('a connection that stalls mid-request is closed after conn_timeout (slowloris)', async () => {
  const s = await startServer({ settings: { conn_timeout: 1 } });
  try {
    const { sock, closed } = await halfOpen(s.port);
    const ms = await Promise.race([closed, new Promise(res => setTimeout(() => res(null), 4000))]);
    sock.destroy();
    assert.ok(ms !== null, 'the stalled connection was closed');
    assert.ok(ms >= 900 && ms < 3500, `closed after ${ms} ms`);
    // (fetch's pooled connection was timed out too: ask on a new one.)
    const r = parseRaw(await raw(s.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
    assert.equal(r.status, 200);
  } finally {
    await s.stop();
  }
});

test('after all that the server is alive and answers normally', async () => {
  const r = await req(srv.url, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok' });
  assert.equal(srv.proc.exitCode, null, 'still running');
  const m = await (await fetch(srv.url + '/metrics')).text();
  assert.ok(!/status="5\d\d"/.test(m), 'no 5xx counted: ' + (m.match(/.*status="5\d\d".*/g) || []).join('; '));
});

try {
  srv = await startServer();
  process.exitCode = await run();
} finally {
  if (srv) await srv.stop();
}
