import { afterEach, beforeEach } from 'vitest';
import { watchTestSignal } from './actions/interruption.js';
import { settleActionSessions } from './actions/session.js';
import { defineFamilySuite } from './harness.js';

// An action check that sees its test aborted (Ctrl-C, --max-time) stops acting and restores the target; the
// runner abandons an aborted test at once, so each test's end waits for that restore before the run may close.
beforeEach(({ signal }) => watchTestSignal(signal));
afterEach(() => settleActionSessions());

defineFamilySuite('actions');
