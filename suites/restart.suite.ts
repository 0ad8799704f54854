import { defineFamilySuite } from './harness.js';

// The runner orders this family last: its restart renews every UUID that the other families discovered.
defineFamilySuite('restart');
