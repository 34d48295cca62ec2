// Static files (ETag, 304, a year's cache for fingerprinted URLs), gzip
// for text answers, and the OpenAPI document kept in step with the route
// table in src/routes.c.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test, run, assert } from '../lib/harness.mjs';
import { startServer } from '../lib/server.mjs';

const ROUTES_C = resolve(import.meta.dirname, '../../src/routes.c');

// A GET that leaves the body as sent (fetch would gunzip it).
function get(port, path, headers = {}) {
  return new Promise((res, rej) => {
    const rq = http.request({ host: '127.0.0.1', port, path, headers, agent: false }, r => {
      const parts = [];
      r.on('data', d => parts.push(d));
      r.on('end', () => res({ status: r.statusCode, headers: r.headers, body: Buffer.concat(parts) }));
    });
    rq.on('error', rej);
    rq.end();
  });
}

let srv, cssUrl;

test('the page links the stylesheet with its fingerprint', async () => {
  const html = await (await fetch(srv.url + '/login')).text();
  const m = /<link rel="stylesheet" href="(\/static\/reach\.css\?v=([0-9a-f]{16}))"/.exec(html);
  assert.ok(m, 'a fingerprinted stylesheet link');
  cssUrl = m[1];
  const plain = await get(srv.port, '/static/reach.css');
  assert.equal(plain.headers.etag, `"${m[2]}"`, 'the fingerprint is the ETag');
});

test('a static file has an ETag and must be revalidated without the fingerprint', async () => {
  const r = await get(srv.port, '/static/reach.css');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/css/);
  assert.match(r.headers.etag, /^"[0-9a-f]{16}"$/);
  assert.match(r.headers['cache-control'], /max-age=0/);
  assert.doesNotMatch(r.headers['cache-control'], /immutable/);
  assert.ok(r.body.length > 100);
  assert.equal(Number(r.headers['content-length']), r.body.length);
});

test('with ?v=fingerprint it is cached for a year, immutable', async () => {
  const r = await get(srv.port, cssUrl);
  assert.equal(r.status, 200);
  const cc = r.headers['cache-control'];
  assert.match(cc, /max-age=31536000/);
  assert.match(cc, /immutable/);
  assert.match(cc, /public/);
  const stale = await get(srv.port, '/static/reach.css?v=0000000000000000');
  assert.equal(stale.status, 200);
  assert.doesNotMatch(stale.headers['cache-control'], /immutable/, 'a wrong fingerprint is not cached for a year');
});

test('If-None-Match with the ETag is 304 with no body', async () => {
  const first = await get(srv.port, '/static/reach.css');
  const r = await get(srv.port, '/static/reach.css', { 'if-none-match': first.headers.etag });
  assert.equal(r.status, 304);
  assert.equal(r.body.length, 0);
  assert.equal(r.headers.etag, first.headers.etag);
  const other = await get(srv.port, '/static/reach.css', { 'if-none-match': '"0000000000000000"' });
  assert.equal(other.status, 200);
  assert.equal(other.body.length, first.body.length);
});

test('a static file that does not exist is 404', async () => {
  for (const p of ['/static/nonexistent.css', '/static/reach.css.bak', '/static/REACH.CSS', '/static/']) {
    const r = await get(srv.port, p);
    assert.equal(r.status, 404, p);
    assert.equal(JSON.parse(r.body).error.code, 'not_found', p);
  }
});

test('gzip: CSS comes compressed when asked and unpacks to the same bytes', async () => {
  const plain = await get(srv.port, '/static/reach.css');
  assert.equal(plain.headers['content-encoding'], undefined, 'not compressed unless asked');
  const gz = await get(srv.port, '/static/reach.css', { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.match(gz.headers.vary || '', /Accept-Encoding/i);
  assert.ok(gz.body.length < plain.body.length, 'smaller');
  assert.deepEqual(gunzipSync(gz.body), plain.body);
  assert.equal(gz.headers.etag, plain.headers.etag);
});

test('gzip: a large JSON answer is compressed; a tiny one is not; q=0 is respected', async () => {
  const plain = await get(srv.port, '/api/v1/openapi.json');
  assert.equal(plain.status, 200);
  assert.ok(plain.body.length > 2000, 'the document is large');
  assert.equal(plain.headers['content-encoding'], undefined);
  const gz = await get(srv.port, '/api/v1/openapi.json', { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gz.body.length < plain.body.length / 2, `compressed ${gz.body.length} of ${plain.body.length}`);
  assert.deepEqual(gunzipSync(gz.body), plain.body);
  assert.equal(Number(gz.headers['content-length']), gz.body.length);
  const tiny = await get(srv.port, '/healthz', { 'accept-encoding': 'gzip' });
  assert.equal(tiny.headers['content-encoding'], undefined, 'tiny answers are sent as they are');
  assert.equal(tiny.body.toString(), '{"status":"ok"}');
  const refused = await get(srv.port, '/api/v1/openapi.json', { 'accept-encoding': 'gzip;q=0' });
  assert.equal(refused.headers['content-encoding'], undefined);
  const html = await get(srv.port, '/login', { 'accept-encoding': 'gzip' });
  if (html.headers['content-encoding'] === 'gzip')
    assert.match(gunzipSync(html.body).toString(), /<html/);
});

// The route table, read from the source: [{method, path, flags}].
function routeTable() {
  const src = readFileSync(ROUTES_C, 'utf8');
  const re = /\{\s*(GET|POST|M_PATCH|M_DELETE|M_PUT),\s*"([^"]+)",\s*\w+,\s*ACT_\w+,\s*([^,]+),/g;
  const names = { GET: 'get', POST: 'post', M_PATCH: 'patch', M_DELETE: 'delete', M_PUT: 'put' };
  const out = [];
  for (const m of src.matchAll(re))
    out.push({ method: names[m[1]], path: m[2], flags: m[3].trim() });
  return out;
}

test('OpenAPI: the document is JSON, version 3.1.0, with info and an error schema', async () => {
  const r = await fetch(srv.url + '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  const doc = await r.json();
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(typeof doc.info.title, 'string');
  assert.equal(typeof doc.info.version, 'string');
  const err = doc.components.schemas.Error;
  assert.deepEqual(err.required, ['error']);
  assert.deepEqual(err.properties.error.required, ['code', 'message']);
  assert.ok(doc.components.securitySchemes.bearer && doc.components.securitySchemes.session);
});

test('OpenAPI: every API route of src/routes.c is in the document, and nothing else', async () => {
  const doc = await (await fetch(srv.url + '/api/v1/openapi.json')).json();
  const table = routeTable();
  assert.ok(table.length >= 20, `parsed ${table.length} routes from routes.c`);
  const want = new Set();
  for (const rt of table) {
    if (/\bR_HTML\b|\bR_NOAPI\b/.test(rt.flags)) continue;
    const key = rt.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    want.add(`${rt.method} ${key}`);
    assert.ok(doc.paths[key], `path ${key} (${rt.method}) is in the document`);
    assert.ok(doc.paths[key][rt.method], `${rt.method.toUpperCase()} ${key} is in the document`);
  }
  const have = new Set();
  const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  for (const [p, item] of Object.entries(doc.paths))
    for (const m of Object.keys(item)) {
      assert.ok(methods.includes(m), `${p}: ${m} is a method`);
      have.add(`${m} ${p}`);
    }
  for (const k of have) assert.ok(want.has(k), `${k} is in the document but not in the route table`);
  assert.equal(have.size, want.size);
  // Pages are not API.
  assert.ok(!doc.paths['/login'] && !doc.paths['/admin/users'] && !doc.paths['/static/{file}']);
});

test('OpenAPI: operations are well formed (ids, path parameters, security)', async () => {
  const doc = await (await fetch(srv.url + '/api/v1/openapi.json')).json();
  const ids = new Set();
  for (const [p, item] of Object.entries(doc.paths))
    for (const [m, op] of Object.entries(item)) {
      assert.ok(op.operationId && !ids.has(op.operationId), `${m} ${p}: unique operationId`);
      ids.add(op.operationId);
      assert.ok(op.responses && op.responses.default, `${m} ${p}: responses`);
      const inPath = [...p.matchAll(/\{(\w+)\}/g)].map(x => x[1]);
      const declared = (op.parameters || []).filter(x => x.in === 'path').map(x => x.name);
      assert.deepEqual(declared, inPath, `${m} ${p}: path parameters`);
    }
  assert.ok(doc.paths['/api/v1/me'].get.security, 'signed-in routes say how to sign in');
  assert.equal(doc.paths['/healthz'].get.security, undefined, 'public routes need nothing');
});

test('OpenAPI: POST /api/v1/users has a request body schema with its required fields', async () => {
  const doc = await (await fetch(srv.url + '/api/v1/openapi.json')).json();
  const op = doc.paths['/api/v1/users'].post;
  const schema = op.requestBody.content['application/json'].schema;
  assert.equal(schema.type, 'object');
  assert.equal(schema.additionalProperties, false, 'unknown fields are refused, and the document says so');
  for (const f of ['login', 'display_name', 'role', 'password']) assert.ok(schema.required.includes(f), `${f} required`);
  for (const f of ['scope', 'lang']) assert.ok(!schema.required.includes(f), `${f} optional`);
  assert.deepEqual(Object.keys(schema.properties).sort(), ['display_name', 'lang', 'login', 'password', 'role', 'scope']);
  assert.ok(schema.properties.role.enum.includes('district_officer'));
  assert.equal(schema.properties.role.enum.length, 11);
  assert.equal(schema.properties.login.maxLength, 64);
  // Query routes describe their query parameters instead of a body.
  const list = doc.paths['/api/v1/users'].get;
  assert.equal(list.requestBody, undefined);
  const q = Object.fromEntries(list.parameters.filter(x => x.in === 'query').map(x => [x.name, x.schema]));
  assert.equal(q.limit.type, 'integer');
  assert.equal(q.limit.minimum, 1);
  assert.equal(q.cursor.type, 'string');
  // Login's body, as the issue describes it.
  const login = doc.paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema;
  assert.deepEqual(login.required, ['login', 'password']);
});

try {
  srv = await startServer();
  process.exitCode = await run();
} finally {
  if (srv) await srv.stop();
}
