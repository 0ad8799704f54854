/**
 * Actions the target must refuse (404 for an unknown instance, 412 for a bad body, 409 for a conflict) and that
 * must change nothing: the state around the action is read before and after the attempts and compared. The
 * attempts of one case go out together, as reads do: on a network each would otherwise cost a round trip.
 */
import { requireAnswer } from '../check.js';
import type { FindingInput } from '../finding.js';
import { describeOutcome } from '../finding.js';
import type { Exchange } from '../target-client.js';
import { liveMembershipChanges, refusalMovedOnItsOwn } from './moved-on-its-own.js';
import { scopeOf } from './prediction.js';
import { compareStates, describeDifference } from './state-comparison.js';
import { describeInvocation, type ActionInvocation } from './invocation.js';
import type { ActionSession } from './session.js';

/** One request that must be refused, and what it is. */
export interface RefusalAttempt {
  label: string;
  invocation: ActionInvocation;
}

/** Whether the target accepted an action (2xx). */
const accepted = (exchange: Exchange) => exchange.status >= 200 && exchange.status < 300;

/**
 * Sends every attempt at once (the client bounds what is in flight, --concurrency) and gives each its answer, in
 * the order of `attempts`. Each must be refused and change nothing, so on a server that does so their order does
 * not matter, and the state is judged once, around them all; an attempt that is wrongly accepted is judged by its
 * own answer whatever came first. Every answer received is pushed on `sent` (for the restore), also when another
 * got none.
 */
async function sendTogether(session: ActionSession, attempts: RefusalAttempt[], sent: Exchange[]): Promise<{ attempt: RefusalAttempt; exchange: Exchange }[]> {
  const settled = await Promise.allSettled(attempts.map((attempt) => session.act(attempt.invocation)));
  for (const outcome of settled) if (outcome.status === 'fulfilled') sent.push(outcome.value);
  return settled.map((outcome, index) => {
    if (outcome.status === 'rejected') throw outcome.reason;
    return { attempt: attempts[index], exchange: requireAnswer(outcome.value) };
  });
}

/**
 * Sends `attempts` (variations of the valid invocation `valid`), each of which must answer `status`; then checks
 * that the state around `valid` did not change, and restores it if it did. The first finding, or undefined.
 */
export async function checkRefusals(session: ActionSession, valid: ActionInvocation, attempts: RefusalAttempt[], status: number): Promise<FindingInput | undefined> {
  const scope = scopeOf(session.arena, session.current, valid);
  const before = await session.lookBefore(scope);
  const sent: Exchange[] = [];
  let finding: FindingInput | undefined;
  try {
    const answered = await sendTogether(session, attempts, sent);
    const after = await session.observe(scope);
    // An attempt accepted when it must be refused may have logged agents in or out: the restore puts those back,
    // together with what live telephony changed in the same lists meanwhile (the two cannot be told apart).
    if (sent.some(accepted)) session.claimMembers(liveMembershipChanges(before.state, after.state, session.lookup));
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
    if (sent.some(accepted)) await session.restore(scope, before.state).catch(() => undefined);
    throw error;
  }
}
