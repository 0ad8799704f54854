import { defineSuites } from './harness.js';

// The families that run against one lifetime of the target, in one file so that their read-only rules run beside
// the rules that act (vitest runs the files of a worker one after another). Each action session's end is waited for
// by its test (see harness.ts).
defineSuites(['addressing', 'http', 'actions']);
