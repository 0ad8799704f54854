/**
 * The result of one rule on the target, and its verdict: what a check ends in and what the report model is built from.
 */
import type { Finding } from './finding.js';
import { ruleById, type RuleFamily, type RuleLevel } from './rules.js';

/** A rule's verdict. */
export type Verdict = 'pass' | 'fail' | 'skip' | 'error';

/** The result of one rule on the target: what the report model is built from. */
export interface RuleResult {
  id: string;
  level: RuleLevel;
  family: RuleFamily;
  statement: string;
  verdict: Verdict;
  /** `inferred` when the rule, or every finding of it, rests on inferred parts of LIVE-API.md. */
  provenance: 'doc' | 'inferred';
  /** Why it was skipped or could not be decided. */
  reason?: string;
  findings: Finding[];
  /** What was exercised: counts of cases, forms, pairs. */
  notes: string[];
  durationMs: number;
  /** Requests the check sent. */
  requests: number;
}

/** The result of a rule that was not judged on the target: skipped by selection, or left undecided. */
export function unjudgedResult(ruleId: string, verdict: 'skip' | 'error', reason: string, durationMs = 0): RuleResult {
  const rule = ruleById(ruleId);
  return {
    id: rule.id,
    level: rule.level,
    family: rule.family,
    statement: rule.statement,
    verdict,
    provenance: rule.provenance,
    reason,
    findings: [],
    notes: [],
    durationMs,
    requests: 0,
  };
}
