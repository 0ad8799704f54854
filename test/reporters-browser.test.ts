/**
 * report.html opened in a real browser (Debian's Chromium driven by playwright-core): it reads like a verdict (the
 * outcome and how to reproduce it at the top, the failed and unchecked rules first and open, the rest collapsed),
 * renders every finding, fetches nothing, runs its own script only (a target whose names hold `<script>` injects
 * nothing), its filters work, and printed it drops the filters. Without /usr/bin/chromium the test skips locally with a
 * message, and fails in CI (CI=true), where .ci/install-chromium must have installed it.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderHtml, reportScript } from '../reporters/html.js';
import type { ConformanceReport } from '../reporters/report-model.js';
import { checkWrittenFiles, loadExtendedFixture, loadReportFixture, testOutputDir } from './reporters-support.js';

// Debian's Chromium; ISYM_TEST_CHROMIUM points elsewhere (e.g. to a missing file, to see the skip and the CI failure).
const chromiumPath = process.env.ISYM_TEST_CHROMIUM ?? '/usr/bin/chromium';
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const inCi = process.env.CI === 'true';
const haveChromium = existsSync(chromiumPath);

if (!haveChromium && !inCi) {
  console.warn(`reporters-browser: ${chromiumPath} is missing, so report.html is not opened in a browser here. Install it with \`apt-get install -y chromium\` (or run .ci/install-chromium).`);
}

test.runIf(inCi)('in CI, Chromium is installed (the browser tests must not skip there)', () => {
  expect(haveChromium, `${chromiumPath} is missing: .ci/run must call .ci/install-chromium`).toBe(true);
});

describe.skipIf(!haveChromium)('report.html in Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags });
    dir = await testOutputDir('browser');
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) expect(await checkWrittenFiles([dir])).toBeGreaterThan(0);
  });

  /** Writes the report's page, opens it, and records every request and CSP violation the page makes. */
  async function open(report: ConformanceReport, name: string): Promise<{ page: Page; url: string; requests: string[]; dialogs: string[] }> {
    const file = join(dir, name);
    await writeFile(file, renderHtml(report));
    const url = pathToFileURL(file).href;
    const page = await browser.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.addInitScript(() => {
      (window as unknown as { __violations: string[] }).__violations = [];
      document.addEventListener('securitypolicyviolation', (event) => (window as unknown as { __violations: string[] }).__violations.push(event.violatedDirective));
    });
    await page.goto(url);
    return { page, url, requests, dialogs };
  }

  test('renders the summary, every rule and every finding with its curl lines', async () => {
    const report = await loadReportFixture();
    const { page } = await open(report, 'report.html');
    await expect.poll(() => page.locator('#outcome').innerText()).toMatch(/^Not conformant/);
    for (const verdict of ['pass', 'fail', 'skip', 'error'] as const) {
      expect(await page.locator(`#summary [data-count="${verdict}"]`).innerText()).toBe(String(report.summary[verdict]));
    }
    expect(await page.locator('article.rule').count()).toBe(report.rules.length);
    expect(await page.locator('.finding').count()).toBe(report.rules.reduce((sum, rule) => sum + rule.findings.length, 0));
    const failed = report.rules.find((rule) => rule.id === 'ADDR-MIXED')!;
    const article = page.locator('#rule-ADDR-MIXED');
    expect(await article.locator('.badge').first().innerText()).toBe('FAIL');
    expect(await article.locator('pre.curl').innerText()).toBe(failed.findings[0].curl.join('\n'));
    expect(await article.innerText()).toContain(failed.findings[0].expected);
    expect(await page.locator('#rule-ADDR-ENCODING .reason').innerText()).toContain('no name needs percent-encoding');
    await page.close();
  });

  test('reads like a verdict: the outcome, the system, the target, the date and the command line come first', async () => {
    const report = await loadExtendedFixture();
    const { page } = await open(report, 'verdict.html');
    const summary = page.locator('#summary');
    expect(await summary.innerText()).toContain(report.sut!);
    expect(await summary.innerText()).toContain(report.target.url);
    expect(await summary.innerText()).toContain(report.startedAt);
    expect(await page.locator('#command').innerText()).toBe(report.command);
    expect(await page.locator('#command').isVisible()).toBe(true);
    // The list at the top links the failed rules, then the MUST rules not checked (and the undecided ones).
    const linked = await page.locator('#attention a').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    const failed = report.rules.filter((rule) => rule.verdict === 'fail').map((rule) => rule.id);
    const unchecked = report.rules.filter((rule) => rule.verdict === 'error' || (rule.verdict === 'skip' && rule.level === 'MUST')).map((rule) => rule.id);
    expect(linked).toEqual([...failed, ...unchecked].map((id) => `#rule-${id}`));
    // Those rules come before every other one, in that order.
    const order = await page.locator('article.rule').evaluateAll((articles) => articles.map((article) => article.id));
    expect(order.slice(0, failed.length + unchecked.length)).toEqual([...failed, ...unchecked].map((id) => `rule-${id}`));
    await page.close();
  });

  test('a failed rule shows its finding without a click; the rest is behind a toggle', async () => {
    const report = await loadReportFixture();
    const { page } = await open(report, 'layout.html');
    const failed = page.locator('#failed #rule-ADDR-MIXED');
    for (const part of ['pre.curl', 'pre.rerun', '.expected-actual', 'ol.requests', '.seed']) expect(await failed.locator(part).first().isVisible(), part).toBe(true);
    expect(await failed.locator('.seed').innerText()).toBe('fast-check seed 42, path 13.');
    expect(await failed.locator('pre.rerun').innerText()).toBe('isym-conform --embedded --seed 42 --only ADDR-MIXED');
    // The counterexample and the property's name are collapsed, and open with a click.
    const internals = failed.locator('details.internals');
    expect(await internals.locator('pre').isVisible()).toBe(false);
    await internals.locator('summary').click();
    expect(await internals.locator('pre').isVisible()).toBe(true);
    expect(await internals.innerText()).toContain('every-mix-reaches-the-same-instance');
    // A rule not checked shows its reason without a click.
    expect(await page.locator('#not-checked #rule-ADDR-ENCODING .reason').isVisible()).toBe(true);
    // A passing rule shows its heading; its statement and notes are collapsed.
    const passing = page.locator('#rules #rule-ADDR-UUID');
    expect(await passing.locator('h4').isVisible()).toBe(true);
    expect(await passing.locator('.statement').isVisible()).toBe(false);
    await passing.locator('summary').click();
    expect(await passing.locator('.statement').isVisible()).toBe(true);
    // The run's details and the contract coverage are collapsed too.
    expect(await page.locator('#run-details dl').isVisible()).toBe(false);
    expect(await page.locator('#coverage table').isVisible()).toBe(false);
    await page.locator('#coverage > summary').click();
    expect(await page.locator('#coverage table').isVisible()).toBe(true);
    await page.close();
  });

  test('fetches nothing and runs no script from the target: its <script> names stay text', async () => {
    const report = await loadReportFixture();
    const { page, url, requests, dialogs } = await open(report, 'hostile.html');
    expect(requests).toEqual([url]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => Array.from(document.scripts, (script) => script.textContent))).toEqual([reportScript]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('#rule-ADDR-NAME h5').first().innerText()).toContain('getByName/<script>window.__pwned = 1</script>');
    expect(await page.locator('#rule-ADDR-ENCODING .reason').innerText()).toContain('</p><script>window.__pwned = 3</script>');
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    await page.close();
  });

  test('the filters show rules by verdict and by family', async () => {
    const report = await loadReportFixture();
    const { page } = await open(report, 'filters.html');
    const visibleRules = () => page.locator('article.rule:visible').count();
    await expect.poll(visibleRules).toBe(report.rules.length);
    await page.locator('#filters input[data-filter="verdict"][value="pass"]').uncheck();
    expect(await visibleRules()).toBe(report.rules.filter((rule) => rule.verdict !== 'pass').length);
    await page.locator('#filters input[data-filter="family"][value="addressing"]').uncheck();
    expect(await visibleRules()).toBe(report.rules.filter((rule) => rule.verdict !== 'pass' && rule.family !== 'addressing').length);
    expect(await page.locator('#overview tbody tr:visible').count()).toBe(await visibleRules());
    expect(await page.locator('#filter-count').innerText()).toBe(`${await visibleRules()} rule(s) shown`);
    await page.close();
  });

  test('printed, the filters are gone and the summary stays', async () => {
    const { page } = await open(await loadExtendedFixture(), 'print.html');
    await expect.poll(() => page.locator('#filters').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#filters').isVisible()).toBe(false);
    expect(await page.locator('#summary').isVisible()).toBe(true);
    expect(await page.locator('.partial').innerText()).toContain('stopped by --max-time');
    expect(await page.locator('#replay').innerText()).toContain('1 of 2 recorded case(s) still fail');
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();
  });
});
