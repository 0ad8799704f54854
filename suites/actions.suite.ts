import { beforeEach } from 'vitest';
import { watchTestSignal } from './actions/interruption.js';
import { defineFamilySuite } from './harness.js';

// An action check that sees its test aborted (Ctrl-C, --max-time) stops acting and restores the target.
beforeEach(({ signal }) => watchTestSignal(signal));

defineFamilySuite('actions');
