/**
 * How a check makes a finding (reporters/vocabulary/finding.ts) from the exchanges that show it: what was sent,
 * what came back, and how to send it again. Findings are data; reporters render them late.
 */
import { matchRequestPath } from '../contracts/request-path.js';
import type { ResourceModel } from '../contracts/resource-model.js';
import type { Finding, RecordedRequest } from '../reporters/vocabulary/finding.js';
import type { Exchange } from './target-client.js';

/** What a check reports when a rule is broken. */
export interface FindingInput {
  /** One sentence: what is wrong. */
  message: string;
  /** What the rule expected, e.g. `404`. */
  expected: string;
  /** What the target did, e.g. `200 with the body of another instance`. */
  actual: string;
  /** The exchanges that show it, in order. */
  exchanges: Exchange[];
  /** Set when the finding rests only on elements the contract marks inferred. */
  provenance?: 'doc' | 'inferred';
}

/** Single-quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A curl command that sends the same request (with the run's --cacert or -k); credentials never appear, only the variables. */
export function curlLine(exchange: Exchange): string {
  const parts = ['curl', '-sS', '-i'];
  if (exchange.auth === 'valid') parts.push('-u', '"$ISYM_USER:$ISYM_PASSWORD"');
  else if (exchange.auth === 'wrong') parts.push('-u', shellQuote(exchange.wrongCredentials ?? 'wrong:credentials'));
  if (exchange.tls?.insecure) parts.push('-k');
  else if (exchange.tls?.caFile) parts.push('--cacert', shellQuote(exchange.tls.caFile));
  if (exchange.method !== 'GET') parts.push('-X', exchange.method);
  if (exchange.requestBody !== undefined) {
    parts.push('-H', shellQuote(`Content-Type: ${exchange.requestContentType ?? 'application/json'}`), '--data-raw', shellQuote(exchange.requestBody));
  }
  parts.push(shellQuote(exchange.url));
  return parts.join(' ');
}

/** The report form of one exchange. */
export function recordRequest(exchange: Exchange): RecordedRequest {
  const recorded: RecordedRequest = { method: exchange.method, url: exchange.url, status: exchange.status };
  if (exchange.requestBody !== undefined) recorded.requestBody = exchange.requestBody;
  if (exchange.status !== 0) {
    recorded.body = exchange.json !== undefined ? exchange.json : exchange.bodyText.slice(0, 2000);
    if (exchange.contentType) recorded.contentType = exchange.contentType;
  }
  if (exchange.transportError) recorded.transportError = exchange.transportError;
  return recorded;
}

/** The contract operations of `exchanges` (METHOD and path template), sorted and once each. */
export function contractOperations(model: ResourceModel, exchanges: readonly Exchange[]): string[] {
  const operations = exchanges.map((exchange) => {
    const node = matchRequestPath(model, exchange.path)?.node;
    return `${exchange.method} ${node ? node.template : '(no path of the contract)'}`;
  });
  return [...new Set(operations)].sort();
}

/** Turns what a check found into the stored finding; with the model, it names the operations it rests on. */
export function toFinding(
  input: FindingInput,
  fastCheck?: { seed: number; path?: string; counterexample?: unknown; property?: string },
  model?: ResourceModel,
): Finding {
  const finding: Finding = {
    message: input.message,
    expected: input.expected,
    actual: input.actual,
    requests: input.exchanges.map(recordRequest),
    curl: input.exchanges.map(curlLine),
  };
  if (fastCheck) {
    finding.seed = fastCheck.seed;
    if (fastCheck.path !== undefined) finding.path = fastCheck.path;
    if (fastCheck.counterexample !== undefined) finding.counterexample = fastCheck.counterexample;
    if (fastCheck.property !== undefined) finding.property = fastCheck.property;
  }
  if (model && input.exchanges.length > 0) finding.operations = contractOperations(model, input.exchanges);
  if (input.provenance) finding.provenance = input.provenance;
  return finding;
}

/** `200`, or `no response (timeout after 10000 ms)`: how an exchange ended, for `actual` texts. */
export function describeOutcome(exchange: Exchange): string {
  if (exchange.status === 0) return `no response (${exchange.transportError ?? 'unknown transport error'})`;
  return String(exchange.status);
}
