import { defineFamilySuite } from './harness.js';

// Each rule's test waits, as it ends, for the action sessions it left under way to restore (see harness.ts).
defineFamilySuite('actions');
