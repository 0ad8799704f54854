/**
 * From a case that ran to a finding: what each rule of the actions family looks at in it, and the exchanges that
 * show it (the reads before, the action, the reads after), so that every finding can be replayed with curl.
 */
import type { FindingInput } from '../finding.js';
import { describeOutcome } from '../finding.js';
import { canonicalJson } from '../compare.js';
import type { CheckContext } from '../check.js';
import type { Exchange } from '../target-client.js';
import type { CaseRun, TargetRead } from './action-case.js';
import { describeDifference, type Difference } from './state-comparison.js';
import { describeInvocation } from './invocation.js';
import type { ArenaState } from './arena-state.js';
import { DISTINCTIVE_LENGTH, DISTINCTIVE_MAX, DISTINCTIVE_MIN, isDistinctive } from '../arbitraries/request-body.js';

/**
 * How many cases each action gets in a rule whose case is one action (and costs a few looks at the arena): a
 * share of --runs, at least one. The rule's notes say so.
 */
export function casesPerAction(context: CheckContext, share: number): number {
  const cases = Math.max(1, Math.round(context.settings.numRuns * share));
  context.note(`${cases} case(s) per action: ${Math.round(share * 1000) / 10}% of --runs (${context.settings.numRuns}), at least 1`);
  return cases;
}

/** The reads of `paths` before the action, the action, and the reads after: a replayable account. */
export function caseExchanges(run: CaseRun, paths: Iterable<string>, extra: Exchange[] = []): Exchange[] {
  const wanted = [...new Set(paths)];
  const before = wanted.map((path) => run.before.exchanges.get(path)).filter((e): e is Exchange => e !== undefined);
  const after = wanted.map((path) => run.after.exchanges.get(path)).filter((e): e is Exchange => e !== undefined);
  return [...before, ...run.refusedSends, run.exchange, ...after, ...extra];
}

function listed(differences: Difference[], limit = 4): string {
  const lines = differences.slice(0, limit).map(describeDifference);
  return lines.join('; ') + (differences.length > limit ? `; and ${differences.length - limit} more` : '');
}

/** The status: the contract's effect applies only to a 204. */
export function statusFinding(run: CaseRun): FindingInput | undefined {
  if (run.exchange.status === run.prediction.status || run.movedOnItsOwn) return undefined;
  const { owner, creates, removes } = run.prediction;
  // The reads the prediction rests on: the owner's, and where the action creates or removes (a conflict over an
  // instance that would be created there shows in those lists, or its absence does).
  const paths = [
    owner.kind === 'instance' ? owner.collection.path : owner.singleton.path,
    ...creates.flatMap((create) => create.collections.map((collection) => collection.path)),
    ...removes.flatMap((remove) => (remove.from ?? []).map((collection) => collection.path)),
  ];
  const sends = run.refusedSends.length + 1;
  return {
    message: `${describeInvocation(run.invocation)} must answer ${run.prediction.status} (${run.prediction.reason})${sends > 1 ? `; sent ${sends} times (answered ${run.refusedSends.map((e) => e.status).concat(run.exchange.status).join(', ')}), and no look after a send showed a conflict` : ''}.`,
    expected: String(run.prediction.status),
    actual: describeOutcome(run.exchange),
    exchanges: caseExchanges(run, paths),
    provenance: run.invocation.action.provenance,
  };
}

/** Creates that nothing matched afterwards: no new instance in all its collections with the expected values. */
export function missingCreatesFinding(run: CaseRun): FindingInput | undefined {
  const missing = run.prediction.creates.filter((_, index) => run.outcome.createdIds[index] === undefined);
  if (missing.length === 0) return undefined;
  const first = missing[0];
  const values = Object.entries(first.values).map(([k, v]) => `${k} = ${JSON.stringify(v.value)}${v.ifPresent ? ' (where present)' : ''}`).join(', ');
  return {
    message: `After ${describeInvocation(run.invocation)}, no new ${first.resource.name} is listed in ${first.collections.map((c) => c.path).join(' and ')}${values ? ` with ${values}` : ''}.`,
    expected: `a new ${first.resource.name} in every one of those collections`,
    actual: 'none that is in all of them with those values',
    exchanges: caseExchanges(run, missing.flatMap((create) => create.collections.map((c) => c.path))),
    provenance: run.invocation.action.provenance,
  };
}

/** Differences from the model, as one finding. */
export function differencesFinding(run: CaseRun, differences: Difference[], message: string, expected: string): FindingInput | undefined {
  if (differences.length === 0) return undefined;
  return {
    message: `${message}: ${listed(differences)}.`,
    expected,
    actual: listed(differences, 8),
    exchanges: caseExchanges(run, differences.map((d) => d.path)),
    provenance: run.invocation.action.provenance,
  };
}

function valueMismatches(read: TargetRead): string[] {
  const body = read.exchange.json as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return ['no JSON object'];
  const mismatches = Object.entries(read.values ?? {})
    .filter(([name, want]) => !(want.ifPresent && !(name in body)) && canonicalJson(body[name]) !== canonicalJson(want.value))
    .map(([name, want]) => `${name} is ${JSON.stringify(body[name])}, expected ${JSON.stringify(want.value)}`);
  if (read.id !== undefined && body.id !== read.id) mismatches.push(`id is ${JSON.stringify(body.id)}, expected ${read.id}`);
  return mismatches;
}

/** The effect read back at the target's own paths, through both addressing forms. */
export function targetReadsFinding(run: CaseRun, reads: TargetRead[]): FindingInput | undefined {
  for (const read of reads) {
    const form = read.forms.includes('name') ? 'by name' : 'by UUID';
    if (read.what === 'removed') {
      if (read.exchange.status === 404) continue;
      return {
        message: `After ${describeInvocation(run.invocation)}, the removed instance ${read.id} must answer 404 at its old path (${form}).`,
        expected: '404',
        actual: describeOutcome(read.exchange),
        exchanges: [run.exchange, read.exchange],
        provenance: run.invocation.action.provenance,
      };
    }
    // A call that answers 404 may have ended on its own since it was listed (§5): not judged here.
    if (read.transient && read.exchange.status === 404) continue;
    const mismatches = read.exchange.status === 200 ? valueMismatches(read) : [`it answered ${describeOutcome(read.exchange)}`];
    if (mismatches.length === 0) continue;
    return {
      message: `After ${describeInvocation(run.invocation)}, the ${read.what === 'owner' ? 'instance acted on' : 'created instance'} read ${form} does not show the effect: ${mismatches.join('; ')}.`,
      expected: `200 with ${Object.entries(read.values ?? {}).map(([k, v]) => `${k} = ${JSON.stringify(v.value)}`).join(', ') || 'the instance'}`,
      actual: mismatches.join('; '),
      exchanges: [run.exchange, read.exchange],
      provenance: run.invocation.action.provenance,
    };
  }
  return undefined;
}

/** Counts what the cases of a rule exercised and skipped, for the rule's notes. */
export class CaseTally {
  private readonly ran = new Map<string, number>();
  private readonly skipped = new Map<string, Set<string>>();

  count(action: string): void {
    this.ran.set(action, (this.ran.get(action) ?? 0) + 1);
  }

  skip(action: string, reason: string): void {
    this.skipped.set(action, (this.skipped.get(action) ?? new Set()).add(reason));
  }

  /** Writes the notes: cases per action, and for each action never exercised, why. */
  note(context: CheckContext, what: string): void {
    const counts = [...this.ran].map(([action, n]) => `${action} ${n}`).join(', ');
    if (counts) context.note(`${what}: ${counts}`);
    for (const [action, reasons] of this.skipped) {
      context.note(`${action} ${this.ran.has(action) ? 'cases skipped' : 'not exercised'}: ${[...reasons].join('; ')}`);
    }
  }

  /** How many cases ran in all. */
  get total(): number {
    return [...this.ran.values()].reduce((a, b) => a + b, 0);
  }
}

/** Every distinctive value of a body (see `isDistinctive`), with the property that carried it. */
function distinctiveValues(body: unknown): { property: string; value: string | number }[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.entries(body as Record<string, unknown>)
    .filter((entry): entry is [string, string | number] => isDistinctive(entry[1]))
    .map(([property, value]) => ({ property, value: value as string | number }));
}

/** Where in a state a value sits: `path` (and `id` in a collection) and property, for every place it is found. */
function placesOf(state: ArenaState, value: unknown): { path: string; id?: string; property: string }[] {
  const places: { path: string; id?: string; property: string }[] = [];
  const scan = (path: string, item: Record<string, unknown>, id?: string) => {
    for (const [property, seen] of Object.entries(item)) if (seen === value) places.push({ path, id, property });
  };
  for (const [path, members] of state.collections) for (const [id, item] of members) scan(path, item, id);
  for (const [path, item] of state.singletons) scan(path, item);
  return places;
}

/**
 * A distinctive value the action wrote (a random note, a large random penalty) that turns up, after it, in another
 * instance or sub-resource that did not hold it before: whatever the property, volatile ones included, since
 * nothing but this action can have put it there.
 */
export function leakedValuesFinding(run: CaseRun): FindingInput | undefined {
  const body = run.invocation.body?.kind === 'json' ? run.invocation.body.value : undefined;
  const key = (place: { path: string; id?: string; property: string }) => `${place.path} ${place.id ?? ''} ${place.property}`;
  for (const { property, value } of distinctiveValues(body)) {
    const before = new Set(placesOf(run.before.state, value).map(key));
    const leaked = placesOf(run.after.state, value).filter(
      (place) => !before.has(key(place)) && (place.id !== undefined ? !run.outcome.focus.has(place.id) : !run.outcome.focusPaths.has(place.path)),
    );
    if (leaked.length === 0) continue;
    const where = leaked.slice(0, 4).map((place) => `${place.path}${place.id ? ` (member ${place.id})` : ''} property "${place.property}"`).join('; ');
    const odds = typeof value === 'string' ? `"${value}" is "iso-" and ${DISTINCTIVE_LENGTH} random letters and digits (one of 36^${DISTINCTIVE_LENGTH}, about 4.7e18)` : `${value} is one random integer of ${DISTINCTIVE_MAX - DISTINCTIVE_MIN + 1}`;
    return {
      message:
        `${describeInvocation(run.invocation)} wrote "${property}": ${JSON.stringify(value)}, and that value turned up where its effect does not write: ${where}. ` +
        `It was not there before the action, and a coincidence is negligible: ${odds}, drawn for this action.`,
      expected: `${JSON.stringify(value)} only in what the effect names`,
      actual: `also in ${where}`,
      exchanges: caseExchanges(run, leaked.map((place) => place.path)),
      provenance: run.invocation.action.provenance,
    };
  }
  return undefined;
}
