/**
 * Actions the target must refuse (404 for an unknown instance, 412 for a bad body, 409 for a conflict) and that
 * must change nothing: the state around the action is read before and after the attempts and compared.
 */
import { requireAnswer } from '../check.js';
import type { FindingInput } from '../finding.js';
import { describeOutcome } from '../finding.js';
import type { Exchange } from '../target-client.js';
import { refusalMovedOnItsOwn } from './moved-on-its-own.js';
import { scopeOf } from './prediction.js';
import { compareStates, describeDifference } from './state-comparison.js';
import { describeInvocation, type ActionInvocation } from './invocation.js';
import type { ActionSession } from './session.js';

/** One request that must be refused, and what it is. */
export interface RefusalAttempt {
  label: string;
  invocation: ActionInvocation;
}

/**
 * Sends `attempts` (variations of the valid invocation `valid`), each of which must answer `status`; then checks
 * that the state around `valid` did not change, and restores it if it did. The first finding, or undefined.
 */
export async function checkRefusals(session: ActionSession, valid: ActionInvocation, attempts: RefusalAttempt[], status: number): Promise<FindingInput | undefined> {
  const scope = scopeOf(session.arena, session.current, valid);
  const before = await session.observe(scope);
  const sent: Exchange[] = [];
  let finding: FindingInput | undefined;
  try {
    const answered: { attempt: RefusalAttempt; exchange: Exchange }[] = [];
    for (const attempt of attempts) {
      const exchange = requireAnswer(await session.act(attempt.invocation));
      sent.push(exchange);
      answered.push({ attempt, exchange });
    }
    const after = await session.observe(scope);
    for (const { attempt, exchange } of answered) {
      if (exchange.status === status || finding) continue;
      const looks = { before: before.state, after: after.state };
      if (refusalMovedOnItsOwn(session.arena, looks, attempt.invocation, status, exchange.status, session.lookup)) {
        session.noteOnce('a case was left unjudged: live telephony moved the state between the look and the action (LIVE-API.md §5)');
        continue;
      }
      finding = {
        message: `${attempt.label}: ${describeInvocation(attempt.invocation)} must answer ${status}.`,
        expected: String(status),
        actual: describeOutcome(exchange),
        exchanges: [exchange],
        provenance: attempt.invocation.action.provenance,
      };
    }
    const nothing = { focus: new Set<string>(), focusPaths: new Set<string>(), claims: new Map(), open: new Set<string>() };
    const differences = compareStates(session.arena, before.state, after.state, nothing, session.lookup);
    if (differences.length > 0) {
      const paths = [...new Set(differences.map((d) => d.path))];
      finding ??= {
        message: `Refused or not, ${attempts.map((a) => a.label).join(', ')} changed the state: ${differences.slice(0, 4).map(describeDifference).join('; ')}.`,
        expected: 'no change',
        actual: differences.slice(0, 8).map(describeDifference).join('; '),
        exchanges: [...paths.map((p) => before.exchanges.get(p)!), ...sent, ...paths.map((p) => after.exchanges.get(p)!)].filter(Boolean),
        provenance: valid.action.provenance,
      };
      const restored = await session.restore(scope, before.state, after.state);
      for (const line of restored.notRestored) session.noteOnce(`not restored after a case: ${line}`);
    }
    return finding;
  } catch (error) {
    // Whatever went wrong, what an accepted attempt changed is put back.
    if (sent.some((exchange) => exchange.status >= 200 && exchange.status < 300)) await session.restore(scope, before.state).catch(() => undefined);
    throw error;
  }
}
