import { defineFamilySuite } from './harness.js';

defineFamilySuite('http');
