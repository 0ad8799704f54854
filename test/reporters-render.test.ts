/**
 * The renderers on the fixed report model fixture: golden output of each format, junit.xml read back by a real
 * XML parser with its counts checked against the model, every variant of the model valid against the shipped
 * schema, and the hostile target's markup kept as text in every format.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { formatByName, reportFormats } from '../reporters/index.js';
import { buildReport, compareWithBaseline, countVerdicts, reportFails, reproducingCommand, rerunCommand, rulesByFamily, type ConformanceReport } from '../reporters/report-model.js';
import { failureKey } from '../reporters/vocabulary/replay-case.js';
import { renderTerminalSummary } from '../reporters/terminal.js';
import { reportSchemaErrors } from './support/report-schema.js';
import {
  checkWrittenFiles,
  junitVerdict,
  loadExtendedFixture,
  loadReportFixture,
  parseJunit,
  referencePassword,
  testOutputDir,
  type JunitTestCase,
} from './reporters-support.js';

const written: string[] = [];

/** Replaces what changes from run to run by a placeholder (the fixture has none; a report of a live run would). */
function normaliseVolatile(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/isym-conform(["\s]+)(0|[1-9]\d*)\.\d+\.\d+/g, 'isym-conform$1<version>');
}

function render(format: string, report: ConformanceReport): string {
  const found = formatByName(format);
  if (!found) throw new Error(`no format ${format}`);
  return found.render(report);
}

const hostileScript = '<script>window.__pwned = 1</script>';

describe('golden output of each renderer on the report model fixture', () => {
  test.each(reportFormats.map((format) => ({ name: format.name, fileName: format.fileName })))('$name → $fileName', async ({ name, fileName }) => {
    const output = normaliseVolatile(render(name, await loadReportFixture()));
    await expect(output).toMatchFileSnapshot(`__snapshots__/reporters-golden/${fileName}`);
  });

  test.each(['junit', 'html', 'md'])('%s of a partial run with baseline and replay', async (name) => {
    const output = normaliseVolatile(render(name, await loadExtendedFixture()));
    await expect(output).toMatchFileSnapshot(`__snapshots__/reporters-golden/extended-${formatByName(name)!.fileName}`);
  });

  test('the terminal summary: failures first, told in full; the table with --verbose', async () => {
    const report = await loadExtendedFixture();
    const output = renderTerminalSummary(report, ['out/conformance.json', 'out/report.html'], { color: false, columns: 120 });
    await expect(normaliseVolatile(output)).toMatchFileSnapshot('__snapshots__/reporters-golden/terminal-summary.txt');
    // Each failing rule: its message, expected and actual, the request, the curl line, and the command that reruns it.
    for (const rule of report.rules.filter((candidate) => candidate.verdict === 'fail')) {
      const story = output.slice(output.indexOf(`FAIL  ${rule.id} (`));
      const block = story.slice(0, story.indexOf('\n\n'));
      expect(block, rule.id).toMatch(/\n  expected   .+\n  actual     .+\n  request    (GET|POST|PUT|DELETE|PATCH) http.+\n  curl       curl .+/);
      expect(block, rule.id).toContain(`rerun      isym-conform --embedded --replay out/conformance.json --only ${rule.id}`);
      // The curl line is whole, as the report has it.
      expect(block, rule.id).toContain(rule.findings[0].curl.at(-1));
    }
    expect(output).toMatch(/^pass   13 rule\(s\): ADDR-UUID, /m);
    // Passing rules are not listed one per line but with --verbose.
    expect(output).not.toMatch(/^pass   ADDR-LIST /m);
    const verbose = renderTerminalSummary(report, [], { color: false, columns: 120, verbose: true });
    expect(verbose).toMatch(/^pass   ADDR-LIST +MUST/m);
    // Without the JSON report's file, the rerun is the run's own command line narrowed to the rule.
    expect(verbose).toContain("rerun      isym-conform --embedded --seed 42 --runs 100 --only ADDR-NAME --request-timeout 10 --sut 'Reference server 0.1'");
  });
});

describe('the command line that reproduces the run', () => {
  const options = {
    target: 'https://pbx:55050/communication_manager/rest/live',
    contract: '/etc/isym/my contract.yaml',
    formats: ['json', 'html'],
    seed: 7,
    runs: 20,
    only: ['ADDR', 'HTTP-NO-500'],
    skip: [],
    coreServer: 'core-1',
    requestTimeoutMs: 5000,
    restart: { command: '(given)', embedded: false, readyTimeoutS: 60 },
    strict: true,
    concurrency: 2,
    requireAll: true,
    cacert: "/certs/it's ca.pem",
    config: '/ci/isym-conform.config.json',
  };

  test('spells every option out, and the shell reads back the same words', async () => {
    const command = reproducingCommand(options, 'Acme "PBX" 3.2');
    const { execFile } = await import('node:child_process');
    const words = await new Promise<string[]>((resolve, reject) =>
      execFile('sh', ['-c', `set -- ${command}; printf '%s\\n' "$@"`], (error, stdout) => (error ? reject(error) : resolve(stdout.trimEnd().split('\n')))),
    );
    expect(words).toEqual([
      'isym-conform', '--target', options.target, '--seed', '7', '--runs', '20', '--only', 'ADDR,HTTP-NO-500', '--core-server', 'core-1',
      '--contract', options.contract, '--request-timeout', '5', '--restart-cmd', 'THE RESTART COMMAND', '--ready-timeout', '60', '--strict',
      '--require-all', '--cacert', options.cacert, '--concurrency', '2', '--format', 'json,html', '--sut', 'Acme "PBX" 3.2',
    ]);
    // The config file is not needed to run it again: its values are spelt out.
    expect(command).not.toContain('--config');
  });

  test('is recorded by buildReport, and the rerun of a rule narrows it to that rule', async () => {
    const fixture = await loadReportFixture();
    const report = buildReport(fixture.rules, {
      tool: fixture.tool,
      contract: fixture.contract,
      targetUrl: options.target,
      startedAt: new Date(0),
      finishedAt: new Date(1000),
      seed: 7,
      options,
    });
    expect(report.command).toBe(reproducingCommand(options));
    expect(rerunCommand(report, 'ADDR-NAME')).toMatch(/^isym-conform --target \S+ --seed 7 --runs 20 --only ADDR-NAME --core-server core-1 /);
    expect(rerunCommand(report, 'ADDR-NAME')).not.toContain('--format');
    expect(rerunCommand(report, 'ADDR-NAME', 'out/conformance.json')).toBe(`isym-conform --target ${options.target} --replay out/conformance.json --only ADDR-NAME`);
    // A report of an older version, without the command: the seed and the rule.
    expect(rerunCommand({ ...report, command: undefined }, 'ADDR-NAME')).toBe(`isym-conform --target ${options.target} --seed 7 --only ADDR-NAME`);
  });
});

describe('junit.xml read by a JUnit XML parser', () => {
  test.each([
    { label: 'fixture', load: loadReportFixture },
    { label: 'partial run with baseline and replay', load: loadExtendedFixture },
  ])('counts and verdicts match the JSON report ($label)', async ({ load }) => {
    const report = await load();
    const junit = parseJunit(render('junit', report)).testsuites;
    expect(Number(junit.tests)).toBe(report.rules.length);
    expect({ fail: Number(junit.failures), error: Number(junit.errors), skip: Number(junit.skipped) }).toEqual({
      fail: report.summary.fail,
      error: report.summary.error,
      skip: report.summary.skip,
    });
    const families = rulesByFamily(report);
    expect(junit.testsuite.map((suite) => suite.name)).toEqual([...families.keys()]);
    for (const suite of junit.testsuite) {
      const rules = families.get(suite.name)!;
      const counts = countVerdicts(rules);
      expect({ tests: Number(suite.tests), failures: Number(suite.failures), errors: Number(suite.errors), skipped: Number(suite.skipped) }).toEqual({
        tests: rules.length,
        failures: counts.fail,
        errors: counts.error,
        skipped: counts.skip,
      });
      expect(suite.testcase.map((testCase) => [testCase.name, junitVerdict(testCase)])).toEqual(rules.map((rule) => [rule.id, rule.verdict]));
    }
  });

  test('a failure carries the first finding as its message, and expected, actual and the curl lines in its text', async () => {
    const report = await loadReportFixture();
    const cases = parseJunit(render('junit', report)).testsuites.testsuite.flatMap((suite) => suite.testcase);
    const byName = new Map<string, JunitTestCase>(cases.map((testCase) => [testCase.name, testCase]));
    for (const rule of report.rules.filter((candidate) => candidate.verdict === 'fail')) {
      const failure = byName.get(rule.id)!.failure as { message: string; '#text': string };
      expect(failure.message.startsWith(rule.findings[0].message.slice(0, 100))).toBe(true);
      for (const finding of rule.findings) {
        expect(failure['#text']).toContain(`Expected: ${finding.expected}`);
        expect(failure['#text']).toContain(`Received: ${finding.actual}`);
        for (const curl of finding.curl) expect(failure['#text']).toContain(curl);
      }
    }
    for (const rule of report.rules.filter((candidate) => candidate.verdict === 'skip')) {
      // A skipped MUST rule says it was not checked: a CI's test tab must not read it as passed.
      expect((byName.get(rule.id)!.skipped as { message: string }).message).toBe(`${rule.level === 'MUST' ? 'MUST rule not checked: ' : ''}${rule.reason}`);
    }
  });

  test('the hostile names come back as the same text, not as markup', async () => {
    const xml = render('junit', await loadReportFixture());
    expect(xml).not.toContain(hostileScript);
    const text = JSON.stringify(parseJunit(xml));
    expect(text).toContain(JSON.stringify(hostileScript).slice(1, -1));
  });
});

describe('report.html and summary.md keep the target\'s markup as text', () => {
  test('report.html has one script, its own, and the hostile names only escaped', async () => {
    const html = render('html', await loadReportFixture());
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
  });

  test('summary.md escapes markup and Markdown in names', async () => {
    const markdown = render('md', await loadReportFixture());
    expect(markdown).not.toContain('<script');
    expect(markdown).toContain('&lt;script&gt;');
    expect(markdown).toContain('[report.html](report.html)');
    for (const row of markdown.split('\n').filter((line) => line.startsWith('| '))) {
      // Every table row keeps its columns: a `|` from the target is escaped.
      expect(row.replace(/\\\|/g, '').split('|').length, row).toBe(markdown.split('\n').find((line) => line.startsWith('| '))!.split('|').length);
    }
  });

  test('summary.md lists exactly the failed rules', async () => {
    const report = await loadReportFixture();
    const markdown = render('md', report);
    const failedSection = markdown.split('### Failed rules')[1].split('###')[0];
    const listed = failedSection.split('\n').filter((line) => /^\| [A-Z]+-/.test(line)).map((line) => line.split('|')[1].trim().replace(/\\/g, ''));
    expect(listed).toEqual(report.rules.filter((rule) => rule.verdict === 'fail').map((rule) => rule.id));
  });
});

describe('every report model variant validates against the shipped schema', () => {
  test.each([
    { label: 'fixture', load: loadReportFixture },
    { label: 'partial run with baseline and replay', load: loadExtendedFixture },
  ])('$label', async ({ load }) => {
    const dir = await testOutputDir('schema');
    written.push(dir);
    const file = join(dir, 'conformance.json');
    await writeFile(file, render('json', await load()));
    expect(await reportSchemaErrors(file)).toEqual([]);
  });

  test('the schema is not a rubber stamp: a report with a wrong verdict or no findings on a failure is rejected', async () => {
    // Not in `written`: it is invalid on purpose.
    const dir = await testOutputDir('schema-bad');
    const report = await loadReportFixture();
    report.rules[0].verdict = 'maybe' as never;
    const failed = report.rules.find((rule) => rule.verdict === 'fail')!;
    failed.findings = [];
    const file = join(dir, 'conformance.json');
    await writeFile(file, JSON.stringify(report));
    const errors = await reportSchemaErrors(file);
    expect(errors.some((error) => error.startsWith('/rules/0/verdict'))).toBe(true);
    expect(errors.some((error) => error.includes('/findings') && error.includes('fewer than 1'))).toBe(true);
  });
});

describe('baseline comparison', () => {
  test('the same failure is the rule id and the message, with UUIDs and white space normalised', () => {
    expect(failureKey('ADDR-NAME', 'Under /a/6f1d2c8e-1b2a-4c3d-9e8f-0a1b2c3d4e5f x')).toBe(failureKey('ADDR-NAME', 'Under  /a/11111111-2222-4333-8444-555555555555 x'));
    expect(failureKey('ADDR-NAME', 'one message')).not.toBe(failureKey('ADDR-MIXED', 'one message'));
    expect(failureKey('ADDR-NAME', 'one message')).not.toBe(failureKey('ADDR-NAME', 'another message'));
  });

  test('a failure met on another instance at the same operations stays known; at other operations it is new', async () => {
    const report = await loadReportFixture();
    report.rules = report.rules.filter((rule) => rule.verdict !== 'error');
    const failing = report.rules.find((rule) => rule.verdict === 'fail' && rule.level === 'MUST')!;
    const operations = ['GET /coreServers/{coreServerId}/users/{userId}'];
    const baseline = structuredClone(report);
    for (const rule of baseline.rules) rule.findings = rule.findings.map((finding) => ({ ...finding, property: 'near-miss names', operations, message: 'prefix of "103" at level {extensionId}' }));
    for (const rule of report.rules) rule.findings = rule.findings.map((finding) => ({ ...finding, property: 'near-miss names', operations, message: 'prefix of "a+b" at level {userId}' }));
    const sameWhere = compareWithBaseline(report, baseline, 'previous.json');
    expect(sameWhere.rules.find((rule) => rule.id === failing.id)!.baseline).toBe('known');
    expect(sameWhere.baseline!.new).toBe(0);
    for (const rule of report.rules) rule.findings = rule.findings.map((finding) => ({ ...finding, operations: ['GET /coreServers/{coreServerId}/extensions/{extensionId}'] }));
    const elsewhere = compareWithBaseline(report, baseline, 'previous.json');
    expect(elsewhere.rules.find((rule) => rule.id === failing.id)!.baseline).toBe('new');
    expect(reportFails(elsewhere)).toBe(true);
  });

  test('known failures do not fail the run, new ones do, and rules that pass now are listed as fixed', async () => {
    const report = await loadExtendedFixture();
    const byId = new Map(report.rules.map((rule) => [rule.id, rule]));
    expect(byId.get('ADDR-NAME')!.baseline).toBe('known');
    expect(byId.get('HTTP-METHOD')!.baseline).toBe('new');
    expect(byId.get('RESTART-NEW-UUIDS')!.baseline).toBe('fixed');
    expect(report.baseline).toMatchObject({ new: 1, fixed: ['RESTART-NEW-UUIDS'] });
    expect(report.baseline!.known).toBe(report.rules.filter((rule) => rule.verdict === 'fail').reduce((sum, rule) => sum + rule.findings.length, 0) - 1);
  });

  test('a run whose MUST failures are all in the baseline passes; one new MUST failure fails it', async () => {
    const report = await loadReportFixture();
    report.rules = report.rules.filter((rule) => rule.verdict !== 'error');
    expect(reportFails(report)).toBe(true);
    const same = compareWithBaseline(report, report, 'same.json');
    expect(same.baseline!.new).toBe(0);
    expect(reportFails(same)).toBe(false);
    // Every format says so: the run passes, with failures known.
    expect(render('md', same)).toMatch(/^## ✅ No new failure:/);
    expect(render('html', same)).toMatch(/<p class="outcome pass" id="outcome">No new failure: /);
    expect(renderTerminalSummary(same, [], { color: false })).toMatch(/^NO NEW FAILURE: /m);
    const baseline = structuredClone(report);
    const mixed = baseline.rules.find((rule) => rule.id === 'ADDR-MIXED')!;
    mixed.findings = mixed.findings.map((finding) => ({ ...finding, message: 'an older failure of ADDR-MIXED' }));
    const compared = compareWithBaseline(report, baseline, 'older.json');
    expect(compared.rules.find((rule) => rule.id === 'ADDR-MIXED')!.baseline).toBe('new');
    expect(reportFails(compared)).toBe(true);
  });
});

describe('the check of the files written', () => {
  test('is not blind: a file with the password, or an invalid conformance.json, makes it fail', async () => {
    const leaky = await testOutputDir('leaky');
    await writeFile(join(leaky, 'summary.md'), `curl -u manager:${referencePassword} http://pbx`);
    await expect(checkWrittenFiles([leaky])).rejects.toThrow(/holds the password/);
    const invalid = await testOutputDir('invalid');
    await writeFile(join(invalid, 'conformance.json'), '{"rules": []}');
    await expect(checkWrittenFiles([invalid])).rejects.toThrow();
  });
});

afterAll(async () => {
  expect(await checkWrittenFiles(written)).toBeGreaterThan(0);
});
