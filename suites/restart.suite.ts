import { defineSuites } from './harness.js';

// The runner orders this file last: its restart renews every UUID that the other families discovered.
defineSuites(['restart']);
