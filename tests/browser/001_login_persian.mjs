// In a real browser (Debian's chromium, driven by playwright-core): sign
// in, switch to Persian, check the page is right-to-left with today's date
// in the Solar Hijri calendar and Persian digits, visit the account page,
// and sign out. Screenshots go to tests/out/ for a person to look at.
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';
import { test, run, assert } from '../lib/harness.mjs';
import { startServer, ADMIN } from '../lib/server.mjs';

const OUT = resolve(import.meta.dirname, '../out');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'];

const srv = await startServer();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
const cspErrors = [];
page.on('console', m => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });

test('an anonymous visitor is sent to the sign-in page, in English', async () => {
  await page.goto(srv.url + '/');
  assert.match(page.url(), /\/login/);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  await page.screenshot({ path: `${OUT}/browser-login-en.png`, fullPage: true });
});

test('a wrong password is refused with a message on the page', async () => {
  await page.fill('#login', ADMIN.login);
  await page.fill('#password', 'not-the-password');
  await Promise.all([page.waitForLoadState(), page.click('form[action="/login"] button[type=submit]')]);
  assert.match(await page.textContent('[role=alert]'), /Wrong login or password/);
});

test('signing in shows the user name and the home page', async () => {
  await page.fill('#login', ADMIN.login);
  await page.fill('#password', ADMIN.password);
  await Promise.all([page.waitForURL(srv.url + '/'), page.click('form[action="/login"] button[type=submit]')]);
  assert.match(await page.textContent('header'), /Test Admin/);
});

test('switching to Persian makes the page right-to-left with a Solar Hijri date', async () => {
  await Promise.all([page.waitForLoadState(), page.click('form[action="/lang"] button[value=fa]')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'fa');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  // The browser lays the page out right to left.
  const dir = await page.evaluate(() => getComputedStyle(document.body).direction);
  assert.equal(dir, 'rtl');
  const shown = (await page.textContent('footer time')).trim();
  // What today is in the Persian calendar, as V8's own ICU says it.
  const today = new Date(await page.getAttribute('footer time', 'datetime') + 'T12:00:00Z');
  const year = new Intl.DateTimeFormat('fa-IR-u-ca-persian', { year: 'numeric', timeZone: 'UTC' }).format(today);
  const month = new Intl.DateTimeFormat('fa-IR-u-ca-persian', { month: 'long', timeZone: 'UTC' }).format(today);
  assert.ok(/[۰-۹]/.test(shown), `Persian digits in "${shown}"`);
  assert.ok(!/[0-9]/.test(shown), `no Latin digits in "${shown}"`);
  assert.ok(shown.includes(year.replace(/[^۰-۹]/g, '')), `Solar Hijri year ${year} in "${shown}"`);
  assert.ok(shown.includes(month), `month ${month} in "${shown}"`);
  assert.notEqual(await page.textContent('form[action="/logout"] button'), 'Sign out');
  await page.screenshot({ path: `${OUT}/browser-home-fa.png`, fullPage: true });
});

test('the choice is kept in the account and on the account page', async () => {
  await page.goto(srv.url + '/account');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await page.screenshot({ path: `${OUT}/browser-account-fa.png`, fullPage: true });
});

test('the administrator pages render in Persian', async () => {
  await page.goto(srv.url + '/admin/audit');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.ok(await page.locator('table').count() > 0);
  await page.screenshot({ path: `${OUT}/browser-audit-fa.png`, fullPage: true });
});

test('a narrow phone screen shows the page without sideways scrolling', async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(srv.url + '/account');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: `${OUT}/browser-account-fa-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('signing out ends the session', async () => {
  await Promise.all([page.waitForURL(/\/login/), page.click('form[action="/logout"] button')]);
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert.equal(me, 401);
  await page.goto(srv.url + '/account');
  assert.match(page.url(), /\/login/);
});

test('no page broke the Content Security Policy', async () => {
  assert.deepEqual(cspErrors, []);
});

try {
  process.exitCode = await run();
} finally {
  await browser.close();
  await srv.stop();
}
