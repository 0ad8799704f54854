/**
 * The vitest reporter of a conformance run: gathers each rule's result from its test's meta, and turns a test
 * that ended without one (a crash in a suite file, a timeout) into an `error` verdict of its rule.
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { RuleResult } from '../suites/check.js';
import { ruleCatalogue } from '../suites/rules.js';

/** Options of {@link ConformanceReporter}. */
export interface ConformanceReporterOptions {
  /** Where a line per decided rule goes; default: nowhere. */
  onRuleDecided?: (result: RuleResult) => void;
}

export class ConformanceReporter implements Reporter {
  readonly results: RuleResult[] = [];
  readonly runErrors: string[] = [];
  private readonly options: ConformanceReporterOptions;

  constructor(options: ConformanceReporterOptions = {}) {
    this.options = options;
  }

  onTestCaseResult(testCase: TestCase): void {
    const recorded = testCase.meta().conformance;
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
    return {
      id: rule.id,
      level: rule.level,
      family: rule.family,
      statement: rule.statement,
      verdict: 'error',
      provenance: rule.provenance,
      reason: errors.map((error) => error.message).join('; ') || 'the rule\'s test ended without a result',
      findings: [],
      notes: [],
      durationMs: Math.round(testCase.diagnostic()?.duration ?? 0),
      requests: 0,
    };
  }
}
