// Starts a Reach server for a test: a fresh data directory, an
// administrator with a known password, a random loopback port. Argon2id
// runs with a small memory cost here so the suite stays fast; the cost is
// a setting (password_memlimit), not a different code path.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';

export const BUILD = process.env.REACH_BUILD || resolve(import.meta.dirname, '../../build');
export const BIN = join(BUILD, 'reach');
export const ADMIN = { login: 'admin', password: 'admin-password-123' };

const FAST = { REACH_PASSWORD_MEMLIMIT: '65536', REACH_PASSWORD_OPSLIMIT: '1' };

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
    s.on('error', rej);
  });
}

// Runs `reach ARGS` against a data directory and returns {status, stdout, stderr}.
export function cli(data, args, input, env = {}) {
  const r = spawnSync(BIN, ['--data', data, ...args], {
    input, encoding: 'utf8', env: { ...process.env, ...FAST, ...env }, timeout: 60000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export async function startServer({ settings = {}, users = [] } = {}) {
  const data = mkdtempSync(join(tmpdir(), 'reach-test-'));
  const pw = join(data, '.pw');
  writeFileSync(pw, ADMIN.password + '\n');
  let r = cli(data, ['user', 'add', ADMIN.login, '--role', 'admin', '--name', 'Test Admin', '--password-file', pw]);
  if (r.status !== 0) throw new Error('user add failed: ' + r.stderr);
  for (const u of users) {
    writeFileSync(pw, u.password + '\n');
    const args = ['user', 'add', u.login, '--role', u.role, '--password-file', pw];
    if (u.scope) args.push('--scope', u.scope);
    r = cli(data, args);
    if (r.status !== 0) throw new Error(`user add ${u.login} failed: ` + r.stderr);
  }
  const port = await freePort();
  const env = { ...process.env, ...FAST };
  for (const [k, v] of Object.entries(settings)) env['REACH_' + k.toUpperCase()] = String(v);
  const proc = spawn(BIN, ['--data', data, 'serve', '--listen', `127.0.0.1:${port}`, '--threads', '2'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', d => { log += d; });
  proc.stderr.on('data', d => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { const res = await fetch(url + '/healthz'); if (res.ok) break; } catch { /* not yet */ }
    if (proc.exitCode !== null) throw new Error('server exited: ' + log);
    await new Promise(r2 => setTimeout(r2, 25));
  }
  const exited = new Promise(res => proc.on('exit', (code, sig) => res({ code, sig })));
  return {
    url, port, data, proc, exited,
    log: () => log,
    async stop() {
      if (proc.exitCode === null) { proc.kill('SIGTERM'); await exited; }
      rmSync(data, { recursive: true, force: true });
    },
  };
}

// Sends raw bytes on a fresh connection and returns the whole answer as
// text (for requests fetch() refuses to make).
export function raw(port, bytes, { timeout = 5000 } = {}) {
  return new Promise((res, rej) => {
    const s = net.connect(port, '127.0.0.1');
    let out = Buffer.alloc(0);
    const t = setTimeout(() => { s.destroy(); res(out.toString('latin1')); }, timeout);
    s.on('data', d => { out = Buffer.concat([out, d]); });
    s.on('end', () => { clearTimeout(t); res(out.toString('latin1')); });
    s.on('error', e => { clearTimeout(t); if (out.length) res(out.toString('latin1')); else rej(e); });
    s.write(bytes);
  });
}

// A client that keeps the session cookie and CSRF token like a browser.
export class Client {
  constructor(url) { this.url = url; this.cookies = {}; this.csrf = null; this.bearer = null; }
  async req(method, path, { json, form, headers = {}, raw: body } = {}) {
    const h = { ...headers };
    const c = Object.entries(this.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
    if (c) h.cookie = c;
    if (this.bearer) h.authorization = 'Bearer ' + this.bearer;
    if (this.csrf && method !== 'GET' && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    let b = body;
    if (json !== undefined) { h['content-type'] = 'application/json'; b = JSON.stringify(json); }
    if (form !== undefined) { h['content-type'] = 'application/x-www-form-urlencoded'; b = new URLSearchParams(form).toString(); }
    const res = await fetch(this.url + path, { method, headers: h, body: b, redirect: 'manual' });
    for (const sc of res.headers.getSetCookie()) {
      const [kv] = sc.split(';');
      const i = kv.indexOf('=');
      const k = kv.slice(0, i), v = kv.slice(i + 1);
      if (/Max-Age=0/.test(sc)) delete this.cookies[k]; else this.cookies[k] = v;
    }
    const text = await res.text();
    let body2 = null;
    try { body2 = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, text, json: body2 };
  }
  async login(login, password) {
    const r = await this.req('POST', '/api/v1/auth/login', { json: { login, password } });
    if (r.status === 200) this.csrf = r.json.csrf;
    return r;
  }
}

// Splits a raw HTTP answer into status, lower-cased headers and body.
export function parseRaw(text) {
  const end = text.indexOf('\r\n\r\n');
  const head = (end < 0 ? text : text.slice(0, end)).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] || '');
  const headers = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: m ? Number(m[1]) : 0, headers, body: end < 0 ? '' : text.slice(end + 4) };
}
