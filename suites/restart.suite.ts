import { afterEach, beforeEach } from 'vitest';
import { watchTestSignal } from './actions/interruption.js';
import { settleActionSessions } from './actions/session.js';
import { defineFamilySuite } from './harness.js';

// ADDR-PARENT and RECREATE-NEW-UUID act through the actions family's session: as there, an aborted test stops
// acting, and its end waits for the restore before the run may close.
beforeEach(({ signal }) => watchTestSignal(signal));
afterEach(() => settleActionSessions());

// The runner orders this family last: its restart renews every UUID that the other families discovered.
defineFamilySuite('restart');
