/**
 * A finding as plain text, in the fixed layout of the text formats (JUnit failure bodies): what is wrong, expected
 * and received on separate lines, the exchanges, then `Reproduce with:` and the curl lines.
 */
import type { ReportFinding } from './report-model.js';
import type { RecordedRequest } from './vocabulary/finding.js';

/** The longest response body a text rendering shows, characters; the JSON report keeps it whole. */
export const textBodyLimit = 1000;

/** A response body as short text: JSON compact, cut at {@link textBodyLimit}. */
export function bodyText(body: unknown, limit = textBodyLimit): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body) ?? '';
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length - limit} more characters in conformance.json)` : text;
}

/** One request and how it ended, e.g. `GET http://…/queues → 404 application/json`. */
export function requestLine(request: RecordedRequest): string {
  const outcome = request.status === 0 ? `no response (${request.transportError ?? 'transport error'})` : String(request.status);
  return `${request.method} ${request.url} → ${outcome}${request.contentType ? ` ${request.contentType}` : ''}`;
}

/** The finding as text lines. */
export function findingText(finding: ReportFinding): string {
  const lines = [finding.message, `Expected: ${finding.expected}`, `Received: ${finding.actual}`];
  if (finding.baseline === 'known') lines.push('Baseline: known (in the baseline report; does not fail the run)');
  if (finding.property !== undefined) {
    lines.push(`Property: ${finding.property}, seed ${finding.seed ?? '?'}${finding.path !== undefined ? `, path ${finding.path}` : ''}`);
  }
  if (finding.counterexample !== undefined) lines.push(`Counterexample: ${bodyText(finding.counterexample, 500)}`);
  if (finding.requests.length > 0) {
    lines.push('Requests:');
    for (const request of finding.requests) {
      lines.push(`  ${requestLine(request)}`);
      if (request.requestBody !== undefined) lines.push(`    sent: ${bodyText(request.requestBody)}`);
      if (request.body !== undefined && request.body !== '') lines.push(`    body: ${bodyText(request.body)}`);
    }
  }
  if (finding.curl.length > 0) {
    lines.push('Reproduce with:');
    for (const line of finding.curl) lines.push(`  ${line}`);
  }
  return lines.join('\n');
}
