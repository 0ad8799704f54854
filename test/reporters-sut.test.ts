/**
 * --sut: the system under test as the user names it, recorded in the report model and shown at the top of
 * report.html and summary.md (escaped: it is free text), valid against the shipped schema.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderHtml } from '../reporters/html.js';
import { renderJunit } from '../reporters/junit.js';
import { renderMarkdown } from '../reporters/markdown.js';
import { loadReportFixture, testOutputDir } from './reporters-support.js';
import { reportSchemaErrors } from './support/report-schema.js';

const sut = 'Acme <b>PBX</b> 3.2.1';

describe('the system under test (--sut)', () => {
  test('is shown at the top of report.html and summary.md, and named in junit.xml', async () => {
    const report = { ...(await loadReportFixture()), sut };
    const html = renderHtml(report);
    expect(html).toContain('<h1>Conformance report: Acme &lt;b&gt;PBX&lt;/b&gt; 3.2.1</h1>');
    expect(html).toContain('<dt>System under test</dt><dd>Acme &lt;b&gt;PBX&lt;/b&gt; 3.2.1</dd>');
    expect(renderMarkdown(report).split('\n').slice(0, 4)).toContain('System under test: **Acme &lt;b&gt;PBX&lt;/b&gt; 3.2.1**');
    expect(renderJunit(report)).toContain('<property name="sut" value="Acme &lt;b&gt;PBX&lt;/b&gt; 3.2.1"/>');
  });

  test('a report with it validates against the shipped schema; without it, nothing is shown', async () => {
    const file = join(await testOutputDir('sut'), 'conformance.json');
    await writeFile(file, JSON.stringify({ ...(await loadReportFixture()), sut }));
    expect(await reportSchemaErrors(file)).toEqual([]);
    const plain = await loadReportFixture();
    expect(renderHtml(plain)).not.toContain('System under test');
    expect(renderMarkdown(plain)).not.toContain('System under test');
  });
});
