/**
 * Contract coverage: which operations (path and method), addressing forms and actions of the contract a run
 * exercised. The worker side matches every request the target client sends back to its contract node and
 * addressing forms and tallies it per rule ({@link CoverageRecorder}); the runner side merges the tallies of all
 * rules into the report's {@link ContractCoverage}, and says for each part not exercised why.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  instanceSegments,
  type AddressingForm,
  type CollectionNode,
  type PathNode,
  type ResourceModel,
} from '../contracts/resource-model.js';
import { coverageTotals, type ContractCoverage, type OperationCoverage, type OperationTally, type RequestTally } from '../reporters/vocabulary/coverage.js';
import type { RuleResult } from '../reporters/vocabulary/rule-result.js';
import type { Exchange } from './target-client.js';
import { matchRequestPath } from '../contracts/request-path.js';


/** How many unmatched paths a tally keeps as examples. */
const unmatchedExamples = 5;

/** One rule's tally while it is built. */
interface RuleTally {
  operations: Map<string, OperationTally>;
  unmatched: { requests: number; examples: string[] };
}

/** A rule's tally of one operation in one combination of addressing forms, made on first use. */
function operationTally(rule: RuleTally, method: string, template: string, forms: string): OperationTally {
  const key = `${method} ${template} ${forms}`;
  let tally = rule.operations.get(key);
  if (!tally) {
    tally = { method, template, forms, requests: 0, statuses: {} };
    rule.operations.set(key, tally);
  }
  return tally;
}

/**
 * Tallies the requests of a run by rule, contract operation and addressing form. A request is the rule's whose
 * {@link CoverageRecorder.withRule} it was sent within (a request outside any rule is tallied under the empty id).
 */
export class CoverageRecorder {
  private readonly model: ResourceModel;
  private readonly byRule = new Map<string, RuleTally>();
  /** The rule whose check is running, through every await of it: rules may run at once (--concurrency). */
  private readonly ruleRunning = new AsyncLocalStorage<string>();

  constructor(model: ResourceModel) {
    this.model = model;
  }

  /** Runs `work` (one rule's check) so that the requests it sends are tallied under `ruleId`. */
  withRule<T>(ruleId: string, work: () => Promise<T>): Promise<T> {
    return this.ruleRunning.run(ruleId, work);
  }

  /** Counts one exchange against the operation it reached. */
  record(exchange: Exchange): void {
    const rule = this.runningRuleTally();
    const match = matchRequestPath(this.model, exchange.path);
    if (!match) {
      rule.unmatched.requests += 1;
      if (rule.unmatched.examples.length < unmatchedExamples) rule.unmatched.examples.push(`${exchange.method} ${exchange.path}`);
      return;
    }
    const tally = operationTally(rule, exchange.method, match.node.template, match.forms.join('/'));
    tally.requests += 1;
    tally.statuses[String(exchange.status)] = (tally.statuses[String(exchange.status)] ?? 0) + 1;
    if (match.node.kind === 'collection' && exchange.status === 200 && Array.isArray(exchange.json)) {
      tally.listedItems = Math.max(tally.listedItems ?? 0, exchange.json.length);
    }
  }

  /**
   * Names the running rule among those that exercised the operation `exchange` reached, without counting a request:
   * the rule judged an answer that another rule's request got (a read shared between rules, shared-reads.ts), which
   * that rule's tally counts.
   */
  recordJudged(exchange: Exchange): void {
    const match = matchRequestPath(this.model, exchange.path);
    if (match) operationTally(this.runningRuleTally(), exchange.method, match.node.template, match.forms.join('/'));
  }

  /** The tally of the rule whose check is running, made on first use. */
  private runningRuleTally(): RuleTally {
    const ruleId = this.ruleRunning.getStore() ?? '';
    let rule = this.byRule.get(ruleId);
    if (!rule) {
      rule = { operations: new Map(), unmatched: { requests: 0, examples: [] } };
      this.byRule.set(ruleId, rule);
    }
    return rule;
  }

  /** What `ruleId`'s requests covered so far, as plain data; its tally starts afresh. */
  take(ruleId: string): RequestTally {
    const rule = this.byRule.get(ruleId);
    this.byRule.delete(ruleId);
    return { operations: [...(rule?.operations.values() ?? [])], unmatched: rule?.unmatched ?? { requests: 0, examples: [] } };
  }
}

/** Every combination of addressing forms that `node` allows: UUID at every level, `name` too where a level is name-capable. */
export function possibleForms(node: PathNode): string[] {
  let combinations: AddressingForm[][] = [[]];
  for (const level of instanceSegments(node)) {
    const choices: AddressingForm[] = level.nameProperty ? ['uuid', 'name'] : ['uuid'];
    combinations = combinations.flatMap((prefix) => choices.map((choice) => [...prefix, choice]));
  }
  return combinations.map((forms) => forms.join('/'));
}

/** The collection whose instances `node` needs before it can be requested; undefined for a top-level collection. */
function holdingCollection(node: PathNode): CollectionNode | undefined {
  switch (node.kind) {
    case 'collection':
      return node.parent?.collection;
    case 'instance':
      return node.collection;
    case 'singleton':
      return node.owner.collection;
    case 'action':
      return node.ownerInstance.collection;
  }
}

/** The operations of the contract: one per path and listed method. */
function contractOperations(model: ResourceModel): { node: PathNode; method: string }[] {
  return model.nodes.flatMap((node) => node.methods.map((method) => ({ node, method: method.toUpperCase() })));
}

/** What the coverage of a run is built from. */
export interface CoverageInput {
  /** Each rule's tally, with the rule id. */
  tallies: { ruleId: string; tally: RequestTally }[];
  /** The rule results, to say why an action was never sent when the actions rules did not run. */
  rules: readonly Pick<RuleResult, 'id' | 'family' | 'verdict' | 'reason'>[];
  /** The run was interrupted. */
  partial: boolean;
}

/** Merges the per-rule tallies into the coverage of the contract, each part not exercised with why. */
export function buildContractCoverage(model: ResourceModel, input: CoverageInput): ContractCoverage {
  const operations = contractOperations(model);
  const tallies = mergeTallies(input.tallies, new Set(operations.map(({ node, method }) => `${method} ${node.template}`)));
  const whyNotExercised = explainerOfNotExercised(input, tallies.listed);
  const result = operations.map(({ node, method }) => operationCoverage(node, method, tallies.merged.get(`${method} ${node.template}`), whyNotExercised));
  return {
    operations: result,
    totals: coverageTotals(result),
    outsideContract: [...tallies.outside.values()],
    unmatched: tallies.unmatched,
  };
}

/** What the rules sent to one operation of the contract, all rules together. */
interface MergedOperation {
  requests: number;
  statuses: Record<string, number>;
  forms: string[];
  rules: string[];
}

/** The rules' tallies merged: per operation of the contract, outside it, unmatched, and the most items each collection listed. */
function mergeTallies(tallies: CoverageInput['tallies'], contractKeys: Set<string>) {
  const merged = new Map<string, MergedOperation>();
  const outside = new Map<string, { method: string; template: string; requests: number }>();
  const unmatched = { requests: 0, examples: [] as string[] };
  const listed = new Map<string, number>();
  for (const { ruleId, tally } of tallies) {
    for (const entry of tally.operations) {
      const key = `${entry.method} ${entry.template}`;
      if (entry.listedItems !== undefined) listed.set(entry.template, Math.max(listed.get(entry.template) ?? 0, entry.listedItems));
      if (!contractKeys.has(key)) {
        const known = outside.get(key) ?? { method: entry.method, template: entry.template, requests: 0 };
        known.requests += entry.requests;
        outside.set(key, known);
        continue;
      }
      let operation = merged.get(key);
      if (!operation) {
        operation = { requests: 0, statuses: {}, forms: [], rules: [] };
        merged.set(key, operation);
      }
      operation.requests += entry.requests;
      for (const [status, count] of Object.entries(entry.statuses)) operation.statuses[status] = (operation.statuses[status] ?? 0) + count;
      if (!operation.forms.includes(entry.forms)) operation.forms.push(entry.forms);
      if (!operation.rules.includes(ruleId)) operation.rules.push(ruleId);
    }
    unmatched.requests += tally.unmatched.requests;
    for (const example of tally.unmatched.examples) if (unmatched.examples.length < unmatchedExamples) unmatched.examples.push(example);
  }
  return { merged, outside, unmatched, listed };
}

/** Says why a path was never exercised, from the rules' verdicts and what the collections listed. */
function explainerOfNotExercised(input: CoverageInput, listed: Map<string, number>): (node: PathNode) => string {
  // When the actions rules are there but all skipped (--skip ACT keeps a run read-only), that is why no action was sent.
  const actionRules = input.rules.filter((rule) => rule.family === 'actions');
  const actionsSkipped = actionRules.length > 0 && actionRules.every((rule) => rule.verdict === 'skip');
  const whyNotExercised = (node: PathNode): string => {
    if (node.kind === 'action' && actionsSkipped) return `no actions rule ran (${actionRules[0].reason ?? 'skipped'})`;
    const holder = holdingCollection(node);
    if (holder && listed.get(holder.template) === 0) return `the target listed no ${holder.resource.name} (${holder.template} was always empty)`;
    if (holder && !listed.has(holder.template)) return `no instance to address: ${holder.template} was never listed (${whyNotExercised(holder)})`;
    if (input.partial) return 'the run was interrupted before a check reached it';
    return 'no registered check sends this request';
  };
  return whyNotExercised;
}

/** The coverage of one operation: what was sent, and why not all of it when it fell short. */
function operationCoverage(node: PathNode, method: string, recorded: MergedOperation | undefined, whyNotExercised: (node: PathNode) => string): OperationCoverage {
  const possible = possibleForms(node);
  const exercised = possible.filter((forms) => recorded?.forms.includes(forms));
  const operation: OperationCoverage = {
    method,
    template: node.template,
    kind: node.kind,
    requests: recorded?.requests ?? 0,
    statuses: recorded?.statuses ?? {},
    forms: { possible, exercised },
    rules: [...(recorded?.rules ?? [])].sort(),
  };
  if (node.kind === 'action') operation.action = node.definition.name;
  if (!recorded) operation.reason = whyNotExercised(node);
  else if (exercised.length < possible.length) {
    const nameNeverSent = possible.some((forms) => forms.includes('name')) && !exercised.some((forms) => forms.includes('name'));
    operation.reason = nameNeverSent
      ? 'no check addressed this path by name'
      : `${exercised.length} of ${possible.length} combinations of addressing forms were drawn`;
  }
  return operation;
}
