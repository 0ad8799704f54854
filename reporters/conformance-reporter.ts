/**
 * The vitest reporter of a conformance run: gathers each rule's result from its test's meta, and turns a test
 * that ended without one (a crash in a suite file, a timeout) into an `error` verdict of its rule.
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { RequestTally } from './vocabulary/coverage.js';
import type { ReplayCase } from './vocabulary/replay-case.js';
import { unjudgedResult, type RuleResult } from './vocabulary/rule-result.js';
import { ruleCatalogue } from './vocabulary/rules.js';

/** Options of {@link ConformanceReporter}. */
export interface ConformanceReporterOptions {
  /** Where a line per decided rule goes; default: nowhere. */
  onRuleDecided?: (result: RuleResult) => void;
  /** Called when a rule's test starts, with the rule id and family. */
  onRuleStarted?: (ruleId: string, family: string) => void;
}

export class ConformanceReporter implements Reporter {
  readonly results: RuleResult[] = [];
  readonly runErrors: string[] = [];
  /** Each rule's contract coverage, as its test recorded it. */
  readonly coverage: { ruleId: string; tally: RequestTally }[] = [];
  /** With --replay: every replayed case. */
  readonly replayCases: ReplayCase[] = [];
  private readonly options: ConformanceReporterOptions;
  private readonly reported = new Set<string>();

  constructor(options: ConformanceReporterOptions = {}) {
    this.options = options;
  }

  onTestCaseReady(testCase: TestCase): void {
    this.options.onRuleStarted?.(testCase.name, testCase.parent.type === 'suite' ? testCase.parent.name : '');
  }

  onTestCaseResult(testCase: TestCase): void {
    // A cancelled run reports a test again when its file ends: the first report stands.
    if (this.reported.has(testCase.id)) return;
    this.reported.add(testCase.id);
    const meta = testCase.meta();
    if (meta.conformanceCoverage) this.coverage.push({ ruleId: testCase.name, tally: meta.conformanceCoverage });
    if (meta.conformanceReplay) this.replayCases.push(...meta.conformanceReplay);
    // A test that a cancelled run skipped, or never started, has no result: the runner reports it as interrupted.
    if (!meta.conformance && (testCase.result().state === 'skipped' || testCase.result().state === 'pending')) return;
    const recorded = meta.conformance;
    const result = recorded ?? this.undecided(testCase);
    if (!result) return;
    this.results.push(result);
    this.options.onRuleDecided?.(result);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    for (const module of modules) {
      for (const error of module.errors()) this.runErrors.push(`${module.moduleId}: ${error.message}`);
    }
    for (const error of errors) this.runErrors.push(String((error as Error)?.message ?? error));
  }

  private undecided(testCase: TestCase): RuleResult | undefined {
    const rule = ruleCatalogue.find((candidate) => candidate.id === testCase.name);
    if (!rule) return undefined;
    const errors = testCase.result().errors ?? [];
    const reason = errors.map((error) => error.message).join('; ') || 'the rule\'s test ended without a result';
    return unjudgedResult(rule.id, 'error', reason, Math.round(testCase.diagnostic()?.duration ?? 0));
  }
}
