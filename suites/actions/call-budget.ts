/**
 * The run's budget of phone calls (--max-calls). On a real PBX every call the checker places rings a phone, and the
 * contract has no action that hangs one up, so a run places few: the budget is shared out among the rules of the
 * actions family that run, in equal parts, so that the last of them still has its share.
 *
 * An action places a call when its effects create transient instances (live telephony's, LIVE-API.md §5) and it is
 * sent on what exists, not only on what the checker made: originate places one; a transfer moves a call the
 * checker placed. Only a send the effect model predicts to succeed is counted and limited: one it predicts to be
 * refused (a bad body, an unknown destination) places no call on a conformant server.
 */
import type { ActionNode } from '../../contracts/resource-model.js';
import type { CheckContext } from '../check.js';
import { ScopedState } from '../run-scope.js';

/** Calls placed in the run, by rule and purpose (`RULE-ID action`). */
const callsPlaced = new ScopedState('calls placed, by rule and purpose', () => new Map<string, number>());

/** Whether sending `action` with success places a new call. */
export function placesCall(action: ActionNode): boolean {
  return !action.effects.onlyOnCreated && action.effects.effects.some((effect) => effect.kind === 'create' && effect.transient);
}

/** Whether `action` needs calls: it places one, or it acts only on what the checker made (a transfer, on a call placed for it). */
function needsCalls(action: ActionNode): boolean {
  return placesCall(action) || action.effects.onlyOnCreated;
}

/**
 * The calls one rule may place for one action (`purpose`: the action's name; a transfer's call is placed for the
 * transfer): the rule's equal part of the run's budget, in equal parts again among the actions that need calls,
 * each rounded up, within what the rule and the run have left. So an originate case does not spend the call a
 * transfer case needs.
 */
function allowance(context: CheckContext, placed: Map<string, number>, purpose: string): number {
  const calls = context.settings.calls;
  if (!calls) return Infinity;
  const ruleShare = Math.ceil(calls.max / Math.max(1, calls.sharedBy));
  const purposes = new Set(context.model.actions.filter(needsCalls).map((action) => action.definition.name)).size;
  const purposeShare = Math.ceil(ruleShare / Math.max(1, purposes));
  const count = (prefix: string) => [...placed].filter(([key]) => key.startsWith(prefix)).reduce((sum, [, n]) => sum + n, 0);
  return Math.max(0, Math.min(purposeShare - count(`${context.rule.id} ${purpose}`), ruleShare - count(`${context.rule.id} `), calls.max - count('')));
}

/**
 * Takes one call from the rule's part of the budget for a send of `action` predicted to succeed, placed for
 * `purpose` (default the action itself); undefined when it may go, else why not (the case is then skipped, with
 * this reason).
 */
export function takeCall(context: CheckContext, action: ActionNode, predictedStatus: number, purpose = action.definition.name): string | undefined {
  if (predictedStatus !== 204 || !placesCall(action)) return undefined;
  const placed = context.scope.state(callsPlaced);
  if (allowance(context, placed, purpose) <= 0) {
    const calls = context.settings.calls!;
    return calls.max === 0
      ? `it would place a phone call, and --max-calls is 0`
      : `it would place a phone call, and this rule's part of the call budget for ${purpose} is spent (--max-calls ${calls.max}, shared by ${calls.sharedBy} rules)`;
  }
  const key = `${context.rule.id} ${purpose}`;
  placed.set(key, (placed.get(key) ?? 0) + 1);
  return undefined;
}

/** Calls the rule placed in the run. */
export function callsPlacedBy(context: CheckContext): number {
  return [...context.scope.state(callsPlaced)].filter(([key]) => key.startsWith(`${context.rule.id} `)).reduce((sum, [, n]) => sum + n, 0);
}

/** Calls placed in the whole run. */
export function callsPlacedInRun(context: CheckContext): number {
  return [...context.scope.state(callsPlaced).values()].reduce((sum, count) => sum + count, 0);
}
