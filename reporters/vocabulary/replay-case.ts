/**
 * What --replay and --baseline compare failures by: a replayed case and its outcome, and the keys that make two
 * failures "the same".
 */
import type { Finding } from './finding.js';

/** One recorded failing case that --replay sent again, and whether it still fails. */
export interface ReplayCase {
  ruleId: string;
  /** The property of the rule that found it; absent for a finding made outside a property. */
  property?: string;
  seed?: number;
  path?: string;
  /** The recorded finding's message. */
  message: string;
  /** `exact`: the recorded seed and path rebuilt the shrunk case; `rule`: no path was recorded, the rule ran again with the recorded seed. */
  how: 'exact' | 'rule';
  stillFails: boolean;
  /** The message of the finding that the replay produced, when it still fails. */
  replayMessage?: string;
}

/** What --replay did. */
export interface ReplayOutcome {
  /** The report the cases came from. */
  source: string;
  /** The seed of the recorded run. */
  sourceSeed: number;
  cases: ReplayCase[];
}

/**
 * The key that makes two failures "the same" for --baseline: the rule id and the finding's message, with UUIDs
 * replaced by `<uuid>` (a restart renews them) and runs of white space collapsed. Expected, actual, requests,
 * seed and path are not part of it: they name the concrete instances of one run.
 */
export function failureKey(ruleId: string, message: string): string {
  const normalised = message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\s+/g, ' ')
    .trim();
  return `${ruleId}\u0000${normalised}`;
}

/**
 * What makes two failures "the same" for --baseline: what failed, not the instance it was met on. A finding that
 * names its contract operations is the rule id, the property that found it and those operations (another seed
 * meets the same fault on another instance, at the same paths); one that does not (an older report) is
 * {@link failureKey}. Either match makes a failure known.
 */
export function failureSignatures(ruleId: string, finding: Pick<Finding, 'message' | 'property' | 'operations'>): string[] {
  const signatures = [failureKey(ruleId, finding.message)];
  if (finding.operations?.length) signatures.push(`${ruleId}\u0000${finding.property ?? ''}\u0000${finding.operations.join('\n')}`);
  return signatures;
}

/** {@link failureSignatures} in words, as the report states it. */
export const failureKeyDescription =
  'rule id + property + the contract operations of its requests (METHOD and path template); or rule id + finding message (UUIDs replaced by <uuid>, white space collapsed)';
