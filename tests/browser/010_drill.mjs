// In a real browser: sign in, open the region tree, drill down from the
// country to a province, a district and a village and into a school, in
// English and then in Persian (right to left), checking on every level
// the breadcrumb, the charts (SVG with a title, bars and a table of the
// numbers) and the dot map (SVG whose dot layers are drawn). Screenshots
// go to tests/out/ for a person to look at.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { test, run, assert } from '../lib/harness.mjs';
import { startServer, Client, ADMIN } from '../lib/server.mjs';

const OUT = resolve(import.meta.dirname, '../out');
const TREE = resolve(import.meta.dirname, '../http/300_region_tree.sql');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'];
const sleep = ms => new Promise(r => setTimeout(r, ms));

const srv = await startServer();
execFileSync('sqlite3', ['-cmd', '.timeout 5000', join(srv.data, 'reach.db')], { input: readFileSync(TREE) });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
const page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } })).newPage();
const problems = [];
page.on('console', m => { if (/Content Security Policy|error/i.test(m.text())) problems.push(m.text()); });

// The figures are made by the refresh job; run it the way an operator would.
async function refresh() {
  const c = new Client(srv.url);
  assert.equal((await c.login(ADMIN.login, ADMIN.password)).status, 200);
  const r = await c.req('POST', '/api/v1/dashboards/refresh');
  assert.equal(r.status, 202, r.text);
  for (let i = 0; i < 400; i++) {
    const j = await c.req('GET', `/api/v1/jobs/${r.json.id}`);
    if (j.json.state === 'done') return;
    assert.notEqual(j.json.state, 'failed', j.text);
    await sleep(25);
  }
  throw new Error('the refresh did not finish');
}

// What every region page must show: breadcrumb, charts, map.
async function checkRegion(code, { map = true } = {}) {
  assert.match(page.url(), new RegExp(`/regions/${code}$`));
  const crumbs = await page.locator('nav.crumbs li').count();
  assert.equal(crumbs, code.split('-').length + 1, 'Regions, each ancestor, and the region itself');
  assert.equal(await page.locator('nav.crumbs [aria-current=page]').count(), 1);
  const charts = page.locator('figure.chart svg[role=img]');
  assert.equal(await charts.count(), 4, 'four charts');
  for (let i = 0; i < 4; i++) {
    const svg = charts.nth(i);
    const labelled = await svg.getAttribute('aria-labelledby');
    for (const id of labelled.split(' ')) assert.equal(await page.locator(`[id="${id}"]`).count(), 1, id);
    assert.ok(await svg.locator('title').count() === 1, 'a title');
    assert.ok(await svg.locator('rect.bar').count() >= 4, 'bars');
    const box = await svg.boundingBox();
    assert.ok(box.width > 200 && box.height > 50, `chart ${i} is drawn (${box.width}x${box.height})`);
  }
  assert.equal(await page.locator('figure.chart .vh table').count(), 4, 'the numbers in tables too');
  if (map) {
    const dots = page.locator('figure.map svg[role=img] path[class^="k-"]');
    assert.equal(await dots.count(), 6, 'one layer of dots for each kind of connection');
    const drawn = await page.$$eval('figure.map svg path[class^="k-"]',
      ps => ps.reduce((n, p) => n + (p.getAttribute('d').match(/h0/g) || []).length, 0));
    assert.ok(drawn > 0, 'dots on the map');
    const box = await page.locator('figure.map svg').boundingBox();
    assert.ok(box.width > 300 && box.height > 100, `the map is drawn (${box.width}x${box.height})`);
  }
}

async function go(link) {
  await Promise.all([page.waitForLoadState(), link.click()]);
}

let schoolHref;

test('signing in and opening the region tree lands on the country', async () => {
  await refresh();
  await page.goto(srv.url + '/login?back=/regions');
  await page.fill('#login', ADMIN.login);
  await page.fill('#password', ADMIN.password);
  await Promise.all([page.waitForURL(/\/regions\/XC$/), page.click('form[action="/login"] button[type=submit]')]);
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  await checkRegion('XC');
  assert.match(await page.textContent('h1'), /Xcountry/);
  assert.match(await page.textContent('#children'), /Provinces/);
  // Labels and bars start on the left in English.
  const svg = page.locator('#chart-kinds svg');
  const box = await svg.boundingBox();
  const label = await svg.locator('text.lbl').first().boundingBox();
  const bar = await svg.locator('rect.bar').first().boundingBox();
  assert.ok(Math.abs(label.x - box.x) < 3 && Math.abs(bar.x - box.x) < 2, 'labels and bars start on the left');
  await page.screenshot({ path: `${OUT}/browser-region-country-en.png`, fullPage: true });
});

test('drilling down: province, district, village (English)', async () => {
  await go(page.locator('table.figs a[href="/regions/XC-01"]'));
  await checkRegion('XC-01');
  await page.screenshot({ path: `${OUT}/browser-region-province-en.png`, fullPage: true });
  await go(page.locator('table.figs a[href="/regions/XC-01-02"]'));
  await checkRegion('XC-01-02');
  assert.ok(await page.locator('#schools').count() === 1, 'a district lists its schools');
  await go(page.locator('table.figs a[href="/regions/XC-01-02-001"]'));
  await checkRegion('XC-01-02-001');
  assert.equal(await page.locator('#children').count(), 0, 'a village has no children');
  const schools = page.locator('h2#schools + div table a[href^="/schools/"]');
  assert.equal(await schools.count(), 3, 'the village lists its three schools');
  schoolHref = await schools.first().getAttribute('href');
  await page.screenshot({ path: `${OUT}/browser-region-village-en.png`, fullPage: true });
  // The breadcrumb leads back up.
  await go(page.locator('nav.crumbs a[href="/regions/XC-01"]'));
  await checkRegion('XC-01');
});

test('from the village into a school (the registry\'s page)', async () => {
  await page.goto(srv.url + '/regions/XC-01-02-001');
  const [resp] = await Promise.all([page.waitForNavigation(), page.click(`a[href="${schoolHref}"]`)]);
  assert.match(page.url(), /\/schools\/[0-9a-f-]{36}$/);
  // The school page belongs to the registry module; until it is there the
  // link is still right and the answer is a clean 404, never a 5xx.
  assert.ok(resp.status() === 200 || resp.status() === 404, `status ${resp.status()}`);
  if (resp.status() === 200) assert.match(await page.textContent('h1'), /School/);
  else console.log('# note: /schools/:id answered 404 (the registry page is not there yet)');
  await page.screenshot({ path: `${OUT}/browser-school-en.png`, fullPage: true });
});

test('in Persian the pages are right to left, with Persian digits, and the charts mirror', async () => {
  await page.goto(srv.url + '/regions/XC');
  await Promise.all([page.waitForLoadState(), page.click('form[action="/lang"] button[value=fa]')]);
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await checkRegion('XC');
  assert.match(await page.textContent('h1'), /کشور نمونه/);
  const kpi = (await page.textContent('.kpis dd')).trim();
  assert.ok(/^[۰-۹٬]+$/.test(kpi), `Persian digits in "${kpi}"`);
  // Labels and bars start on the right, and bars grow leftwards.
  const svg = page.locator('#chart-kinds svg');
  const box = await svg.boundingBox();
  const right = box.x + box.width;
  const label = await svg.locator('text.lbl').first().boundingBox();
  const bar = await svg.locator('rect.bar').first().boundingBox();
  assert.ok(Math.abs(label.x + label.width - right) < 3, `the label ends at the right edge (${label.x + label.width} vs ${right})`);
  assert.ok(Math.abs(bar.x + bar.width - right) < 2, 'the bar starts at the right edge');
  assert.ok(bar.x > box.x + 1, 'and grows leftwards');
  await page.screenshot({ path: `${OUT}/browser-region-country-fa.png`, fullPage: true });
});

test('drilling down in Persian to a village and a school', async () => {
  await go(page.locator('table.figs a[href="/regions/XC-02"]'));
  await checkRegion('XC-02');
  await page.screenshot({ path: `${OUT}/browser-region-province-fa.png`, fullPage: true });
  await go(page.locator('table.figs a[href="/regions/XC-02-01"]'));
  await checkRegion('XC-02-01');
  await go(page.locator('table.figs a[href="/regions/XC-02-01-001"]'));
  await checkRegion('XC-02-01-001');
  assert.match(await page.textContent('figure.map'), /مختصات/, 'the school without coordinates is mentioned');
  await page.screenshot({ path: `${OUT}/browser-region-village-fa.png`, fullPage: true });
  const school = page.locator('h2#schools + div table a[href^="/schools/"]').first();
  const [resp] = await Promise.all([page.waitForNavigation(), school.click()]);
  assert.ok(resp.status() === 200 || resp.status() === 404, `status ${resp.status()}`);
  if (resp.status() === 200) assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
});

test('a narrow phone screen shows a dashboard without sideways scrolling', async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(srv.url + '/regions/XC-01');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: `${OUT}/browser-region-province-fa-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('no page broke the Content Security Policy or logged an error', async () => {
  assert.deepEqual(problems.filter(p => !/404/.test(p)), []);
});

try {
  process.exitCode = await run();
} finally {
  await browser.close();
  await srv.stop();
}
