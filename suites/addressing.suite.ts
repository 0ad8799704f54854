import { defineFamilySuite } from './harness.js';

defineFamilySuite('addressing');
