/**
 * report.html: one self-contained page a vendor can read and send on, laid out as a verdict. At the top: the
 * verdict, the system under test, the target, the date and the command line that reproduces the run, then a list
 * of what needs attention (the failed rules, and the MUST rules not checked), each linking to its rule below. The
 * failed and the unchecked rules come first, open; the run's details, the passing rules and the contract coverage
 * are collapsed (`<details>`), as are each finding's counterexample and internal names.
 *
 * No network and no external asset: the style and the one script (the verdict and family filters) are inline, and
 * a Content-Security-Policy lets only that script run (by its hash) and nothing be fetched. Every text that comes
 * from the report (names, bodies, messages: the target's data) goes through escape-html, so a target cannot put
 * markup or script in the page. Without the script every rule shows; printed, the page shows what the filters
 * show, without the filters, and a finding does not break across pages.
 */
import { createHash } from 'node:crypto';
import escapeHtml from 'escape-html';
import { bodyText, requestLine } from './finding-text.js';
import {
  countVerdicts,
  notChecked,
  rerunCommand,
  runOutcome,
  rulesByFamily,
  type ConformanceReport,
  type ReportFinding,
  type ReportRule,
} from './report-model.js';
import type { ContractCoverage } from './vocabulary/coverage.js';
import type { RecordedRequest } from './vocabulary/finding.js';
import type { Verdict } from './vocabulary/rule-result.js';

/** The longest body the page shows, characters; conformance.json keeps it whole. */
const htmlBodyLimit = 20_000;

const verdicts: readonly Verdict[] = ['fail', 'error', 'skip', 'pass'];
const verdictLabel: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', error: 'ERROR' };

/** The page's only script: shows the rules whose verdict and family are ticked in the filters. */
export const reportScript = `(() => {
  const filters = document.getElementById('filters');
  const ticked = (kind) => new Set(Array.from(filters.querySelectorAll('input[data-filter="' + kind + '"]:checked'), (box) => box.value));
  const apply = () => {
    const verdicts = ticked('verdict');
    const families = ticked('family');
    let shown = 0;
    for (const element of document.querySelectorAll('[data-verdict][data-family]')) {
      element.hidden = !(verdicts.has(element.dataset.verdict) && families.has(element.dataset.family));
      if (!element.hidden && element.matches('article')) shown += 1;
    }
    for (const family of document.querySelectorAll('section.family')) family.hidden = !family.querySelector('article.rule:not([hidden])');
    document.getElementById('filter-count').textContent = shown + ' rule(s) shown';
  };
  filters.addEventListener('change', apply);
  filters.hidden = false;
  apply();
})();`;

/** The CSP hash source of {@link reportScript}. */
const scriptHash = `sha256-${createHash('sha256').update(reportScript).digest('base64')}`;

const contentSecurityPolicy = `default-src 'none'; style-src 'unsafe-inline'; script-src '${scriptHash}'; img-src data:; base-uri 'none'; form-action 'none'`;

const style = `
:root { --pass: #1a7f37; --fail: #cf222e; --skip: #6e7781; --error: #9a6700; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0 auto; padding: 1.5rem; max-width: 72rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { border-bottom: 1px solid var(--line); padding-bottom: .2rem; margin-top: 2rem; }
h3 { text-transform: capitalize; margin-top: 1.6rem; } h4 { margin: 0 0 .4rem; font-size: 1.05rem; }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: .5rem .7rem; white-space: pre-wrap; word-break: break-all; margin: .3rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; } th, td { border-bottom: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--soft); } td.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .8rem 0; } dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; word-break: break-all; }
.badge { display: inline-block; min-width: 3.6rem; text-align: center; border-radius: 3px; padding: 0 .35rem; color: #fff; font-weight: 700; font-size: .8rem; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.skip { background: var(--skip); } .badge.error { background: var(--error); }
.tag { display: inline-block; border: 1px solid var(--line); border-radius: 3px; padding: 0 .3rem; font-size: .8rem; margin-left: .3rem; }
.outcome { font-size: 1.15rem; font-weight: 700; padding: .5rem .8rem; border-radius: 4px; border-left: 6px solid; background: var(--soft); }
.outcome.pass { border-color: var(--pass); } .outcome.fail { border-color: var(--fail); }
.counts span { margin-right: 1rem; font-weight: 600; }
article.rule { border: 1px solid var(--line); border-left: 5px solid var(--skip); border-radius: 4px; padding: .7rem .9rem; margin: .7rem 0; }
article.rule.fail { border-left-color: var(--fail); } article.rule.pass { border-left-color: var(--pass); } article.rule.error { border-left-color: var(--error); }
.statement { margin: .2rem 0 .5rem; } .reason { color: #57606a; } .notes { color: #57606a; font-size: .9rem; margin: .3rem 0; }
.finding { border-top: 1px dashed var(--line); padding-top: .6rem; margin-top: .6rem; break-inside: avoid; }
.finding h5 { font-size: 1rem; margin: 0 0 .3rem; } .expected-actual { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: .3rem 0; }
.expected-actual dt { font-weight: 600; } .expected-actual dd { margin: 0; }
ol.requests { padding-left: 1.3rem; } ol.requests li { margin: .35rem 0; }
#coverage table { font-size: .85rem; } #coverage td:nth-child(2) { word-break: break-all; } #coverage td:nth-child(5) { min-width: 9rem; }
section, article { scroll-margin-top: 5.5rem; }
#filters { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: .5rem 0; z-index: 1; }
#filters fieldset { display: inline-block; border: 1px solid var(--line); border-radius: 4px; margin: 0 .6rem .3rem 0; padding: .2rem .6rem; }
#filters label { margin-right: .7rem; white-space: nowrap; } #filter-count { color: #57606a; }
.partial { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 4px; padding: .5rem .8rem; }
summary { cursor: pointer; } summary h2, summary h4 { display: inline; border: 0; margin: 0; }
details#coverage, details#run-details { margin-top: 2rem; } details#run-details > summary { font-weight: 600; }
article.rule > details > summary { list-style-position: outside; } article.rule > details[open] > summary { margin-bottom: .4rem; }
#attention { border: 1px solid var(--line); border-radius: 4px; padding: .2rem .9rem .5rem; margin: .8rem 0; }
#attention h3 { text-transform: none; margin: .6rem 0 .2rem; font-size: 1rem; } #attention ul { margin: 0; padding-left: 1.1rem; list-style: none; } #attention li { margin: .2rem 0; }
details.internals { margin: .3rem 0; color: #57606a; } .seed { margin: .3rem 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; } #filters { display: none !important; }
  tr { break-inside: avoid; } h2, h3, h4 { break-after: avoid; }
  .badge { color: #000; border: 1px solid #000; background: none !important; } a { color: inherit; text-decoration: none; }
}`;

/** Escapes any value for HTML text or a double-quoted attribute. */
function h(value: unknown): string {
  return escapeHtml(String(value ?? ''));
}

function badge(verdict: Verdict): string {
  return `<span class="badge ${h(verdict)}">${verdictLabel[verdict]}</span>`;
}

function metaList(entries: [string, string][]): string {
  return `<dl class="meta">${entries.map(([term, value]) => `<dt>${h(term)}</dt><dd>${h(value)}</dd>`).join('')}</dl>`;
}

/** The run's options as `name=value` pairs, unset ones left out. */
function optionsText(options: Record<string, unknown>): string {
  return Object.entries(options)
    .filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0))
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('  ');
}

function outcomeLine(report: ConformanceReport): string {
  const outcome = runOutcome(report);
  const tone = outcome.kind === 'pass' || outcome.kind === 'pass-with-failures' ? 'pass' : 'fail';
  return `<p class="outcome ${tone}" id="outcome">${h(`${outcome.title}: ${outcome.sentence}`)}</p>`;
}

/** The rules that failed: they come first. */
function failedRules(report: ConformanceReport): ReportRule[] {
  return report.rules.filter((rule) => rule.verdict === 'fail');
}

/** The rules not checked: MUST rules skipped, and any rule that could not be decided. They come next. */
function uncheckedRules(report: ConformanceReport): ReportRule[] {
  const skipped = new Set(notChecked(report));
  return report.rules.filter((rule) => rule.verdict === 'error' || skipped.has(rule));
}

/** The verdict and what a reader needs to place it: the system, the target, the date, how to run it again. */
function verdictSection(report: ConformanceReport): string {
  const counts = countVerdicts(report.rules);
  return [
    `<section id="summary">`,
    outcomeLine(report),
    report.partial ? `<p class="partial">Partial: ${h(report.interrupted?.detail ?? 'the run was interrupted')}. Rules it did not decide show as ERROR, "interrupted".</p>` : '',
    `<p class="counts">${verdicts.map((verdict) => `<span>${badge(verdict)} <span data-count="${verdict}">${counts[verdict]}</span></span>`).join('')}</p>`,
    metaList([
      ...(report.sut ? ([['System under test', report.sut]] as [string, string][]) : []),
      ['Target', report.target.url],
      ['Date', report.startedAt],
    ]),
    report.command ? `<div>Reproduce the run with:</div><pre class="command" id="command">${h(report.command)}</pre>` : '',
    report.runErrors.length > 0 ? `<h3>Errors of the run</h3><pre>${h(report.runErrors.join('\n'))}</pre>` : '',
    attentionList(report),
    '</section>',
  ].join('\n');
}

/** The failed and unchecked rules, one line each, linking to their rule below. */
function attentionList(report: ConformanceReport): string {
  const failed = failedRules(report);
  const unchecked = uncheckedRules(report);
  if (failed.length === 0 && unchecked.length === 0) return '<p id="attention">Every rule was checked, and none failed.</p>';
  const line = (rule: ReportRule, text: string) =>
    `<li>${badge(rule.verdict)} <a href="#rule-${h(rule.id)}">${h(rule.id)}</a>: ${h(text)}</li>`;
  const parts = ['<nav id="attention" aria-label="Needs attention">'];
  if (failed.length > 0) {
    parts.push(`<h3>Failed (${failed.length})</h3><ul>${failed.map((rule) => line(rule, rule.findings[0]?.message ?? rule.reason ?? 'failed')).join('')}</ul>`);
  }
  if (unchecked.length > 0) {
    const skipped = unchecked.filter((rule) => rule.verdict === 'skip').length;
    const consequence =
      skipped === 0 ? '' : report.options.requireAll === true ? ' (with --require-all the skipped MUST rules fail the run)' : ' (skipped MUST rules do not fail the run; --require-all makes them)';
    parts.push(`<h3>Not checked (${unchecked.length})${h(consequence)}</h3><ul>${unchecked.map((rule) => line(rule, rule.reason ?? 'not decided')).join('')}</ul>`);
  }
  parts.push('</nav>');
  return parts.join('');
}

/** The run's details, collapsed: contract, tool, seed, times, options (by their internal names), baseline, coverage. */
function runDetails(report: ConformanceReport): string {
  const configFile = typeof report.options.config === 'string' ? report.options.config : undefined;
  const parts = [
    `<details id="run-details"><summary>Run details</summary>`,
    metaList([
      ['Contract', `${report.contract.title} ${report.contract.version}`],
      ['Contract sha256', report.contract.sha256],
      ['Tool', `${report.tool.name} ${report.tool.version}`],
      ['Seed', String(report.seed)],
      ['Started', report.startedAt],
      ['Finished', report.finishedAt],
      ['Duration', `${(report.durationMs / 1000).toFixed(1)} s`],
      ...(configFile ? ([['Config file', configFile]] as [string, string][]) : []),
      ['Options', optionsText(report.options)],
    ]),
  ];
  if (report.coverage) {
    const { operations, addressingForms, actions } = report.coverage.totals;
    parts.push(
      `<p>Contract coverage: ${operations.exercised} of ${operations.total} operations, ${addressingForms.exercised} of ${addressingForms.total} addressing forms, ${actions.exercised} of ${actions.total} actions exercised (<a href="#coverage">details</a>).</p>`,
    );
  }
  parts.push('</details>');
  if (report.baseline) {
    const { file, known, fixed } = report.baseline;
    parts.push(
      `<p id="baseline">Baseline <code>${h(file)}</code>: ${report.baseline.new} new failure(s), ${known} known (do not fail the run), ${fixed.length} rule(s) fixed${fixed.length ? `: ${fixed.map(h).join(', ')}` : ''}. Same failure = ${h(report.baseline.key)}.</p>`,
    );
  }
  return parts.join('\n');
}

function filtersNav(report: ConformanceReport): string {
  const counts = countVerdicts(report.rules);
  const families = [...rulesByFamily(report).keys()];
  const box = (kind: string, value: string, label: string) =>
    `<label><input type="checkbox" data-filter="${h(kind)}" value="${h(value)}" checked> ${label}</label>`;
  return [
    '<nav id="filters" hidden aria-label="Filters">',
    `<fieldset><legend>Verdict</legend>${verdicts.map((verdict) => box('verdict', verdict, `${badge(verdict)} ${counts[verdict]}`)).join('')}</fieldset>`,
    `<fieldset><legend>Rule family</legend>${families.map((family) => box('family', family, h(family))).join('')}</fieldset>`,
    '<span id="filter-count"></span>',
    '</nav>',
  ].join('\n');
}

function overviewTable(report: ConformanceReport): string {
  const rows = report.rules.map(
    (rule) =>
      `<tr data-verdict="${h(rule.verdict)}" data-family="${h(rule.family)}"><td>${badge(rule.verdict)}</td><td><a href="#rule-${h(rule.id)}">${h(rule.id)}</a></td><td>${h(rule.level)}</td><td>${h(rule.provenance)}</td><td>${h(rule.family)}</td><td class="num">${rule.findings.length}</td><td class="num">${((rule.durationMs ?? 0) / 1000).toFixed(1)} s</td></tr>`,
  );
  return `<table id="overview"><thead><tr><th>Verdict</th><th>Rule</th><th>Level</th><th>Provenance</th><th>Family</th><th>Findings</th><th>Time</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function requestItem(request: RecordedRequest): string {
  const parts = [`<li><code>${h(requestLine(request))}</code>`];
  if (request.requestBody !== undefined) parts.push(`<div>Sent:</div><pre>${h(bodyText(request.requestBody, htmlBodyLimit))}</pre>`);
  if (request.body !== undefined && request.body !== '') {
    const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body, null, 2);
    parts.push(`<div>Received:</div><pre class="body">${h(bodyText(body, htmlBodyLimit))}</pre>`);
  }
  parts.push('</li>');
  return parts.join('');
}

function findingBlock(finding: ReportFinding, index: number): string {
  const parts = [
    `<div class="finding"><h5>Finding ${index + 1}: ${h(finding.message)}${finding.baseline ? `<span class="tag baseline-${h(finding.baseline)}">${finding.baseline === 'known' ? 'known from baseline' : 'new'}</span>` : ''}</h5>`,
    `<dl class="expected-actual"><dt>Expected</dt><dd>${h(finding.expected)}</dd><dt>Received</dt><dd>${h(finding.actual)}</dd></dl>`,
  ];
  if (finding.requests.length > 0) parts.push(`<ol class="requests">${finding.requests.map(requestItem).join('')}</ol>`);
  if (finding.curl.length > 0) parts.push(`<div>Reproduce with:</div><pre class="curl">${h(finding.curl.join('\n'))}</pre>`);
  if (finding.seed !== undefined) {
    parts.push(`<p class="seed">fast-check seed <code>${h(finding.seed)}</code>${finding.path !== undefined ? `, path <code>${h(finding.path)}</code>` : ''}.</p>`);
  }
  // What only the checker's own vocabulary names: the property and the generated case, for whoever digs deeper.
  if (finding.property !== undefined || finding.counterexample !== undefined) {
    parts.push(
      `<details class="internals"><summary>Counterexample and property</summary>${finding.property !== undefined ? `<p>Property <code>${h(finding.property)}</code>.</p>` : ''}${
        finding.counterexample !== undefined ? `<div>Counterexample:</div><pre>${h(bodyText(finding.counterexample, htmlBodyLimit))}</pre>` : ''
      }</details>`,
    );
  }
  parts.push('</div>');
  return parts.join('\n');
}

function ruleHeading(rule: ReportRule): string {
  const tags = [rule.level, rule.provenance === 'inferred' ? 'inferred' : 'documented'];
  if (rule.baseline) tags.push(rule.baseline === 'fixed' ? 'fixed since baseline' : rule.baseline === 'known' ? 'known from baseline' : 'new failure');
  return `<h4>${badge(rule.verdict)} ${h(rule.id)}${tags.map((tag) => `<span class="tag">${h(tag)}</span>`).join('')}</h4>`;
}

function ruleBody(rule: ReportRule): string[] {
  const parts = [`<p class="statement">${h(rule.statement)}</p>`];
  if (rule.reason) parts.push(`<p class="reason">Reason: ${h(rule.reason)}</p>`);
  if (rule.notes.length > 0) parts.push(`<ul class="notes">${rule.notes.map((note) => `<li>${h(note)}</li>`).join('')}</ul>`);
  return parts;
}

function articleOpening(rule: ReportRule): string {
  return `<article class="rule ${h(rule.verdict)}" id="rule-${h(rule.id)}" data-verdict="${h(rule.verdict)}" data-family="${h(rule.family)}">`;
}

/** A failed or unchecked rule, open: its findings, and the command that reruns it. */
function openRuleArticle(report: ConformanceReport, rule: ReportRule): string {
  const parts = [articleOpening(rule), ruleHeading(rule), ...ruleBody(rule), ...rule.findings.map(findingBlock)];
  if (rule.verdict === 'fail') parts.push(`<div>Rerun this rule:</div><pre class="rerun">${h(rerunCommand(report, rule.id))}</pre>`);
  parts.push('</article>');
  return parts.join('\n');
}

/** Any other rule (passed, or a SHOULD rule skipped), collapsed to its heading. */
function collapsedRuleArticle(rule: ReportRule): string {
  return [articleOpening(rule), `<details><summary>${ruleHeading(rule)}</summary>`, ...ruleBody(rule), '</details>', '</article>'].join('\n');
}

function firstSections(report: ConformanceReport): string {
  const failed = failedRules(report);
  const unchecked = uncheckedRules(report);
  const parts: string[] = [];
  if (failed.length > 0) parts.push(`<section id="failed"><h2>Failed rules</h2>\n${failed.map((rule) => openRuleArticle(report, rule)).join('\n')}\n</section>`);
  if (unchecked.length > 0) {
    parts.push(`<section id="not-checked"><h2>Not checked</h2>\n${unchecked.map((rule) => openRuleArticle(report, rule)).join('\n')}\n</section>`);
  }
  return parts.join('\n');
}

function rulesSection(report: ConformanceReport): string {
  const first = new Set([...failedRules(report), ...uncheckedRules(report)]);
  const families = [...rulesByFamily(report)]
    .map(([family, rules]) => [family, rules.filter((rule) => !first.has(rule))] as const)
    .filter(([, rules]) => rules.length > 0)
    .map(([family, rules]) => `<section class="family" data-family-section="${h(family)}"><h3>${h(family)}</h3>\n${rules.map(collapsedRuleArticle).join('\n')}\n</section>`);
  return `<section id="rules"><h2>All rules</h2>\n${overviewTable(report)}\n${families.join('\n')}\n</section>`;
}

/** The first `shown` items, then how many more. */
function shortList(items: readonly string[], shown: number): string {
  return items.length > shown ? `${items.slice(0, shown).join(', ')} +${items.length - shown} more` : items.join(', ');
}

function coverageSection(coverage: ContractCoverage): string {
  const rows = coverage.operations.map(
    (op) =>
      `<tr class="${op.requests > 0 ? 'exercised' : 'not-exercised'}"><td>${h(op.method)}</td><td><code>${h(op.template)}</code></td><td class="num">${op.requests}</td><td title="${h(`sent: ${op.forms.exercised.join(', ') || 'none'}; possible: ${op.forms.possible.join(', ')}`)}">${op.forms.exercised.length} / ${op.forms.possible.length}</td><td title="${h(op.rules.join(', '))}">${h(shortList(op.rules, 3))}</td><td>${h(op.reason ?? '')}</td></tr>`,
  );
  const extra: string[] = [];
  if (coverage.outsideContract.length > 0) {
    extra.push(`<p>Methods the contract does not list, sent on purpose: ${coverage.outsideContract.map((op) => `<code>${h(op.method)} ${h(op.template)}</code> ×${op.requests}`).join(', ')}.</p>`);
  }
  if (coverage.unmatched.requests > 0) {
    extra.push(`<p>${coverage.unmatched.requests} request(s) matched no path of the contract, e.g. ${coverage.unmatched.examples.map((example) => `<code>${h(example)}</code>`).join(', ')}.</p>`);
  }
  return `<details id="coverage"><summary><h2>Contract coverage</h2></summary>
<table><thead><tr><th>Method</th><th>Path</th><th>Requests</th><th>Addressing forms</th><th>Rules</th><th>Not exercised because</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${extra.join('\n')}</details>`;
}

function replaySection(report: ConformanceReport): string {
  const replay = report.replay!;
  const rows = replay.cases.map(
    (item) =>
      `<tr><td>${item.stillFails ? badge('fail') : badge('pass')}</td><td>${h(item.ruleId)}</td><td>${h(item.property ?? '')}</td><td>${h(item.seed ?? '')}</td><td>${h(item.path ?? '')}</td><td>${h(item.message)}</td></tr>`,
  );
  return `<section id="replay"><h2>Replay of <code>${h(replay.source)}</code></h2>
<p>${replay.cases.filter((item) => item.stillFails).length} of ${replay.cases.length} recorded case(s) still fail.</p>
<table><thead><tr><th>Now</th><th>Rule</th><th>Property</th><th>Seed</th><th>Path</th><th>Recorded message</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** Renders the report as one self-contained HTML page. */
export function renderHtml(report: ConformanceReport): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(contentSecurityPolicy)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conformance report: ${h(report.contract.title)} at ${h(report.target.url)}</title>
<style>${style}</style>
</head>
<body>
<header><h1>Conformance report${report.sut ? `: ${h(report.sut)}` : ''}</h1><p>${h(report.contract.title)} ${h(report.contract.version)}, checked at <code>${h(report.target.url)}</code> by ${h(report.tool.name)} ${h(report.tool.version)}.</p></header>
${verdictSection(report)}
${runDetails(report)}
${report.replay ? replaySection(report) : ''}
${firstSections(report)}
${filtersNav(report)}
${rulesSection(report)}
${report.coverage ? coverageSection(report.coverage) : ''}
<script>${reportScript}</script>
</body>
</html>
`;
}
